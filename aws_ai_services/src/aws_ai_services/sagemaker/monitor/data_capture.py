"""Endpoint data capture: the ``DataCaptureConfig`` of an endpoint config and SageMaker's capture files.

With capture enabled, a sampled share of requests is written to S3 as JSON lines, one record per request,
under ``<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl``::

    {"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                       "data": "5.1,3.5,1.4,0.2", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT",
                                        "data": "0", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "...", "inferenceTime": "2026-01-31T12:00:00Z"}, "eventVersion": "0"}

Bodies whose content type is listed as CSV or JSON are stored as text; any other body is BASE64.
The endpoint writes them, server-side (locally the AWS AI emulator); callers configure capture at deploy
time (:class:`DataCaptureConfig`) and read the files (:func:`read_captures`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.uris import split_uri

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
        """The ``DataCaptureConfig`` member; SageMaker checks it (percentage 0-100, at least one mode)."""
        modes = [m for m, on in (("Input", self.capture_input), ("Output", self.capture_output)) if on]
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
