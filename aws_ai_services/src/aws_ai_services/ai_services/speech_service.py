"""AWSSpeech: the portable SpeechService over Amazon Polly (synthesis) and Lex V2 (phrase recognition).

AWS has no "recognise one of these phrases" API; Lex is the service that listens for what a bot expects.
``transcribe(audio, phrases=[...])`` therefore uses a Lex bot with one intent per phrase (named
``cloudai-phrases-<hash of the phrases>``, created and built on first use, reused afterwards) and sends the
audio to RecognizeUtterance: the text is the phrase whose intent Lex chose, the confidence Lex's
``nluConfidence``. On AWS the first call per phrase set takes about a minute (the bot build) and leaves
the bot in the account: :meth:`AWSSpeech.delete_phrase_bots` removes them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from multi_cloud.core.base import SpeechService
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import SpeechAudio, Transcript

from aws_ai_services.ai_services.lex import IntentSpec, LexBot
from aws_ai_services.ai_services.polly import SAMPLE_RATE, PollyClient

PHRASE_BOT_PREFIX = "cloudai-phrases-"
DICTATION_REASON = (
    "free dictation would be Amazon Transcribe, which is not part of this package (it has no offline "
    "emulation); pass phrases=[...] to recognise one of a known set of phrases through Lex"
)


def phrase_utterance(phrase: str) -> str:
    """A phrase as a Lex sample utterance: letters, digits, apostrophes and single spaces."""
    return " ".join(re.sub(r"[^\w']+", " ", phrase).split())


def wav_to_pcm(audio: bytes, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit mono PCM at ``rate`` from a WAV file (InvalidArgument naming the format otherwise)."""
    from multi_cloud.onprem.engines.audio import read_wav, resample, to_int16

    return bytes(to_int16(resample(read_wav(audio), rate).samples).tobytes())


class AWSSpeech(SpeechService):
    """Polly voices (``"Joanna"``...) and Lex phrase recognition behind the portable SpeechService."""

    unsupported = {"speech.dictate": DICTATION_REASON}

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.polly = PollyClient(self.settings)

    def voices(self, *, language: str = "") -> list[str]:
        """Polly voice ids; ``language`` may be ``en-US`` or just ``en``."""
        wanted = language.replace("_", "-")
        exact = "-" in wanted or len(wanted) > 3
        found = self.polly.voices(language=wanted if exact else "")
        return [v.id for v in found if exact or not wanted or v.language_code.split("-")[0] == wanted.lower()]

    def synthesize(self, text: str, *, voice: str = "", language: str = "en-US") -> SpeechAudio:
        """A 16 kHz WAV; without ``voice``, the first Polly voice of ``language``."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument(
                "text to speak is empty", provider=self.provider, operation="speech.synthesize"
            )
        chosen = voice or self._default_voice(language)
        return self.polly.synthesize(text, voice=chosen)

    def _default_voice(self, language: str) -> str:
        voices = self.voices(language=language)
        if not voices:
            raise InvalidArgument(
                f"Polly has no voice for language {language!r}; list them with voices()",
                provider=self.provider,
                operation="speech.synthesize",
            )
        return voices[0]

    def transcribe(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Transcript:
        """Which of ``phrases`` was spoken in the WAV ``audio`` (through a Lex phrase bot)."""
        if isinstance(phrases, str):
            raise InvalidArgument("phrases must be a list of strings, not one string", provider=self.provider)
        if not phrases:
            return self.dictate(audio, language=language)
        pcm = wav_to_pcm(audio)
        ordered = list(dict.fromkeys(phrase_utterance(p) for p in phrases if phrase_utterance(p)))
        originals = {phrase_utterance(p): p for p in reversed(list(phrases))}
        bot = self.phrase_bot(ordered, language)
        reply = bot.recognize_pcm(pcm)
        by_intent = {f"Phrase{index}": originals[phrase] for index, phrase in enumerate(ordered)}
        alternatives = tuple(by_intent[name] for name, _score in reply.alternatives if name in by_intent)
        if reply.intent not in by_intent or not reply.confidence:
            return Transcript(text="", confidence=0.0, alternatives=alternatives)
        best = by_intent[reply.intent]
        return Transcript(
            text=best,
            confidence=float(reply.confidence),
            alternatives=tuple(a for a in alternatives if a != best),
        )

    def phrase_bot(self, phrases: Sequence[str], language: str = "en-US") -> LexBot:
        """The built Lex bot that recognises ``phrases`` (created on first use)."""
        locale = language.replace("-", "_")
        digest = hashlib.sha256("\n".join([locale, *phrases]).encode("utf-8")).hexdigest()[:16]
        bot = LexBot(
            PHRASE_BOT_PREFIX + digest, locale=locale, settings=self.settings, confidence_threshold=0.4
        )
        try:
            bot.find()
        except NotFound:
            intents = [IntentSpec(name=f"Phrase{i}", utterances=[phrase]) for i, phrase in enumerate(phrases)]
            bot.create(intents)
            bot.build()
        return bot

    def delete_phrase_bots(self) -> int:
        """Delete every phrase bot this class created in the account; returns how many."""
        probe = LexBot("probe", settings=self.settings)
        deleted = 0
        for summary in probe.models.list_bots(
            filters=[{"name": "BotName", "values": [PHRASE_BOT_PREFIX], "operator": "CO"}]
        )["botSummaries"]:
            probe.bot_id = summary["botId"]
            probe.delete()
            deleted += 1
        return deleted
