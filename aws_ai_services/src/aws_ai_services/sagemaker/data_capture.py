"""Endpoint data capture: the ``DataCaptureConfig`` of an endpoint config and SageMaker's capture files.

With capture enabled, a sampled share of requests is written to S3 as JSON lines, one record per request,
under ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl``::

    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": "5.1,3.5,1.4,0.2", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT",
                                        "data": "0", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "...", "inferenceTime": "2026-01-31T12:00:00Z"}, "eventVersion": "0"}

Bodies whose content type is listed as CSV or JSON are stored as text; any other body is BASE64.
The endpoint writes them, server-side (locally the AWS AI emulator, through ``EndpointRuntime``); callers
configure capture at deploy time and read the files. SageMaker buffers records and writes a file every
few minutes; the emulator writes each captured request as its own file.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.uris import split_uri

from aws_ai_services.sagemaker.aws_validation import check_range
from aws_ai_services.storage.s3 import S3Storage


@dataclass(frozen=True)
class DataCaptureConfig:
    """What to capture, how much of it, and where (``DataCaptureConfig`` of ``CreateEndpointConfig``)."""

    destination_s3_uri: str
    sampling_percentage: int = 100
    capture_input: bool = True
    capture_output: bool = True
    csv_content_types: tuple[str, ...] = ("text/csv",)
    json_content_types: tuple[str, ...] = ("application/json", "application/jsonlines")
    enabled: bool = True

    def request(self) -> dict[str, Any]:
        split_uri(self.destination_s3_uri, scheme="s3")
        check_range("CreateEndpointConfig", self.sampling_percentage, "initialSamplingPercentage", 0, 100)
        modes = [m for m, on in (("Input", self.capture_input), ("Output", self.capture_output)) if on]
        if not modes:
            raise InvalidArgument("data capture needs capture_input or capture_output (or both)")
        return {
            "EnableCapture": self.enabled,
            "InitialSamplingPercentage": self.sampling_percentage,
            "DestinationS3Uri": self.destination_s3_uri,
            "CaptureOptions": [{"CaptureMode": mode} for mode in modes],
            "CaptureContentTypeHeader": {
                "CsvContentTypes": list(self.csv_content_types),
                "JsonContentTypes": list(self.json_content_types),
            },
        }

    @classmethod
    def from_request(cls, data: Mapping[str, Any] | None) -> DataCaptureConfig | None:
        """The config stored with an endpoint config (``DescribeEndpointConfig``), if capture is on."""
        if not data or not data.get("EnableCapture"):
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
    config: DataCaptureConfig,
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
    if config.capture_input:
        capture["endpointInput"] = _payload(config, "INPUT", input_body, input_type)
    if config.capture_output:
        capture["endpointOutput"] = _payload(config, "OUTPUT", output_body, output_type)
    return {
        "captureData": capture,
        "eventMetadata": {
            "eventId": event_id or str(uuid.uuid4()),
            "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        },
        "eventVersion": "0",
    }


def capture_uri(config: DataCaptureConfig, endpoint: str, variant: str, when: datetime) -> str:
    """Where SageMaker puts the capture file of a request at ``when`` (UTC)."""
    base = config.destination_s3_uri.rstrip("/")
    name = f"{when:%M-%S}-{when.microsecond // 1000:03d}-{uuid.uuid4().hex[:8]}.jsonl"
    return f"{base}/{endpoint}/{variant}/{when:%Y/%m/%d/%H}/{name}"


def write_capture(storage: S3Storage, uri: str, records: list[dict[str, Any]]) -> None:
    bucket, key = split_uri(uri, scheme="s3")
    body = "".join(json.dumps(record) + "\n" for record in records).encode()
    storage.put_object(bucket, key, body, content_type="application/jsonlines")


def read_captures(storage: S3Storage, destination_s3_uri: str, endpoint: str) -> Iterator[dict[str, Any]]:
    """Every captured record of ``endpoint`` (all variants), oldest file first."""
    bucket, prefix = split_uri(destination_s3_uri.rstrip("/") + f"/{endpoint}/", scheme="s3")
    for info in sorted(storage.list_objects(bucket, prefix), key=lambda o: o.key):
        for line in storage.get_object(bucket, info.key).decode().splitlines():
            if line.strip():
                yield json.loads(line)


def decoded_data(payload: Mapping[str, Any]) -> bytes:
    """The body of an ``endpointInput`` / ``endpointOutput`` entry, whatever its encoding."""
    data = str(payload.get("data", ""))
    return base64.b64decode(data) if payload.get("encoding") == "BASE64" else data.encode()


def _payload(config: DataCaptureConfig, mode: str, body: bytes, content_type: str) -> dict[str, str]:
    encoding = config.encoding(content_type)
    data = base64.b64encode(body).decode() if encoding == "BASE64" else body.decode("utf-8", errors="replace")
    return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}
