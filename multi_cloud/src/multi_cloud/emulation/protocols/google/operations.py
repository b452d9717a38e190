"""``google.longrunning`` for emulators: operations completed by a background callable, and their routes.

An operation is ``{parent}/operations/{id}`` (``projects/p/locations/l/operations/123``); ``metadata`` and a
done operation's ``response`` are ``Any`` messages, so each carries its ``"@type"`` (the SDKs refuse a
response without one); a failed operation has ``error``, a ``google.rpc.Status``. :class:`OperationsService`
answers ``GET {name}`` (also under ``/ui/``, where the Vertex SDK polls, and under any ``/v1``-style
version), ``GET {parent}/operations`` (list), ``POST {name}:cancel``, ``POST {name}:wait`` and ``DELETE``.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.google.errors import (
    GoogleError,
    error_from_cloud_error,
    error_response,
    json_response,
)

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

log = logging.getLogger("multi_cloud.emulation")
TYPE_PREFIX = "type.googleapis.com/"
EMPTY = TYPE_PREFIX + "google.protobuf.Empty"
_VERSION = r"(?:/ui)?(?:/v\d+(?:(?:alpha|beta)\d*)?)?"
_OPERATION = re.compile(
    rf"^{_VERSION}/(?P<name>projects/[^:]+?/operations/[^/:]+)(?P<verb>:cancel|:wait)?/?$"
)
_LISTING = re.compile(rf"^{_VERSION}/(?P<parent>projects/[^:]+?)/operations/?$")


def type_url(full_name: str) -> str:
    """``type.googleapis.com/<full_name>``: the ``"@type"`` of an Any message."""
    return full_name if full_name.startswith(TYPE_PREFIX) else TYPE_PREFIX + full_name


@dataclass
class Operation:
    """One ``google.longrunning.Operation``; ``cancel_requested`` is set when a client cancels it."""

    name: str
    metadata: dict[str, Any]
    done: bool = False
    response: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def id(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "metadata": self.metadata, "done": self.done}
        if self.response is not None:
            body["response"] = self.response
        if self.error is not None:
            body["error"] = self.error
        return body


#: the work of an operation: returns its ``response`` (with ``"@type"``), or None for google.protobuf.Empty
Work = Callable[[Operation], "dict[str, Any] | None"]


class OperationStore:
    """Operations by name, thread-safe; the first completion wins (a result after a cancel is dropped)."""

    def __init__(self) -> None:
        self._operations: dict[str, Operation] = {}
        self._lock = threading.Lock()

    def create(self, parent: str, metadata: dict[str, Any], *, operation_id: str = "") -> Operation:
        """A running operation ``{parent}/operations/{id}``; ``metadata`` needs its ``"@type"``."""
        _require_type("metadata", metadata)
        name = f"{parent.strip('/')}/operations/{operation_id or uuid.uuid4().int % 10**19}"
        operation = Operation(name=name, metadata=dict(metadata))
        with self._lock:
            self._operations[name] = operation
        return operation

    def start(
        self, parent: str, metadata: dict[str, Any], work: Work, *, operation_id: str = ""
    ) -> Operation:
        """Create an operation and run ``work(operation)`` in a daemon thread; its outcome completes it.

        A ``GoogleError`` or ``CloudError`` from ``work`` becomes the operation's error; any other exception
        is ``INTERNAL`` (and logged).
        """
        operation = self.create(parent, metadata, operation_id=operation_id)
        thread = threading.Thread(
            target=self._run, args=(operation, work), name=f"operation-{operation.id}", daemon=True
        )
        thread.start()
        return operation

    def succeed(self, name: str, response: dict[str, Any] | None = None) -> Operation:
        """Mark ``name`` done with ``response`` (an Any: ``"@type"`` required; None means Empty)."""
        response = {"@type": EMPTY} if response is None else response
        _require_type("response", response)
        return self._finish(name, response=dict(response))

    def fail(self, name: str, error: GoogleError) -> Operation:
        return self._finish(name, error=error.rpc_status())

    def get(self, name: str) -> Operation:
        with self._lock:
            operation = self._operations.get(name)
        if operation is None:
            raise GoogleError("NOT_FOUND", f"Operation {name} not found.")
        return operation

    def list(self, parent: str, *, page_size: int = 0, page_token: str = "") -> tuple[list[Operation], str]:
        """Operations under ``parent`` in creation order, one page; the token is the next page's offset."""
        prefix = parent.strip("/") + "/operations/"
        with self._lock:
            found = [op for name, op in self._operations.items() if name.startswith(prefix)]
        try:
            start = int(page_token or 0)
        except ValueError as exc:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid page token {page_token!r}.") from exc
        end = start + page_size if page_size > 0 else len(found)
        return found[start:end], (str(end) if end < len(found) else "")

    def cancel(self, name: str) -> Operation:
        """Request cancellation: a running operation ends at once with ``CANCELLED``; a done one stays."""
        operation = self.get(name)
        operation.cancel_requested.set()
        return self._finish(name, error=GoogleError("CANCELLED", "Operation was cancelled.").rpc_status())

    def clear(self) -> None:
        """Forget every operation (an emulator reset)."""
        with self._lock:
            self._operations.clear()

    def delete(self, name: str) -> None:
        self.get(name)
        with self._lock:
            self._operations.pop(name, None)

    def wait(self, name: str, timeout: float) -> Operation:
        """The operation once done, or as it is after ``timeout`` seconds."""
        operation = self.get(name)
        operation.finished.wait(timeout)
        return operation

    def _finish(self, name: str, **outcome: Any) -> Operation:
        operation = self.get(name)
        with self._lock:
            if not operation.done:
                operation.response = outcome.get("response")
                operation.error = outcome.get("error")
                operation.done = True
                operation.finished.set()
        return operation

    def _run(self, operation: Operation, work: Work) -> None:
        try:
            response = work(operation)
        except GoogleError as err:
            self.fail(operation.name, err)
        except CloudError as exc:
            self.fail(operation.name, error_from_cloud_error(exc))
        except Exception as exc:  # noqa: BLE001 - the operation reports it; the log has the traceback
            log.exception("operation %s failed", operation.name)
            self.fail(operation.name, GoogleError("INTERNAL", f"{type(exc).__name__}: {exc}"))
        else:
            self.succeed(operation.name, response)


