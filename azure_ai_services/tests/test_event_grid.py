"""Event Grid over the wire: ARM topics and subscriptions, EventGridPublisherClient, filters, delivery."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

SUB, GROUP = "00000000-0000-0000-0000-000000000000", "rg-events"
API = {"api-version": "2022-06-15"}


class Webhook:
    """A loopback webhook that validates subscriptions as Microsoft's samples do, and records events."""

    def __init__(self, fail_times: int = 0, validate: bool = True) -> None:
        self.events: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_times = fail_times
        self.validate = validate
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_OPTIONS(self) -> None:  # noqa: N802 - CloudEvents abuse-protection handshake
                self.send_response(200 if hook.validate else 403)
                if hook.validate:
                    self.send_header("WebHook-Allowed-Origin", self.headers["WebHook-Request-Origin"])
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                events = body if isinstance(body, list) else [body]
                if events[0].get("eventType") == "Microsoft.EventGrid.SubscriptionValidationEvent":
                    answer = (
                        {"validationResponse": events[0]["data"]["validationCode"]} if hook.validate else {}
                    )
                    self._answer(200, answer)
                    return
                hook.headers.append(dict(self.headers))
                if hook.fail_times > 0:
                    hook.fail_times -= 1
                    self._answer(503, {"error": "busy"})
                    return
                hook.events.extend(events)
                self._answer(200, {})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"nothing after {seconds} s")


@pytest.fixture
def arm(azure_env: dict[str, str]) -> requests.Session:
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token("https://management.azure.com/.default").token
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


@pytest.fixture
def topics_url(azure_env: dict[str, str]) -> str:
    return (
        f"{azure_env['CLOUDAI_AZURE_ENDPOINT']}/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/"
        "Microsoft.EventGrid/topics"
    )


def make_topic(arm: requests.Session, topics_url: str, schema: str = "EventGridSchema") -> dict[str, Any]:
    name = f"tp-{uuid.uuid4().hex[:8]}"
    created = arm.put(
        f"{topics_url}/{name}",
        params=API,
        json={"location": "westeurope", "properties": {"inputSchema": schema}},
    )
    assert created.status_code == 201, created.text
    keys = arm.post(f"{topics_url}/{name}/listKeys", params=API).json()
    return {
        "name": name,
        "url": f"{topics_url}/{name}",
        "endpoint": created.json()["properties"]["endpoint"],
        "key": keys["key1"],
    }


def subscribe(
    arm: requests.Session, topic: dict[str, Any], name: str, destination: dict[str, Any], **properties: Any
) -> requests.Response:
    return arm.put(
        f"{topic['url']}/providers/Microsoft.EventGrid/eventSubscriptions/{name}",
        params=API,
        json={"properties": {"destination": destination, **properties}},
    )


def webhook(url: str) -> dict[str, Any]:
    return {"endpointType": "WebHook", "properties": {"endpointUrl": url}}


@pytest.fixture
def hook() -> Iterator[Webhook]:
    server = Webhook()
    yield server
    server.close()


