"""Conversational Language Understanding through the plain clients: import, train, deploy, then intents."""

from __future__ import annotations

from typing import Any

import pytest

PROJECT = "Ordering"
UTTERANCES = {
    "OrderPizza": [
        "I want to order a pizza",
        "get me a large pepperoni pizza",
        "can I have two margherita pizzas delivered",
        "order a small veggie pizza please",
        "I'd like a pizza with extra cheese",
        "send a pepperoni pizza to my house",
    ],
    "TrackOrder": [
        "where is my order",
        "track my delivery",
        "how long until my food arrives",
        "has my order shipped yet",
        "what is the status of my delivery",
        "when will the driver get here",
    ],
    "None": [
        "what is the weather like today",
        "tell me a joke",
        "who won the football game",
        "play some music",
    ],
}


def project_json(name: str = PROJECT, threshold: float = 0.0) -> dict[str, Any]:
    """A CLU project file as Language Studio exports it: intents, utterances, a list entity."""
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {
            "projectKind": "Conversation",
            "projectName": name,
            "language": "en-us",
            "settings": {"confidenceThreshold": threshold},
        },
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": intent} for intent in UTTERANCES],
            "entities": [
                {
                    "category": "Size",
                    "list": {
                        "sublists": [
                            {
                                "listKey": "large",
                                "synonyms": [{"language": "en-us", "values": ["big", "huge"]}],
                            },
                            {"listKey": "small", "synonyms": [{"language": "en-us", "values": ["little"]}]},
                        ]
                    },
                },
                {
                    "category": "OrderId",
                    "regex": {"expressions": [{"regexKey": "id", "regexPattern": r"ORD-\d{4}"}]},
                },
            ],
            "utterances": [
                {"text": text, "intent": intent, "language": "en-us", "dataset": "Train"}
                for intent, texts in UTTERANCES.items()
                for text in texts
            ],
        },
    }


