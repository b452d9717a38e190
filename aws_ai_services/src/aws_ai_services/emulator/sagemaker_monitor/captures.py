"""An endpoint's captured requests in moto's S3, as rows of features for a monitoring execution."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from aws_ai_services.emulator.moto_state import MotoS3, S3Missing


def read_captures(s3: MotoS3, destination_uri: str, endpoint: str) -> Iterator[dict[str, Any]]:
    """Every captured record of ``endpoint`` (all variants), oldest file first."""
    prefix = destination_uri.rstrip("/") + f"/{endpoint}/"
    bucket = prefix.removeprefix("s3://").split("/", 1)[0]
    try:
        keys = s3.list(prefix)
    except S3Missing:
        return
    for key in keys:
        for line in s3.get(f"s3://{bucket}/{key}").decode().splitlines():
            if line.strip():
                yield json.loads(line)


def within(
    records: Iterable[Mapping[str, Any]], since: datetime | None, until: datetime
) -> list[Mapping[str, Any]]:
    """The records whose ``inferenceTime`` is in ``(since, until]``."""
    kept = []
    for record in records:
        moment = datetime.fromisoformat(record["eventMetadata"]["inferenceTime"].replace("Z", "+00:00"))
        if (since is None or moment > since) and moment <= until:
            kept.append(record)
    return kept


def captured_rows(records: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """The request rows of captured records (CSV lines, or JSON rows) as text fields."""
    rows: list[list[str]] = []
    for record in records:
        payload = record.get("captureData", {}).get("endpointInput")
        if not payload:
            continue
        data = str(payload.get("data", ""))
        raw = base64.b64decode(data) if payload.get("encoding") == "BASE64" else data.encode()
        body = raw.decode("utf-8", errors="replace")
        if payload.get("encoding") == "JSON":
            lines = body.splitlines() if "jsonlines" in str(payload.get("observedContentType")) else [body]
            rows += [row for line in lines if line.strip() for row in _json_rows(json.loads(line))]
        else:
            rows += [row for row in csv.reader(io.StringIO(body)) if any(f.strip() for f in row)]
    return rows


def _json_rows(value: Any) -> list[list[str]]:
    """``[1, 2]``, ``[[1, 2], [3, 4]]`` or ``{"instances"|"features": ...}`` as rows of text fields."""
    if isinstance(value, dict):
        value = value.get("instances", value.get("features", []))
    if not isinstance(value, list):
        value = [value]
    matrix = value if value and all(isinstance(v, list) for v in value) else [value]
    return [[str(v) for v in row] for row in matrix]
