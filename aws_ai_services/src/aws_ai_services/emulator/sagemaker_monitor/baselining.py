"""Model Monitor's baselining job (what ``DefaultModelMonitor.suggest_baseline`` starts as a processing job).

A processing job on the ``sagemaker-model-monitor-analyzer`` image with a ``dataset_format`` environment
variable reads the CSV data set of its input and writes ``statistics.json`` and ``constraints.json`` to its
output (:mod:`.baseline`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from aws_ai_services.emulator.moto_state import MotoS3, S3Missing
from aws_ai_services.emulator.sagemaker_monitor.baseline import constraints, feature_names, statistics

ANALYZER_IMAGE = "sagemaker-model-monitor-analyzer"


class BaselineFailure(Exception):
    """The data set cannot be baselined; the message is the job's ``FailureReason``."""


def is_baselining(app: Mapping[str, Any], environment: Mapping[str, str]) -> bool:
    return ANALYZER_IMAGE in str(app.get("ImageUri", "")) and "dataset_format" in environment


def run_baselining(
    account_id: str, environment: Mapping[str, str], inputs: list[dict[str, Any]], outputs: dict[str, Any]
) -> None:
    s3 = MotoS3(account_id)
    try:
        source = inputs[0]["S3Input"]["S3Uri"]
        destination = outputs["Outputs"][0]["S3Output"]["S3Uri"].rstrip("/")
        header = bool(json.loads(environment["dataset_format"]).get("csv", {}).get("header", False))
    except (KeyError, IndexError, ValueError) as exc:
        raise BaselineFailure(
            f"ClientError: the baselining job needs a CSV input and an output: {exc}"
        ) from exc
    try:
        keys = s3.list(source)
    except S3Missing as exc:
        raise BaselineFailure(f"ClientError: cannot read {source}: {exc}") from exc
    bucket = source.removeprefix("s3://").split("/", 1)[0]
    text = "".join(s3.get(f"s3://{bucket}/{key}").decode("utf-8-sig") for key in keys)
    rows = [row for row in csv.reader(io.StringIO(text)) if any(field.strip() for field in row)]
    names_row = rows.pop(0) if header and rows else None
    if not rows:
        raise BaselineFailure(f"ClientError: no CSV rows under {source}")
    names = feature_names(len(rows[0]), names_row)
    stats = statistics(rows, names)
    s3.put(f"{destination}/statistics.json", json.dumps(stats, indent=2).encode())
    s3.put(f"{destination}/constraints.json", json.dumps(constraints(stats), indent=2).encode())
