"""The built-in tour, run as a user runs it, against a background local cloud it must leave clean."""

import os
import subprocess
import sys

import boto3
from multi_cloud.local_cloud import control

TOUR_PREFIX = "cloudai-tour-"


def test_tour_trains_predicts_and_cleans_up_on_every_cloud(state_dir, monkeypatch):
    status = control.up()
    try:
        env = {**os.environ, "CLOUDAI_STATE_DIR": str(state_dir)}
        for key in status.env:
            env.pop(key, None)  # the tour must find the background cloud by itself
        env.pop("CLOUDAI_TOUR_PROVIDERS", None)
        result = subprocess.run(
            [sys.executable, "-m", "multi_cloud.cli.main", "demo", "tour"],
            capture_output=True,
            text=True,
            timeout=600,
            env={**env, "COLUMNS": "120"},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Tour complete" in result.stdout
        table = result.stdout.split("predicted on each cloud", 1)[1]
        header = next(line for line in table.splitlines() if "sepal / petal" in line)
        assert [cell.strip() for cell in header.strip("┃ ").split("┃")][1:] == ["aws", "gcp", "azure"]
        rows = [line for line in table.splitlines() if line.startswith("│ 7.7 3.0 6.1 2.3")]
        assert len(rows) == 1 and rows[0].count("virginica") == 3  # every cloud's model got it right
        assert "Uploading" not in result.stdout and "Model deleted" not in result.stdout  # SDK chatter hidden

        for key, value in status.env.items():
            monkeypatch.setenv(key, value)
        assert _aws_leftovers(status.env) == []
        assert _gcp_leftovers(status.env) == []
        assert _azure_leftovers() == []
    finally:
        control.down()


def _aws_leftovers(env):
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
    leftovers = []
    for bucket in s3.list_buckets()["Buckets"]:
        leftovers += [o["Key"] for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])]
    sagemaker = session.client("sagemaker", endpoint_url=env["AWS_ENDPOINT_URL"])
    return leftovers + [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]]


def _gcp_leftovers(env):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import aiplatform_v1, storage

    endpoints = aiplatform_v1.EndpointServiceClient(
        transport="rest",
        client_options={"api_endpoint": env["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    parent = "projects/cloudai-local/locations/us-central1"
    buckets = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).list_buckets()
    return [e.display_name for e in endpoints.list_endpoints(parent=parent)] + [
        b.name for b in buckets if b.name.startswith(TOUR_PREFIX)
    ]


def _azure_leftovers():
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential
    from azure.storage.blob import BlobServiceClient

    blobs = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
    containers = [c.name for c in blobs.list_containers() if c.name.startswith(TOUR_PREFIX)]
    subscription = "00000000-0000-0000-0000-000000000000"
    ml = MLClient(DefaultAzureCredential(), subscription, "cloudai-rg", "cloudai-ws")
    return containers + [e.name for e in ml.online_endpoints.list()]