def test_publish_filters_and_delivers_to_a_webhook(
    arm: requests.Session, topics_url: str, hook: Webhook
) -> None:
    from azure.core.credentials import AzureKeyCredential
    from azure.eventgrid import EventGridEvent, EventGridPublisherClient

    topic = make_topic(arm, topics_url)
    made = subscribe(
        arm,
        topic,
        "images-only",
        webhook(hook.url),
        filter={
            "subjectBeginsWith": "/images/",
            "subjectEndsWith": ".jpg",
            "includedEventTypes": ["Contoso.Upload"],
            "advancedFilters": [{"operatorType": "NumberGreaterThan", "key": "data.size", "value": 10}],
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["properties"]["provisioningState"] == "Succeeded"
    client = EventGridPublisherClient(topic["endpoint"], AzureKeyCredential(topic["key"]))
    client.send(
        [
            EventGridEvent(
                subject="/images/cat.jpg", event_type="Contoso.Upload", data={"size": 42}, data_version="1"
            ),
            EventGridEvent(
                subject="/images/cat.png", event_type="Contoso.Upload", data={"size": 42}, data_version="1"
            ),
            EventGridEvent(
                subject="/docs/cat.jpg", event_type="Contoso.Upload", data={"size": 42}, data_version="1"
            ),
            EventGridEvent(
                subject="/IMAGES/dog.JPG", event_type="contoso.upload", data={"size": 99}, data_version="1"
            ),
            EventGridEvent(
                subject="/images/tiny.jpg", event_type="Contoso.Upload", data={"size": 3}, data_version="1"
            ),
        ]
    )
    delivered = wait_for(lambda: len(hook.events) == 2 and hook.events)
    assert sorted(e["subject"] for e in delivered) == ["/IMAGES/dog.JPG", "/images/cat.jpg"]
    assert (
        delivered[0]["topic"].endswith(f"/topics/{topic['name']}") and delivered[0]["metadataVersion"] == "1"
    )
    assert hook.headers[0]["aeg-event-type"] == "Notification"
    assert hook.headers[0]["aeg-subscription-name"] == "IMAGES-ONLY"
    metrics = arm.get(
        f"{topic['url']}/providers/Microsoft.Insights/metrics",
        params={**API, "metricnames": "PublishSuccessCount,MatchedEventCount,UnmatchedEventCount"},
    ).json()
    totals = {m["name"]["value"]: m["timeseries"][0]["data"][0]["total"] for m in metrics["value"]}
    assert totals == {"PublishSuccessCount": 5, "MatchedEventCount": 2, "UnmatchedEventCount": 3}


def test_cloud_events_topic(arm: requests.Session, topics_url: str, hook: Webhook) -> None:
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import HttpResponseError
    from azure.core.messaging import CloudEvent
    from azure.eventgrid import EventGridEvent, EventGridPublisherClient

    topic = make_topic(arm, topics_url, "CloudEventSchemaV1_0")
    assert subscribe(arm, topic, "all", webhook(hook.url)).status_code == 201
    client = EventGridPublisherClient(topic["endpoint"], AzureKeyCredential(topic["key"]))
    client.send(CloudEvent(source="/contoso/uploads", type="Contoso.Upload", data={"file": "a.jpg"}))
    event = wait_for(lambda: hook.events and hook.events[0])
    assert (
        event["specversion"] == "1.0"
        and event["source"] == "/contoso/uploads"
        and event["data"]["file"] == "a.jpg"
    )
    assert hook.headers[0]["Content-Type"].startswith("application/cloudevents+json")
    with pytest.raises(HttpResponseError) as wrong:
        client.send(EventGridEvent(subject="s", event_type="t", data={}, data_version="1"))
    assert wrong.value.status_code == 400 and "CloudEvents 1.0 schema" in str(wrong.value)


def test_retries_are_recorded_and_dead_letters_land_in_azurite(
    arm: requests.Session, topics_url: str, blob_service: Any
) -> None:
    from azure.core.credentials import AzureKeyCredential
    from azure.eventgrid import EventGridEvent, EventGridPublisherClient

    flaky, dead = Webhook(fail_times=2), Webhook(fail_times=100)
    try:
        topic = make_topic(arm, topics_url)
        assert subscribe(arm, topic, "flaky", webhook(flaky.url)).status_code == 201
        container = f"deadletters{uuid.uuid4().hex[:6]}"
        assert (
            subscribe(
                arm,
                topic,
                "dead",
                webhook(dead.url),
                retryPolicy={"maxDeliveryAttempts": 2},
                deadLetterDestination={
                    "endpointType": "StorageBlob",
                    "properties": {"resourceId": "/local", "blobContainerName": container},
                },
            ).status_code
            == 201
        )
        client = EventGridPublisherClient(topic["endpoint"], AzureKeyCredential(topic["key"]))
        client.send(
            EventGridEvent(subject="order/1", event_type="Order.Created", data={"n": 1}, data_version="1")
        )
        wait_for(lambda: flaky.events)
        assert [h["aeg-delivery-count"] for h in flaky.headers] == ["0", "1", "2"]
        letters = wait_for(
            lambda: (
                list(blob_service.get_container_client(container).list_blobs())
                if blob_service.get_container_client(container).exists()
                else None
            )
        )
        record = json.loads(
            blob_service.get_blob_client(container, letters[0].name).download_blob().readall()
        )[0]
        assert record["deadLetterReason"] == "MaxDeliveryAttemptsExceeded" and record["deliveryAttempts"] == 2
        assert record["lastHttpStatusCode"] == 503 and letters[0].name.startswith(
            f"{topic['name'].upper()}/DEAD/"
        )
        metrics = arm.get(f"{topic['url']}/providers/Microsoft.Insights/metrics", params=API).json()
        totals = {m["name"]["value"]: m["timeseries"][0]["data"][0]["total"] for m in metrics["value"]}
        assert totals["DeliveryAttemptFailCount"] == 4 and totals["DeliverySuccessCount"] == 1
        assert totals["DeadLetteredCount"] == 1
    finally:
        flaky.close()
        dead.close()


def test_function_destination_runs_the_event_grid_trigger(
    arm: requests.Session, topics_url: str, function_app_zip: Any, blob_service: Any
) -> None:
    from azure.core.credentials import AzureKeyCredential
    from azure.eventgrid import EventGridEvent, EventGridPublisherClient

    sites = topics_url.replace("Microsoft.EventGrid/topics", "Microsoft.Web/sites")
    app = f"fa-{uuid.uuid4().hex[:8]}"
    site = arm.put(f"{sites}/{app}", params=API, json={"location": "westeurope"}).json()
    scm = site["properties"]["enabledHostNames"][1]
    assert arm.post(f"https://{scm}/api/zipdeploy", data=function_app_zip()).status_code == 200
    topic = make_topic(arm, topics_url)
    destination = {
        "endpointType": "AzureFunction",
        "properties": {"resourceId": f"{site['id']}/functions/on_event"},
    }
    assert subscribe(arm, topic, "to-function", destination).status_code == 201
    client = EventGridPublisherClient(topic["endpoint"], AzureKeyCredential(topic["key"]))
    subject = f"run-{uuid.uuid4().hex[:6]}"
    client.send(
        EventGridEvent(subject=subject, event_type="Model.Trained", data={"auc": 0.91}, data_version="1")
    )

    def record() -> Any:
        blob = blob_service.get_blob_client("events", f"{subject}.json")
        return blob.download_blob().readall() if blob.exists() else None

    written = json.loads(wait_for(record))
    assert written["type"] == "Model.Trained" and written["data"] == {"auc": 0.91}
    arm.delete(f"{sites}/{app}", params=API)


def test_errors_in_azure_shape(arm: requests.Session, topics_url: str, hook: Webhook) -> None:
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
    from azure.eventgrid import EventGridEvent, EventGridPublisherClient

    topic = make_topic(arm, topics_url)
    with pytest.raises(ClientAuthenticationError):
        EventGridPublisherClient(topic["endpoint"], AzureKeyCredential("wrong")).send(
            EventGridEvent(subject="s", event_type="t", data={}, data_version="1")
        )
    raw = requests.post(
        topic["endpoint"],
        params={"api-version": "2018-01-01"},
        headers={"aeg-sas-key": topic["key"]},
        json=[
            {"id": "1", "eventType": "t", "eventTime": "2026-01-01T00:00:00Z", "data": {}, "dataVersion": "1"}
        ],
        timeout=30,
    )
    assert raw.status_code == 400 and "'subject'" in raw.json()["error"]["message"]
    with pytest.raises(HttpResponseError):
        EventGridPublisherClient(topic["endpoint"], AzureKeyCredential(topic["key"])).send(
            {"specversion": "1.0", "id": "1", "source": "s", "type": "t"}  # a CloudEvent to an EG topic
        )
    remote = subscribe(arm, topic, "remote", webhook("https://example.com/hook"))
    assert remote.status_code == 400 and "loopback" in remote.json()["error"]["message"]
    refusing = Webhook(validate=False)
    try:
        failed = subscribe(arm, topic, "refusing", webhook(refusing.url))
        assert (
            failed.status_code == 400 and "validation handshake failed" in failed.json()["error"]["message"]
        )
    finally:
        refusing.close()
    bad_filter = subscribe(
        arm,
        topic,
        "bad",
        webhook(hook.url),
        filter={"advancedFilters": [{"operatorType": "Regex", "key": "data.x", "value": "."}]},
    )
    assert bad_filter.status_code == 400 and "Regex" in bad_filter.json()["error"]["message"]
    hub = subscribe(arm, topic, "hub", {"endpointType": "EventHub", "properties": {"resourceId": "/x"}})
    assert hub.status_code == 501 and hub.json()["error"]["code"] == "NotImplemented"
    assert arm.get(f"{topics_url}/missing-topic", params=API).json()["error"]["code"] == "ResourceNotFound"
    assert arm.delete(topic["url"], params=API).status_code == 200
    assert topic["name"] not in {t["name"] for t in arm.get(topics_url, params=API).json()["value"]}


def test_the_lesson_client_publishes_and_counts(azure_env: dict[str, str], hook: Webhook) -> None:
    from azure.eventgrid import EventGridEvent
    from azure_ai_services.serverless.event_grid import EventGridTopics

    grid = EventGridTopics(SUB, "rg-lesson")
    name = f"tp-{uuid.uuid4().hex[:8]}"
    grid.create(name)
    grid.subscribe_webhook(name, "hook", hook.url, filter={"subjectBeginsWith": "a/"})
    grid.publisher(name).send(
        [
            EventGridEvent(subject="a/1", event_type="T", data={}, data_version="1"),
            EventGridEvent(subject="b/1", event_type="T", data={}, data_version="1"),
        ]
    )
    wait_for(lambda: hook.events)
    metrics = wait_for(lambda: (m := grid.metrics(name))["DeliverySuccessCount"] == 1 and m)
    assert metrics["PublishSuccessCount"] == 2 and metrics["UnmatchedEventCount"] == 1
    grid.delete(name)
    assert name not in grid.names()
