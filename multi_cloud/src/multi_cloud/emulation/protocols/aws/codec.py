"""Requests in and responses out, driven by botocore's service model (the server side of its serializers).

A handler receives the operation's input as the same dict a boto3 caller passed (blobs as bytes,
timestamps as datetimes, URI/header/query members back in their places) and returns the output as the
same dict boto3 would hand back; this module puts it on the wire for the JSON and REST-JSON protocols.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from multi_cloud.emulation.protocols.aws.errors import AwsError

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parsedate_to_datetime(text)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return round(moment.timestamp(), 3)
    return float(value)


def from_wire(shape: Any, value: Any) -> Any:
    """A JSON value decoded per ``shape``: blobs base64-decoded, timestamps as datetimes."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False) or not isinstance(value, dict):
            return value
        decoded = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                decoded[name] = from_wire(member, value[wire])
        return decoded
    if kind == "list":
        return [from_wire(shape.member, item) for item in value] if isinstance(value, list) else value
    if kind == "map":
        return {k: from_wire(shape.value, v) for k, v in value.items()} if isinstance(value, dict) else value
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError) as exc:
            raise AwsError("SerializationException", f"blob is not valid base64: {exc}") from exc
    if kind == "timestamp":
        return _timestamp(value)
    return value


def to_wire(shape: Any, value: Any) -> Any:
    """The JSON value for ``value`` per ``shape``: bytes base64-encoded, datetimes as epoch seconds."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return value
        encoded = {}
        for name, member in shape.members.items():
            if value.get(name) is not None:
                encoded[member.serialization.get("name", name)] = to_wire(member, value[name])
        return encoded
    if kind == "list":
        return [to_wire(shape.member, item) for item in value]
    if kind == "map":
        return {k: to_wire(shape.value, v) for k, v in value.items()}
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    if kind == "timestamp":
        return _epoch(value)
    return value


def _json_body(request: Request) -> Any:
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        return json.loads(data)
    except ValueError as exc:
        raise AwsError("SerializationException", f"the request body is not valid JSON: {exc}") from exc


def _scalar(shape: Any, text: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError as exc:
        raise AwsError("ValidationException", f"{text!r} is not a number") from exc
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return _timestamp(float(text) if text.replace(".", "", 1).isdigit() else text)
    if shape.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(text))
    return text


# ----------------------------------------------------------------------------- requests
def parse_json_request(operation: Any, request: Request) -> dict[str, Any]:
    """The input of a JSON 1.0/1.1 protocol request (``X-Amz-Target`` + JSON body)."""
    body = _json_body(request)
    if not isinstance(body, dict):
        raise AwsError("SerializationException", "the request body must be a JSON object")
    return from_wire(operation.input_shape, body) if operation.input_shape is not None else {}


def parse_rest_request(operation: Any, request: Request, uri_params: dict[str, str]) -> dict[str, Any]:
    """The input of a REST-JSON request: URI labels, query string, headers, payload and JSON body."""
    shape = operation.input_shape
    if shape is None:
        return {}
    payload = shape.serialization.get("payload")
    params: dict[str, Any] = {}
    body_members: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            if wire in uri_params:
                params[name] = _scalar(member, unquote(uri_params[wire]))
        elif location == "querystring":
            _query_member(params, name, member, wire, request)
        elif location == "header":
            if wire in request.headers:
                params[name] = _scalar(member, request.headers[wire])
        elif location == "headers":
            prefix = wire.lower()
            found = {k[len(prefix) :]: v for k, v in request.headers.items() if k.lower().startswith(prefix)}
            if found:
                params[name] = found
        elif name == payload:
            params[name] = _payload(member, request)
        else:
            body_members[name] = member
    if body_members and payload is None:
        body = _json_body(request)
        for name, member in body_members.items():
            wire = member.serialization.get("name", name)
            if isinstance(body, dict) and wire in body:
                params[name] = from_wire(member, body[wire])
    return params


def _query_member(params: dict[str, Any], name: str, member: Any, wire: str, request: Request) -> None:
    if member.type_name == "map":
        params[name] = dict(request.args.items())
    elif member.type_name == "list":
        values = request.args.getlist(wire)
        if values:
            params[name] = [_scalar(member.member, value) for value in values]
    elif wire in request.args:
        params[name] = _scalar(member, request.args[wire])


def _payload(member: Any, request: Request) -> Any:
    data = request.get_data(cache=True)
    if member.type_name == "blob":
        return data
    if member.type_name == "string":
        return data.decode("utf-8")
    return from_wire(member, json.loads(data)) if data.strip() else {}


# ----------------------------------------------------------------------------- responses
def json_response(operation: Any, output: dict[str, Any], request_id: str) -> Response:
    from werkzeug.wrappers import Response

    body = to_wire(operation.output_shape, output) if operation.output_shape is not None else {}
    headers = {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": request_id}
    return Response(json.dumps(body), status=200, headers=headers)


def rest_response(operation: Any, output: dict[str, Any], request_id: str) -> Response:
    """Header members as headers, the payload member (or the other members as JSON) as the body."""
    from werkzeug.wrappers import Response

    status = int(operation.http.get("responseCode", 200))
    headers: dict[str, str] = {"x-amzn-RequestId": request_id}
    shape = operation.output_shape
    body: bytes = b""
    if shape is not None:
        payload = shape.serialization.get("payload")
        json_members: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = output.get(name)
            if value is None:
                continue
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "header":
                headers[wire] = _header_text(member, value)
            elif location == "headers":
                headers.update({f"{wire}{key}": str(item) for key, item in value.items()})
            elif location == "statusCode":
                status = int(value)
            elif name == payload:
                body = _payload_bytes(member, value)
            else:
                json_members[name] = value
        if json_members:
            body = json.dumps(to_wire(shape, json_members)).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
    return Response(body, status=status, headers=headers)


def _header_text(member: Any, value: Any) -> str:
    if member.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")
    if member.type_name == "boolean":
        return "true" if value else "false"
    if member.type_name == "timestamp":
        return format_datetime(_timestamp(value).astimezone(timezone.utc), usegmt=True)
    return str(value)


def _payload_bytes(member: Any, value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(to_wire(member, value)).encode("utf-8")
