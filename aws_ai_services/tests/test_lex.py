"""Lex V2 over the wire: bots built with lexv2-models, conversations via lexv2-runtime (text, speech)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from aws_ai_services.ai_services.lex import IntentSpec, LexBot, SlotSpec, SlotTypeSpec
from aws_ai_services.ai_services.polly import PollyClient
from aws_ai_services.emulator.lex import slot_values
from botocore.exceptions import ClientError
from multi_cloud.core.errors import CloudError, NotFound
from multi_cloud.testing.engines import require_speech_synthesis

ROOMS = SlotTypeSpec("RoomType", {"king": ["big", "large"], "queen": [], "single": ["small"]})
BOOK = IntentSpec(
    "BookRoom",
    utterances=["book a {RoomType} room", "I want to book a room", "reserve a room for {Nights} nights"],
    slots=[
        SlotSpec("RoomType", "RoomType", "Which room type: king, queen or single?"),
        SlotSpec("Nights", "AMAZON.Number", "How many nights?"),
    ],
    closing="Booked a {RoomType} room for {Nights} nights.",
)
GREET = IntentSpec(
    "Greet", utterances=["hello", "good morning", "hi there"], closing="Hello! How can I help?"
)


@pytest.fixture
def hotel(ai_cloud) -> LexBot:  # type: ignore[no-untyped-def]
    bot = LexBot(f"hotel-{uuid.uuid4().hex[:6]}")
    bot.create([BOOK, GREET], [ROOMS])
    bot.build()
    return bot


def test_a_full_booking_conversation(hotel: LexBot) -> None:
    first = hotel.recognize_text("I'd like to book a big room", session_id="guest-1")
    assert (first.intent, first.state, first.dialog_action) == ("BookRoom", "InProgress", "ElicitSlot")
    assert first.slots == {"RoomType": "king", "Nights": None}  # "big" is a synonym of king (TopResolution)
    assert first.slot_to_elicit == "Nights" and first.messages == ("How many nights?",)
    assert first.confidence is not None and 0.4 <= first.confidence < 1.0
    second = hotel.recognize_text("three nights please", session_id="guest-1")
    assert (second.state, second.dialog_action) == ("Fulfilled", "Close")
    assert second.slots == {"RoomType": "king", "Nights": "3"}
    assert second.messages == ("Booked a king room for 3 nights.",)


def test_a_template_match_fills_every_slot_at_once(hotel: LexBot) -> None:
    reply = hotel.recognize_text("reserve a room for twenty one nights")
    assert reply.confidence == 1.0 and reply.slots["Nights"] == "21"
    assert reply.slot_to_elicit == "RoomType"


def test_restricted_slot_reprompts_then_fails(hotel: LexBot) -> None:
    hotel.recognize_text("I want to book a room", session_id="s1")
    retry = hotel.recognize_text("a treehouse", session_id="s1")
    assert retry.slot_to_elicit == "RoomType" and retry.messages == (
        "Which room type: king, queen or single?",
    )
    hotel.recognize_text("a castle", session_id="s1")
    failed = hotel.recognize_text("a cave", session_id="s1")  # maxRetries = 2 exhausted
    assert (failed.state, failed.dialog_action) == ("Failed", "Close")


def test_other_intents_and_the_fallback(hotel: LexBot) -> None:
    greet = hotel.recognize_text("hello")
    assert greet.intent == "Greet" and greet.messages == ("Hello! How can I help?",)
    unknown = hotel.recognize_text("what is the capital of peru")
    assert unknown.intent == "FallbackIntent" and unknown.confidence is None


def test_interpretations_rank_the_alternatives(hotel: LexBot) -> None:
    reply = hotel.recognize_text("hello I want to book a room")
    names = [name for name, _score in reply.alternatives]
    assert reply.intent == "BookRoom" and "Greet" in names
    assert all(score < reply.confidence for _name, score in reply.alternatives)  # type: ignore[operator]


def test_confirmation_yes_and_no(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    order = IntentSpec(
        "OrderPizza",
        utterances=["order a pizza", "I want pizza"],
        confirmation="Shall I place the order?",
        declination="Order cancelled.",
        closing="Your pizza is on its way.",
    )
    bot = LexBot(f"pizza-{uuid.uuid4().hex[:6]}")
    bot.create([order])
    bot.build()
    asked = bot.recognize_text("order a pizza", session_id="aa")
    assert asked.dialog_action == "ConfirmIntent" and asked.messages == ("Shall I place the order?",)
    assert bot.recognize_text("yes please", session_id="aa").messages == ("Your pizza is on its way.",)
    bot.recognize_text("I want pizza", session_id="bb")
    declined = bot.recognize_text("no", session_id="bb")
    assert (declined.state, declined.messages) == ("Failed", ("Order cancelled.",))
    assert declined.raw["sessionState"]["intent"]["confirmationState"] == "Denied"


def test_published_alias_serves_its_version_not_the_draft(hotel: LexBot, ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    alias = hotel.publish("live")
    assert alias != "TSTALIASID"
    models = boto3.client("lexv2-models")
    models.create_intent(
        botId=hotel.bot_id,
        botVersion="DRAFT",
        localeId="en_US",
        intentName="Weather",
        sampleUtterances=[{"utterance": "what is the weather"}],
    )
    models.build_bot_locale(botId=hotel.bot_id, botVersion="DRAFT", localeId="en_US")
    assert hotel.recognize_text("what is the weather").intent == "FallbackIntent"  # version 1 has no Weather
    hotel.alias_id = "TSTALIASID"
    assert hotel.recognize_text("what is the weather").intent == "Weather"  # the draft does


def test_build_fails_with_lex_failure_reasons(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    broken = IntentSpec("Broken", utterances=["take me to {Destination}"])
    bot = LexBot(f"broken-{uuid.uuid4().hex[:6]}")
    bot.create([broken])
    with pytest.raises(CloudError):
        bot.build()
    described = boto3.client("lexv2-models").describe_bot_locale(
        botId=bot.bot_id, botVersion="DRAFT", localeId="en_US"
    )
    assert described["botLocaleStatus"] == "Failed"
    assert "Destination" in described["failureReasons"][0]


def test_talking_to_an_unbuilt_bot_is_resource_not_found(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    bot = LexBot(f"raw-{uuid.uuid4().hex[:6]}")
    bot.create([GREET])
    with pytest.raises(ClientError) as caught:
        boto3.client("lexv2-runtime").recognize_text(
            botId=bot.bot_id, botAliasId="TSTALIASID", localeId="en_US", sessionId="s1", text="hello"
        )
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_sessions_can_be_read_and_deleted(hotel: LexBot, ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    runtime = boto3.client("lexv2-runtime")
    key = {"botId": hotel.bot_id, "botAliasId": "TSTALIASID", "localeId": "en_US", "sessionId": "kept"}
    hotel.recognize_text("book a queen room", session_id="kept")
    session = runtime.get_session(**key)
    assert session["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "Nights"}
    runtime.delete_session(**key)
    with pytest.raises(ClientError):
        runtime.get_session(**key)


def test_find_and_list_bots_by_name(hotel: LexBot) -> None:
    assert LexBot(hotel.name).find() == hotel.bot_id
    with pytest.raises(NotFound):
        LexBot("no-such-bot").find()


def test_speech_in_speech_out(hotel: LexBot) -> None:
    require_speech_synthesis()
    import boto3

    polly = PollyClient()
    first = hotel.recognize_pcm(polly.synthesize_pcm("book a king room", voice="Joanna"), session_id="call")
    assert first.transcript == "book a king room"
    assert first.intent == "BookRoom" and first.slots["RoomType"] == "king"
    answer = boto3.client("lexv2-runtime").recognize_utterance(
        botId=hotel.bot_id,
        botAliasId="TSTALIASID",
        localeId="en_US",
        sessionId="call",
        requestContentType="audio/l16; rate=16000; channels=1",
        responseContentType="audio/pcm",
        inputStream=polly.synthesize_pcm("two", voice="Matthew"),
    )
    assert answer["inputMode"] == "Speech"
    assert len(answer["audioStream"].read()) > 16000  # "Booked a king room for 2 nights." spoken back


def test_builtin_slot_values() -> None:
    assert slot_values.number("one hundred and five guests") == ("one hundred and five", "105")
    assert slot_values.number("party of 12") == ("12", "12")
    today = date(2026, 3, 10)  # a Tuesday
    assert slot_values.date_value("next friday", today) == ("friday", "2026-03-13")
    assert slot_values.date_value("on March 5th", today) == ("march 5th", "2027-03-05")
    assert slot_values.date_value("tomorrow", today) == ("tomorrow", "2026-03-11")
    assert slot_values.time_value("at 3:30 pm") == ("3:30 pm", "15:30")
    assert slot_values.time_value("room 5") is None
    assert slot_values.confirmation("nope, not now") == ("nope", "No")


def test_a_next_token_the_emulator_never_gave_is_a_validation_error(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    with pytest.raises(ClientError) as caught:
        boto3.client("lexv2-models").list_bots(nextToken="fuzz-endpoint")
    error = caught.value.response
    code, status = error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]
    assert (code, status) == ("ValidationException", 400)
    expected = "The nextToken 'fuzz-endpoint' is not valid; use one a list call returned"
    assert error["Error"]["Message"] == expected
