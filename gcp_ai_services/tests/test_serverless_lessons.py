"""The lesson wrappers PubSub and CloudFunctions against the local cloud: deploy, call, trigger, pull."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gcp_ai_services.serverless.cloud_functions import CloudFunctions
from gcp_ai_services.serverless.pubsub import PubSub
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.local_cloud.cloud import LocalCloud

SENTIMENT = """
import functions_framework
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

analyzer = SentimentIntensityAnalyzer()


@functions_framework.http
def score(request):
    return {"score": analyzer.polarity_scores(request.get_json()["text"])["compound"]}
"""

FORWARDER = """
import base64
import functions_framework
from google.auth.credentials import AnonymousCredentials
from google.cloud import pubsub_v1
import os


@functions_framework.cloud_event
def forward(cloud_event):
    text = base64.b64decode(cloud_event.data["message"]["data"])
    publisher = pubsub_v1.PublisherClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    publisher.publish(f"projects/{os.environ['GOOGLE_CLOUD_PROJECT']}/topics/results", text.upper()).result()
"""


def test_pubsub_round_trip_with_redelivery(clean_google: LocalCloud) -> None:
    pubsub = PubSub()
    pubsub.create_topic("jobs")
    pubsub.create_subscription("workers", "jobs")
    with pytest.raises(AlreadyExists):
        pubsub.create_topic("jobs")
    message_id = pubsub.publish("jobs", b"resize cat.jpg", ordering_key="cats", size="small")
    (first,) = pubsub.pull("workers")
    assert (first.message_id, first.data, first.attributes) == (
        message_id,
        b"resize cat.jpg",
        {"size": "small"},
    )
    assert first.ordering_key == "cats"
    pubsub.extend("workers", [first.ack_id], 0)  # give it back at once
    (again,) = pubsub.pull("workers")
    pubsub.acknowledge("workers", [again.ack_id])
    assert pubsub.list_topics() == [pubsub.topic_path("jobs")]
    with pytest.raises(NotFound):
        pubsub.publish("absent", b"x")
    with pytest.raises(InvalidArgument):
        pubsub.create_subscription("out", "jobs", push_endpoint="https://example.com/push")


def test_deploy_call_and_trigger(clean_google: LocalCloud, tmp_path: Path) -> None:
    functions, pubsub = CloudFunctions(), PubSub()
    (tmp_path / "sentiment").mkdir()
    (tmp_path / "sentiment" / "main.py").write_text(SENTIMENT)
    deployed = functions.deploy("sentiment", tmp_path / "sentiment", "score", memory="512M")
    assert deployed.state == "ACTIVE" and deployed.memory == "512M"
    assert functions.call("sentiment", {"text": "What a wonderful day"})["score"] > 0.5
    pubsub.create_topic("requests")
    pubsub.create_topic("results")
    pubsub.create_subscription("results-sub", "results")
    (tmp_path / "forwarder").mkdir()
    (tmp_path / "forwarder" / "main.py").write_text(FORWARDER)
    functions.deploy("forwarder", tmp_path / "forwarder", "forward", pubsub_topic="requests")
    assert [f.name.rsplit("/", 1)[-1] for f in functions.list()] == ["forwarder", "sentiment"]
    pubsub.publish("requests", b"shout this")
    deadline = time.monotonic() + 30
    received = []
    while not received and time.monotonic() < deadline:
        received = pubsub.pull("results-sub")
    assert [r.data for r in received] == [b"SHOUT THIS"]
    functions.delete("sentiment")
    with pytest.raises(NotFound):
        functions.get("sentiment")
    with pytest.raises(InvalidArgument):
        functions.deploy("empty", tmp_path, "f")  # no main.py
