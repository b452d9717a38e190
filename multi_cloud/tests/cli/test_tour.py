"""The built-in tour, run as a user runs it, against a background local cloud it must leave clean."""

import os
import subprocess
import sys

import boto3
from multi_cloud.local_cloud import control


def test_tour_trains_predicts_and_cleans_up(state_dir):
    status = control.up()
    try:
        env = {**os.environ, "CLOUDAI_STATE_DIR": str(state_dir)}
        for key in ("AWS_ENDPOINT_URL",):
            env.pop(key, None)  # the tour must find the background cloud by itself
        result = subprocess.run(
            [sys.executable, "-m", "multi_cloud.cli.main", "demo", "tour"],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Tour complete" in result.stdout
        for species in ("setosa", "versicolor", "virginica"):
            assert species in result.stdout
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        s3 = session.client("s3", endpoint_url=status.env["AWS_ENDPOINT_URL"])
        leftovers = []
        for bucket in s3.list_buckets()["Buckets"]:
            leftovers += [o["Key"] for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])]
        assert leftovers == []
        sagemaker = session.client("sagemaker", endpoint_url=status.env["AWS_ENDPOINT_URL"])
        assert sagemaker.list_endpoints()["Endpoints"] == []
    finally:
        control.down()
