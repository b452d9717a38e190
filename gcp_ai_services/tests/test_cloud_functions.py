"""Cloud Functions v2 with the plain FunctionServiceClient: upload, build, run through functions-framework."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
import requests
from google.api_core import exceptions as gx
from google.cloud import functions_v2

from .conftest import status_of

PARENT = "projects/learner-project/locations/us-central1"

SENTIMENT = """
import functions_framework
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

analyzer = SentimentIntensityAnalyzer()  # loaded once per instance, at cold start


@functions_framework.http
def analyze(request):
    text = request.get_json(silent=True)["text"]
    print(f"scoring {len(text)} characters")
    return {"score": analyzer.polarity_scores(text)["compound"], "path": request.path}
"""

ARCHIVER = """
import base64
import functions_framework
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage


@functions_framework.cloud_event
def archive(cloud_event):
    message = cloud_event.data["message"]
    text = base64.b64decode(message["data"]).decode()
    client = storage.Client(project="learner-project", credentials=AnonymousCredentials())
    blob = client.bucket("archive").blob(f"messages/{message['messageId']}.txt")
    blob.upload_from_string(f"{cloud_event['type']}|{cloud_event['source']}|{text}")
    print("archived", message["messageId"])
"""

INDEXER = """
import functions_framework
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage


@functions_framework.cloud_event
def index(cloud_event):
    data = cloud_event.data
    if data["name"].startswith("index/"):
        return
    client = storage.Client(project="learner-project", credentials=AnonymousCredentials())
    client.bucket(data["bucket"]).blob(f"index/{data['name']}").upload_from_string(cloud_event["subject"])
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _upload(client: Any, files: dict[str, str]) -> Any:
    """generate_upload_url, then PUT the zip there, as Google's deployment guide does."""
    target = client.generate_upload_url(request={"parent": PARENT})
    answer = requests.put(
        target.upload_url, data=_zip(files), headers={"content-type": "application/zip"}, timeout=30
    )
    answer.raise_for_status()
    return target.storage_source


def _function(client: Any, function_id: str, files: dict[str, str], entry_point: str, **extra: Any) -> Any:
    function = functions_v2.Function(
        build_config={
            "runtime": "python311",
            "entry_point": entry_point,
            "source": {"storage_source": _upload(client, files)},
        },
        service_config={"available_memory": "256M", "timeout_seconds": 30},
        **extra,
    )
    return client.create_function(parent=PARENT, function=function, function_id=function_id)


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return functions_v2.FunctionServiceClient(**endpoint)


