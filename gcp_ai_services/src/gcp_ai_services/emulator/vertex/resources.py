"""What every Vertex resource shares: numeric ids, RFC 3339 times, ``@type`` names and done operations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import Operation, OperationStore, type_url

V1 = "google.cloud.aiplatform.v1."


def new_id() -> str:
    """A resource id as Vertex makes them: a large decimal number."""
    return str(10**18 + uuid.uuid4().int % (9 * 10**18))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def v1_type(message: str) -> str:
    """``type.googleapis.com/google.cloud.aiplatform.v1.<message>``."""
    return type_url(V1 + message)


def generic_metadata(message: str) -> dict[str, Any]:
    stamp = now()
    return {"@type": v1_type(message), "genericMetadata": {"createTime": stamp, "updateTime": stamp}}


def done_operation(
    store: OperationStore, parent: str, metadata: str, work: Callable[[], dict[str, Any] | None]
) -> dict[str, Any]:
    """Run ``work`` now and answer its operation already done (the SDK then needs no poll).

    ``work`` returns the response (with ``"@type"``) or None for Empty; a GoogleError becomes the
    operation's ``error``.
    """
    operation: Operation = store.create(parent, generic_metadata(metadata))
    try:
        response = work()
    except GoogleError as err:
        store.fail(operation.name, err)
    else:
        store.succeed(operation.name, response)
    return store.get(operation.name).to_json()


def required(body: dict[str, Any], member: str, what: str) -> Any:
    value = body.get(member)
    if value in (None, "", [], {}):
        raise GoogleError("INVALID_ARGUMENT", f"{what}.{member} is required.")
    return value


def percentages(split: Any, what: str) -> dict[str, int]:
    """A ``trafficSplit`` map as ``{deployed model id: int}``; INVALID_ARGUMENT for anything else."""
    if not isinstance(split, dict):
        raise GoogleError("INVALID_ARGUMENT", f"{what} must be a map of deployed model id to percentage.")
    try:
        return {str(key): int(value) for key, value in split.items()}
    except (TypeError, ValueError) as exc:
        raise GoogleError("INVALID_ARGUMENT", f"{what} values must be integer percentages: {exc}") from exc


def page(items: list[dict[str, Any]], key: str, args: Any) -> dict[str, Any]:
    """One page of a list answer (``pageSize``/``pageToken`` as offsets)."""
    try:
        start = int(args.get("pageToken") or 0)
        size = int(args.get("pageSize") or 0)
    except ValueError as exc:
        raise GoogleError("INVALID_ARGUMENT", f"Invalid pageSize or pageToken: {exc}") from exc
    end = start + size if size > 0 else len(items)
    body: dict[str, Any] = {key: items[start:end]}
    if end < len(items):
        body["nextPageToken"] = str(end)
    return body


def camel_keys(value: Any) -> Any:
    """A ``google.protobuf.Struct`` as the SDK fills it (``worker_pool_specs``) in the API's JSON names."""
    if isinstance(value, dict):
        return {_camel(str(k)): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
