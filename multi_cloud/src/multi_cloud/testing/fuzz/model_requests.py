"""Requests generated from botocore's service models, then mutated: a member missing, of the wrong type,
unknown, a lone surrogate, a huge number; serialized for the wire by botocore's own serializers."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from multi_cloud.testing.fuzz.targets import FAKE_SCOPE
from multi_cloud.testing.fuzz.values import ShapeValues, wrong_type
from multi_cloud.testing.fuzz.wire import RawRequest, build

MUTATIONS = (
    "valid",
    "valid",
    "missing member",
    "wrong type",
    "unknown member",
    "lone surrogate",
    "huge number",
)

#: operations left out: they start work (training, endpoints, running code) rather than answer a request
SKIPPED_PREFIXES = {
    "sagemaker": (
        "CreateTrainingJob",
        "CreateHyperParameterTuning",
        "CreateTransformJob",
        "CreateProcessingJob",
        "CreateEndpoint",
        "UpdateEndpoint",
        "Start",
        "CreateMonitoringSchedule",
        "CreateAutoML",
        "CreateCompilationJob",
        "CreateLabelingJob",
        "CreateNotebookInstance",
        "CreatePipeline",
        "CreateOptimizationJob",
        "CreateInferenceRecommendationsJob",
        "CreateCluster",
    ),
    "lambda": ("Invoke",),
}


@dataclass(frozen=True)
class GeneratedRequest:
    service: str
    operation: str
    mutation: str
    protocol: str
    method: str
    raw: RawRequest


@lru_cache(maxsize=16)
def _model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def _protocol(model: Any) -> str:
    """The protocol botocore speaks to the service (the first it supports of those the model lists)."""
    try:
        return str(model.resolved_protocol)
    except AttributeError:  # botocore before multi-protocol models
        return str(model.metadata["protocol"])


def operations(service: str) -> list[str]:
    skipped = SKIPPED_PREFIXES.get(service, ())
    return [name for name in _model(service).operation_names if not name.startswith(skipped)]


def generate(
    service: str,
    *,
    count: int,
    seed: int,
    host_header: str,
    path_prefix: str = "",
    unimplemented: set[str] | None = None,
) -> Iterator[GeneratedRequest]:
    """``count`` requests for ``service`` (deterministic for a seed).

    Operations the caller adds to ``unimplemented`` while consuming (the server answered 501) are drawn
    no more, so the requests go where there is code to fuzz.
    """
    unimplemented = unimplemented if unimplemented is not None else set()
    from botocore.serialize import create_serializer

    model = _model(service)
    protocol = _protocol(model)
    serializer = create_serializer(protocol, include_validation=False)
    rng = random.Random(f"{service}:{seed}")  # noqa: S311 - reproducible, not secret
    values = ShapeValues(rng)
    names = operations(service)
    produced = 0
    while produced < count:
        candidates = [name for name in names if name not in unimplemented] or names
        operation = model.operation_model(rng.choice(candidates))
        params = values.structure(operation.input_shape, 0) if operation.input_shape else {}
        mutation = rng.choice(MUTATIONS)
        try:
            serialized = serializer.serialize_to_request(params, operation)
        except Exception:  # noqa: BLE001, S112 - a value the serializer refuses: draw another request
            continue
        body = _mutate(serialized.get("body") or b"", mutation, operation, rng)
        yield GeneratedRequest(
            service,
            operation.name,
            mutation,
            protocol,
            serialized["method"],
            RawRequest(_wire(serialized, body, model, host_header, path_prefix)),
        )
        produced += 1


def _mutate(body: bytes | str, mutation: str, operation: Any, rng: random.Random) -> bytes:
    raw = body.encode() if isinstance(body, str) else bytes(body)
    if mutation == "valid" or not raw.startswith(b"{"):
        return raw
    try:
        document = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(document, dict):
        return raw
    keys = list(document)
    required = (
        [k for k in operation.input_shape.required_members if k in document] if operation.input_shape else []
    )
    if mutation == "missing member" and required:
        document.pop(rng.choice(required))
    elif mutation == "wrong type" and keys:
        key = rng.choice(keys)
        document[key] = wrong_type(document[key], rng)
    elif mutation == "unknown member":
        document["NoSuchMember"] = {"x": 1}
    elif mutation == "lone surrogate" and keys:
        document[rng.choice(keys)] = "text \ud800 with a lone surrogate"
    elif mutation == "huge number" and keys:
        document[rng.choice(keys)] = 10**40
    return json.dumps(document).encode()


def _wire(serialized: dict[str, Any], body: bytes, model: Any, host_header: str, prefix: str) -> bytes:
    path = prefix.rstrip("/") + serialized["url_path"] if prefix else serialized["url_path"]
    query = serialized.get("query_string") or {}
    if query:
        path += ("&" if "?" in path else "?") + (
            query if isinstance(query, str) else urlencode(query, doseq=True)
        )
    signing = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
    headers = {str(k): str(v) for k, v in serialized.get("headers", {}).items()}
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "host")}
    headers["Host"] = host_header
    headers["Authorization"] = "AWS4-HMAC-SHA256 " + FAKE_SCOPE.format(service=signing)
    if body and not any(k.lower() == "content-type" for k in headers):
        json_version = model.metadata.get("jsonVersion", "1.1")
        protocol = _protocol(model)
        headers["Content-Type"] = {
            "json": f"application/x-amz-json-{json_version}",
            "rest-json": "application/json",
            "query": "application/x-www-form-urlencoded; charset=utf-8",
        }.get(protocol, "application/octet-stream")
    headers.pop("Transfer-Encoding", None)
    return build(serialized["method"], path, headers, body)
