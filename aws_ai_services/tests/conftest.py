"""Shared helpers for the AWS tests: a plain boto3 client, tiny training scripts, an iris model artifact."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from multi_cloud.core.settings import get_settings

#: a training script with no heavy imports: fails, sleeps or writes a small model on request
TINY_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    if "--pid-file" in args:
        open(args["--pid-file"], "w").write(str(os.getpid()))
        time.sleep(60)
    if args.get("--fail") == "true":
        print("reading the data", flush=True)
        sys.exit("bad input: the data has no label column")
    files = sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))
    print(f"files={len(files)}")
    print(f"alpha={float(args.get('--alpha', 0))}")
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "weights.json"), "w") as out:
        json.dump({"files": files}, out)
    os.makedirs(os.environ["SM_OUTPUT_DATA_DIR"], exist_ok=True)
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt"), "w") as out:
        out.write("ok")
    """
)


@pytest.fixture
def provider(clean_cloud) -> AWSProvider:  # type: ignore[no-untyped-def]
    return AWSProvider()


@pytest.fixture
def boto_client(clean_cloud):  # type: ignore[no-untyped-def]
    """A plain boto3 client factory, independent of the code under test."""
    import boto3

    session = boto3.session.Session(region_name=get_settings().aws.region)
    return session.client


@pytest.fixture
def tiny_script(tmp_path: Path) -> Path:
    script = tmp_path / "code" / "tiny_train.py"
    script.parent.mkdir()
    script.write_text(TINY_SCRIPT)
    return script