class OperationsService:
    """The ``google.longrunning.Operations`` REST routes over a store (an ``EmulatorApp`` service)."""

    def __init__(self, store: OperationStore, *, max_wait_seconds: float = 60.0) -> None:
        self.store = store
        self.max_wait_seconds = max_wait_seconds

    def claims(self, incoming: Incoming) -> bool:
        path = unquote(incoming.path)
        return bool(_OPERATION.match(path) or _LISTING.match(path))

    def handle(self, incoming: Incoming) -> Response:
        try:
            return json_response(self._answer(incoming))
        except GoogleError as err:
            return error_response(err)

    def _answer(self, incoming: Incoming) -> dict[str, Any]:
        request, path = incoming.request, unquote(incoming.path)
        listing = _LISTING.match(path)
        if listing and request.method == "GET":
            size = _int_arg(request.args.get("pageSize", "0"), "pageSize")
            found, token = self.store.list(
                listing.group("parent"), page_size=size, page_token=request.args.get("pageToken", "")
            )
            body: dict[str, Any] = {"operations": [op.to_json() for op in found]}
            return {**body, "nextPageToken": token} if token else body
        match = _OPERATION.match(path)
        if match is None:
            raise GoogleError("UNIMPLEMENTED", f"{request.method} {path} is not an operations method.")
        name, verb = match.group("name"), match.group("verb") or ""
        if (request.method, verb) == ("GET", ""):
            return self.store.get(name).to_json()
        if (request.method, verb) == ("DELETE", ""):
            self.store.delete(name)
            return {}
        if (request.method, verb) == ("POST", ":cancel"):
            self.store.cancel(name)
            return {}
        if (request.method, verb) == ("POST", ":wait"):
            timeout = _duration(request.get_json(silent=True) or {}, self.max_wait_seconds)
            return self.store.wait(name, timeout).to_json()
        raise GoogleError("UNIMPLEMENTED", f"{request.method} {path}{verb} is not an operations method.")


def _require_type(what: str, message: dict[str, Any]) -> None:
    if not str(message.get("@type", "")).startswith(TYPE_PREFIX):
        raise ValueError(f"an operation's {what} is an Any message: give it '@type': type_url('<full name>')")


def _int_arg(text: str, member: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid value at '{member}' (TYPE_INT32), \"{text}\""
        ) from exc


def _duration(body: dict[str, Any], ceiling: float) -> float:
    """``{"timeout": "5s"}`` of WaitOperation, capped at ``ceiling`` seconds."""
    text = str(body.get("timeout", "") or "")
    try:
        seconds = float(text.rstrip("s")) if text else ceiling
    except ValueError as exc:
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid value at 'timeout' (google.protobuf.Duration), {text!r}"
        ) from exc
    return max(0.0, min(seconds, ceiling))
