"""What an endpoint captures (``DataCaptureConfig``) and SageMaker's capture files, written server-side.

A sampled share of requests goes to S3 as JSON lines, one record per request, under
``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl``. Bodies whose content
type is listed as CSV or JSON are stored as text, any other as BASE64. SageMaker buffers records and writes
a file every few minutes; the local cloud writes each captured request as its own file.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CaptureSettings:
    """An endpoint config's ``DataCaptureConfig`` as the endpoint applies it."""

    destination_s3_uri: str
    sampling_percentage: int = 100
    capture_input: bool = True
    capture_output: bool = True
    csv_content_types: tuple[str, ...] = ("text/csv",)
    json_content_types: tuple[str, ...] = ("application/json", "application/jsonlines")

    @classmethod
    def from_request(cls, data: Mapping[str, Any] | None) -> CaptureSettings | None:
        """From ``DescribeEndpointConfig``'s ``DataCaptureConfig``; None when capture is off."""
        if not data or not data.get("EnableCapture") or not data.get("DestinationS3Uri"):
            return None
        modes = {option.get("CaptureMode") for option in data.get("CaptureOptions", [])}
        header = data.get("CaptureContentTypeHeader") or {}
        return cls(
            destination_s3_uri=data["DestinationS3Uri"],
            sampling_percentage=int(data.get("InitialSamplingPercentage", 100)),
            capture_input="Input" in modes,
            capture_output="Output" in modes,
            csv_content_types=tuple(header.get("CsvContentTypes") or cls.csv_content_types),
            json_content_types=tuple(header.get("JsonContentTypes") or cls.json_content_types),
        )

    def sampled(self, rng: random.Random) -> bool:
        return rng.random() * 100 < self.sampling_percentage

    def encoding(self, content_type: str) -> str:
        base = content_type.split(";", 1)[0].strip().lower()
        if base in self.csv_content_types:
            return "CSV"
        if base in self.json_content_types:
            return "JSON"
        return "BASE64"


def capture_record(
    settings: CaptureSettings,
    *,
    input_body: bytes,
    input_type: str,
    output_body: bytes,
    output_type: str,
    when: datetime,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One request in SageMaker's capture format."""
    capture: dict[str, Any] = {}
    if settings.capture_input:
        capture["endpointInput"] = _payload(settings, "INPUT", input_body, input_type)
    if settings.capture_output:
        capture["endpointOutput"] = _payload(settings, "OUTPUT", output_body, output_type)
    return {
        "captureData": capture,
        "eventMetadata": {
            "eventId": event_id or str(uuid.uuid4()),
            "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        },
        "eventVersion": "0",
    }


def capture_uri(settings: CaptureSettings, endpoint: str, variant: str, when: datetime) -> str:
    """Where SageMaker puts the capture file of a request at ``when`` (UTC)."""
    base = settings.destination_s3_uri.rstrip("/")
    name = f"{when:%M-%S}-{when.microsecond // 1000:03d}-{uuid.uuid4().hex[:8]}.jsonl"
    return f"{base}/{endpoint}/{variant}/{when:%Y/%m/%d/%H}/{name}"


def capture_file(records: list[dict[str, Any]]) -> bytes:
    """The JSON Lines body of a capture file."""
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _payload(settings: CaptureSettings, mode: str, body: bytes, content_type: str) -> dict[str, str]:
    encoding = settings.encoding(content_type)
    data = base64.b64encode(body).decode() if encoding == "BASE64" else body.decode("utf-8", errors="replace")
    return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}