def _wait_for(condition: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_an_http_function_runs_in_functions_framework_at_its_uri(client: Any, emulator: Any) -> None:
    function = _function(client, "sentiment", {"main.py": SENTIMENT}, "analyze").result(timeout=60)
    assert function.state == functions_v2.Function.State.ACTIVE
    assert function.service_config.uri.startswith("http://127.0.0.1:")
    assert client.get_function(name=function.name).service_config.available_memory == "256M"
    assert [f.name for f in client.list_functions(parent=PARENT)] == [function.name]
    cold = requests.post(f"{function.service_config.uri}/score", json={"text": "A great day!"}, timeout=60)
    assert cold.status_code == 200, cold.text
    assert cold.json()["score"] > 0.5 and cold.json()["path"] == "/score"
    warm = requests.post(function.service_config.uri, json={"text": "Awful, dreadful service."}, timeout=60)
    assert warm.json()["score"] < -0.5
    logs = emulator.state.serverless.log_path(function.name).read_text()
    assert "scoring 12 characters" in logs and "Init Duration" in logs
    client.delete_function(name=function.name).result(timeout=60)
    with pytest.raises(gx.NotFound) as gone:
        client.get_function(name=function.name)
    assert status_of(gone.value) == "NOT_FOUND" and function.name in gone.value.message
    assert requests.get(function.service_config.uri, timeout=10).status_code == 404


def test_a_crash_is_500_and_the_timeout_504(client: Any) -> None:
    code = """
import time

def boom(request):
    raise RuntimeError("kaput")

def slow(request):
    time.sleep(float(request.args["s"]))
    return "done"
"""
    boom = _function(client, "boom", {"main.py": code}, "boom").result(timeout=60)
    assert requests.get(boom.service_config.uri, timeout=60).status_code == 500
    function = functions_v2.Function(
        build_config={
            "runtime": "python311",
            "entry_point": "slow",
            "source": {"storage_source": _upload(client, {"main.py": code})},
        },
        service_config={"timeout_seconds": 2},
    )
    slow = client.create_function(parent=PARENT, function=function, function_id="slow").result(timeout=60)
    assert requests.get(slow.service_config.uri, params={"s": "0"}, timeout=60).text == "done"
    started = time.monotonic()
    assert requests.get(slow.service_config.uri, params={"s": "20"}, timeout=60).status_code == 504
    assert time.monotonic() - started < 10


def test_memory_over_available_memory_fails_the_request_and_says_so(client: Any, emulator: Any) -> None:
    code = "def hog(request):\n    block = bytearray(4096 * 1024 * 1024)\n    return str(len(block))\n"
    function = functions_v2.Function(
        build_config={
            "runtime": "python311",
            "entry_point": "hog",
            "source": {"storage_source": _upload(client, {"main.py": code})},
        },
        service_config={"available_memory": "128Mi"},
    )
    hog = client.create_function(parent=PARENT, function=function, function_id="hog").result(timeout=60)
    assert requests.get(hog.service_config.uri, timeout=60).status_code == 500
    assert "MemoryError" in emulator.state.serverless.log_path(hog.name).read_text()


def test_a_pubsub_triggered_function_writes_each_message_to_cloud_storage(
    client: Any, endpoint: dict[str, Any]
) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import pubsub_v1, storage

    gcs = storage.Client(project="learner-project", credentials=AnonymousCredentials())
    gcs.create_bucket("archive")
    publisher = pubsub_v1.PublisherClient(**endpoint)
    topic = publisher.create_topic(name=publisher.topic_path("learner-project", "uploads")).name
    trigger = {"event_type": "google.cloud.pubsub.topic.v1.messagePublished", "pubsub_topic": topic}
    function = _function(client, "archiver", {"main.py": ARCHIVER}, "archive", event_trigger=trigger)
    assert function.result(timeout=60).event_trigger.trigger.startswith(f"{PARENT}/triggers/archiver-")
    message_id = publisher.publish(topic, b"hello functions").result()
    blob = _wait_for(lambda: gcs.bucket("archive").get_blob(f"messages/{message_id}.txt"))
    kind, source, text = blob.download_as_text().split("|")
    assert (kind, text) == ("google.cloud.pubsub.topic.v1.messagePublished", "hello functions")
    assert source == f"//pubsub.googleapis.com/{topic}"


def test_a_storage_triggered_function_sees_each_finalized_object(client: Any) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    gcs = storage.Client(project="learner-project", credentials=AnonymousCredentials())
    bucket = gcs.create_bucket("inbox")
    trigger = {
        "event_type": "google.cloud.storage.object.v1.finalized",
        "event_filters": [{"attribute": "bucket", "value": "inbox"}],
    }
    _function(client, "indexer", {"main.py": INDEXER}, "index", event_trigger=trigger).result(timeout=60)
    bucket.blob("photos/cat.jpg").upload_from_string(b"meow")
    blob = _wait_for(lambda: bucket.get_blob("index/photos/cat.jpg"))
    assert blob.download_as_text() == "objects/photos/cat.jpg"


def test_a_failed_build_is_reported_as_google_reports_it(client: Any) -> None:
    missing = _function(client, "nomain", {"app.py": "def f(request): return 'x'"}, "f")
    with pytest.raises(gx.InvalidArgument) as no_main:
        missing.result(timeout=60)
    assert "Build failed" in str(no_main.value) and "main.py" in str(no_main.value)
    assert client.get_function(name=f"{PARENT}/functions/nomain").state == functions_v2.Function.State.FAILED
    wrong = _function(client, "wrong", {"main.py": "def other(request): return 'x'"}, "handler")
    with pytest.raises(gx.InvalidArgument) as no_entry:
        wrong.result(timeout=60)
    assert "'handler' is not defined" in str(no_entry.value)
    needs = {
        "main.py": "def f(request): return 'x'",
        "requirements.txt": "functions-framework==3.*\nno-such-dist>=1\n",
    }
    absent = _function(client, "needs", needs, "f")
    with pytest.raises(gx.InvalidArgument) as requirement:
        absent.result(timeout=60)
    assert "no-such-dist" in str(requirement.value) and "functions-framework" not in str(requirement.value)


def test_bad_requests_get_googles_codes(client: Any) -> None:
    _function(client, "twice", {"main.py": "def f(request): return 'x'"}, "f").result(timeout=60)
    with pytest.raises(gx.Conflict) as twice:
        _function(client, "twice", {"main.py": "def f(request): return 'x'"}, "f")
    assert status_of(twice.value) == "ALREADY_EXISTS"
    with pytest.raises(gx.BadRequest) as bad_id:
        _function(client, "Bad_Name", {"main.py": "def f(request): return 'x'"}, "f")
    assert status_of(bad_id.value) == "INVALID_ARGUMENT"
    target = client.generate_upload_url(request={"parent": PARENT})  # never PUT to
    function = functions_v2.Function(
        build_config={
            "runtime": "python311",
            "entry_point": "f",
            "source": {"storage_source": target.storage_source},
        }
    )
    with pytest.raises(gx.BadRequest) as not_uploaded:
        client.create_function(parent=PARENT, function=function, function_id="early")
    assert status_of(not_uploaded.value) == "FAILED_PRECONDITION"
    node = functions_v2.Function(
        build_config={
            "runtime": "nodejs20",
            "entry_point": "f",
            "source": {"storage_source": target.storage_source},
        }
    )
    with pytest.raises(gx.BadRequest) as runtime:
        client.create_function(parent=PARENT, function=node, function_id="node")
    assert "nodejs20" in runtime.value.message
    with pytest.raises(gx.NotFound) as missing:
        client.delete_function(name=f"{PARENT}/functions/absent")
    assert f"{PARENT}/functions/absent" in missing.value.message
    with pytest.raises(gx.BadRequest) as patch:
        client.update_function(
            function={"name": f"{PARENT}/functions/twice", "build_config": {"runtime": "nodejs20"}},
            update_mask={"paths": ["build_config.runtime"]},
        )
    assert status_of(patch.value) == "INVALID_ARGUMENT" and "nodejs20" in patch.value.message