@pytest.fixture
def authoring(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.language.conversations.authoring import ConversationAuthoringClient

    return ConversationAuthoringClient(endpoint, key_credential)


@pytest.fixture
def runtime(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.language.conversations import ConversationAnalysisClient

    return ConversationAnalysisClient(endpoint, key_credential)


@pytest.fixture
def deployed(authoring: Any) -> str:
    """The project imported, trained as model v1 and deployed as 'production'."""
    authoring.begin_import_project(PROJECT, project_json(), polling_interval=0.05).result()
    trained = authoring.begin_train(
        PROJECT, {"modelLabel": "v1", "trainingMode": "standard"}, polling_interval=0.05
    ).result()
    assert trained["status"] == "succeeded"
    assert trained["result"]["trainingStatus"]["percentComplete"] == 100
    authoring.begin_deploy_project(
        PROJECT, "production", {"trainedModelLabel": "v1"}, polling_interval=0.05
    ).result()
    return "production"


def ask(runtime: Any, text: str, project: str = PROJECT, deployment: str = "production") -> dict[str, Any]:
    answer: dict[str, Any] = runtime.analyze_conversation(
        task={
            "kind": "Conversation",
            "analysisInput": {"conversationItem": {"id": "1", "participantId": "user", "text": text}},
            "parameters": {"projectName": project, "deploymentName": deployment},
        }
    )
    return answer


def test_the_project_and_deployment_exist(authoring: Any, deployed: str) -> None:
    project = authoring.get_project(PROJECT)
    assert project["projectKind"] == "Conversation" and project["language"] == "en-us"
    assert "lastTrainedDateTime" in project and "lastDeployedDateTime" in project
    assert [p["projectName"] for p in authoring.list_projects()] == [PROJECT]
    assert authoring.get_deployment(PROJECT, deployed)["modelId"] == "v1"


def test_intents_come_from_the_trained_classifier(runtime: Any, deployed: str) -> None:
    answer = ask(runtime, "I would like to order a big pizza")
    assert answer["kind"] == "ConversationResult"
    prediction = answer["result"]["prediction"]
    assert prediction["projectKind"] == "Conversation"
    assert prediction["topIntent"] == "OrderPizza"
    scores = [intent["confidenceScore"] for intent in prediction["intents"]]
    assert scores == sorted(scores, reverse=True) and abs(sum(scores) - 1) < 0.01
    assert {intent["category"] for intent in prediction["intents"]} == set(UTTERANCES)
    assert ask(runtime, "where is my delivery")["result"]["prediction"]["topIntent"] == "TrackOrder"
    assert ask(runtime, "tell me about the weather")["result"]["prediction"]["topIntent"] == "None"


def test_held_out_utterances_are_mostly_right(runtime: Any, deployed: str) -> None:
    held_out = {
        "please order me a pepperoni pizza": "OrderPizza",
        "a veggie pizza for delivery please": "OrderPizza",
        "status of my order": "TrackOrder",
        "is the driver close": "TrackOrder",
        "play a song": "None",
        "who won the game last night": "None",
    }
    right = sum(
        ask(runtime, text)["result"]["prediction"]["topIntent"] == want for text, want in held_out.items()
    )
    assert right >= 5, f"{right}/6 held-out utterances classified right"


def test_list_and_regex_entities(runtime: Any, deployed: str) -> None:
    text = "where is order ORD-1234, I asked for a huge pizza"
    entities = ask(runtime, text)["result"]["prediction"]["entities"]
    found = {(e["category"], e["text"], e["extraInformation"][0]["key"]) for e in entities}
    assert found == {("OrderId", "ORD-1234", "id"), ("Size", "huge", "large")}
    huge = next(e for e in entities if e["category"] == "Size")
    assert text[huge["offset"] : huge["offset"] + huge["length"]] == "huge"


def test_confidence_threshold_turns_weak_answers_into_none(authoring: Any, runtime: Any) -> None:
    authoring.begin_import_project(
        "Strict", project_json("Strict", threshold=0.99), polling_interval=0.05
    ).result()
    authoring.begin_train(
        "Strict", {"modelLabel": "m", "trainingMode": "standard"}, polling_interval=0.05
    ).result()
    authoring.begin_deploy_project(
        "Strict", "prod", {"trainedModelLabel": "m"}, polling_interval=0.05
    ).result()
    prediction = ask(runtime, "pizza delivery status", project="Strict", deployment="prod")["result"][
        "prediction"
    ]
    assert prediction["intents"][0]["confidenceScore"] < 0.99 and prediction["topIntent"] == "None"


def test_unknown_project_or_deployment_is_404(runtime: Any, deployed: str) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError) as raised:
        ask(runtime, "order a pizza", project="Nope")
    assert raised.value.status_code == 404 and raised.value.error.code == "ProjectNotFound"
    with pytest.raises(ResourceNotFoundError) as raised:
        ask(runtime, "order a pizza", deployment="staging")
    assert raised.value.error.code == "NotFound" and "staging" in raised.value.error.message


def test_bad_project_files_are_400(authoring: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    broken = project_json()
    broken["assets"]["utterances"].append({"text": "cancel it", "intent": "CancelOrder"})
    with pytest.raises(HttpResponseError) as raised:
        authoring.begin_import_project(PROJECT, broken)
    assert raised.value.status_code == 400 and "CancelOrder" in raised.value.error.message
    with pytest.raises(HttpResponseError) as raised:
        authoring.begin_import_project("Other", project_json())
    assert raised.value.status_code == 400 and "does not match" in raised.value.error.message


def test_training_one_intent_fails_the_job(authoring: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    single = project_json("Single")
    single["assets"]["utterances"] = [
        u for u in single["assets"]["utterances"] if u["intent"] == "OrderPizza"
    ]
    authoring.begin_import_project("Single", single, polling_interval=0.05).result()
    poller = authoring.begin_train(
        "Single", {"modelLabel": "m", "trainingMode": "standard"}, polling_interval=0.05
    )
    with pytest.raises(HttpResponseError) as raised:
        poller.result()
    job = raised.value.response.json()  # the failed job's status resource
    assert job["status"] == "failed" and "at least two intents" in job["errors"][0]["message"]


def test_deploying_an_untrained_model_is_404(authoring: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    authoring.begin_import_project(PROJECT, project_json(), polling_interval=0.05).result()
    with pytest.raises(ResourceNotFoundError) as raised:
        authoring.begin_deploy_project(PROJECT, "production", {"trainedModelLabel": "v9"})
    assert "v9" in raised.value.error.message


def test_delete_project(authoring: Any, deployed: str) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    authoring.begin_delete_deployment(PROJECT, deployed, polling_interval=0.05).result()
    assert list(authoring.list_deployments(PROJECT)) == []
    authoring.begin_delete_project(PROJECT, polling_interval=0.05).result()
    assert list(authoring.list_projects()) == []
    with pytest.raises(ResourceNotFoundError):
        authoring.get_project(PROJECT)


def test_bad_runtime_requests_are_400_or_501(runtime: Any, deployed: str) -> None:
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        ask(runtime, "   ")
    assert raised.value.status_code == 400 and raised.value.error.code == "InvalidRequest"
    with pytest.raises(HttpResponseError) as raised:
        runtime.analyze_conversation(task={"kind": "Orchestration", "analysisInput": {}, "parameters": {}})
    assert raised.value.status_code == 501 and "Orchestration" in raised.value.error.message
