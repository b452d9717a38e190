"""Azure long-running operations: background work polled via ``Azure-AsyncOperation`` or ``Location``.

The request that starts one answers 201/202 (:func:`accepted_response`) with ``Azure-AsyncOperation`` (a
status resource ``{"id", "name", "status", "startTime", "endTime"?, "error"?}``, status ``InProgress`` then
``Succeeded``, ``Failed`` or ``Canceled``), ``Location`` (202 until done, then the final resource, or the
error with its status) and ``Retry-After``. Both URLs live under the scope the emulator names
(``{scope}/operationStatuses/{id}``, ``{scope}/operationResults/{id}``); :class:`AsyncOperationsService`
answers them.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.azure.errors import (
    AzureError,
    error_from_cloud_error,
    error_response,
    json_response,
)

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

log = logging.getLogger("multi_cloud.emulation")
TERMINAL = ("Succeeded", "Failed", "Canceled")
_POLL_PATH = re.compile(r"/(?P<kind>operationStatuses|operationResults)/(?P<id>[^/?]+)/?$")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class AsyncOperation:
    """One operation; ``resource`` is what ``Location`` answers once it succeeded."""

    id: str
    scope: str
    retry_after: int = 1
    status: str = "InProgress"
    resource: dict[str, Any] | None = None
    error: AzureError | None = None
    start_time: str = field(default_factory=_now)
    end_time: str = ""
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def status_path(self) -> str:
        return f"{self.scope}/operationStatuses/{self.id}"

    @property
    def result_path(self) -> str:
        return f"{self.scope}/operationResults/{self.id}"

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def status_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.status_path,
            "name": self.id,
            "status": self.status,
            "startTime": self.start_time,
        }
        if self.end_time:
            body["endTime"] = self.end_time
        if self.error is not None:
            body["error"] = self.error.error()
        return body


#: an operation's work: returns the final resource (None: no body), or raises AzureError / CloudError
Work = Callable[[AsyncOperation], "dict[str, Any] | None"]


class AsyncOperationStore:
    """Operations by id, thread-safe; the first outcome wins (a result after a cancel is dropped)."""

    def __init__(self, *, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        self._operations: dict[str, AsyncOperation] = {}
        self._lock = threading.Lock()

    def start(self, scope: str, work: Work, *, operation_id: str = "") -> AsyncOperation:
        """Run ``work(operation)`` in a daemon thread under ``scope`` (``/subscriptions/s/providers/P``)."""
        operation = AsyncOperation(
            id=operation_id or str(uuid.uuid4()), scope=scope.rstrip("/"), retry_after=self.retry_after
        )
        with self._lock:
            self._operations[operation.id] = operation
        threading.Thread(
            target=self._run, args=(operation, work), name=f"azure-op-{operation.id}", daemon=True
        ).start()
        return operation

    def __contains__(self, operation_id: object) -> bool:
        with self._lock:
            return operation_id in self._operations

    def get(self, operation_id: str) -> AsyncOperation:
        with self._lock:
            operation = self._operations.get(operation_id)
        if operation is None:
            raise AzureError(404, "ResourceNotFound", f"The operation '{operation_id}' was not found.")
        return operation

    def succeed(self, operation_id: str, resource: dict[str, Any] | None) -> AsyncOperation:
        return self._finish(operation_id, "Succeeded", resource=resource)

    def fail(self, operation_id: str, error: AzureError) -> AsyncOperation:
        return self._finish(operation_id, "Failed", error=error)

    def cancel(self, operation_id: str) -> AsyncOperation:
        """Ask the work to stop; the operation is ``Canceled`` at once unless it already ended."""
        operation = self.get(operation_id)
        operation.cancel_requested.set()
        error = AzureError(409, "OperationCanceled", f"The operation '{operation_id}' was canceled.")
        return self._finish(operation_id, "Canceled", error=error)

    def wait(self, operation_id: str, timeout: float) -> AsyncOperation:
        operation = self.get(operation_id)
        operation.finished.wait(timeout)
        return operation

    def _finish(self, operation_id: str, status: str, **outcome: Any) -> AsyncOperation:
        operation = self.get(operation_id)
        with self._lock:
            if not operation.done:
                operation.resource = outcome.get("resource")
                operation.error = outcome.get("error")
                operation.end_time = _now()
                operation.status = status
                operation.finished.set()
        return operation

    def _run(self, operation: AsyncOperation, work: Work) -> None:
        try:
            resource = work(operation)
        except AzureError as err:
            self.fail(operation.id, err)
        except CloudError as exc:
            self.fail(operation.id, error_from_cloud_error(exc))
        except Exception as exc:  # noqa: BLE001 - the operation reports it; the log has the traceback
            log.exception("operation %s failed", operation.id)
            self.fail(operation.id, AzureError(500, "InternalServerError", f"{type(exc).__name__}: {exc}"))
        else:
            self.succeed(operation.id, resource)


def polling_headers(operation: AsyncOperation, base_url: str, query: str = "") -> dict[str, str]:
    """``Azure-AsyncOperation``, ``Location`` and ``Retry-After``; ``base_url`` is scheme, host and mount."""
    suffix = f"?{query}" if query else ""
    base = base_url.rstrip("/")
    return {
        "Azure-AsyncOperation": f"{base}{operation.status_path}{suffix}",
        "Location": f"{base}{operation.result_path}{suffix}",
        "Retry-After": str(operation.retry_after),
    }


def accepted_response(
    operation: AsyncOperation,
    base_url: str,
    *,
    status: int = 202,
    body: dict[str, Any] | None = None,
    query: str = "",
) -> Response:
    """The answer to the request that started ``operation`` (201 with the resource for a PUT, else 202)."""
    return json_response(body, status, polling_headers(operation, base_url, query))


def status_response(operation: AsyncOperation) -> Response:
    """``Azure-AsyncOperation``: always 200 with the status resource (``Retry-After`` while in progress)."""
    headers = {} if operation.done else {"Retry-After": str(operation.retry_after)}
    return json_response(operation.status_body(), 200, headers)


def result_response(operation: AsyncOperation, location_url: str) -> Response:
    """``Location``: 202 until done; then 200 with the resource (204 without one), or the error."""
    if not operation.done:
        return json_response(None, 202, {"Location": location_url, "Retry-After": str(operation.retry_after)})
    if operation.error is not None:
        return error_response(operation.error)
    if operation.resource is None:
        return json_response(None, 204)
    return json_response(operation.resource, 200)


class AsyncOperationsService:
    """``GET .../operationStatuses/{id}`` and ``.../operationResults/{id}`` (an ``EmulatorApp`` service).

    Several services may each have a store: one claims a poll when its store has the id, or when it is the
    ``fallback`` (which answers 404 ResourceNotFound for an id nobody knows).
    """

    def __init__(self, store: AsyncOperationStore, *, fallback: bool = True) -> None:
        self.store = store
        self.fallback = fallback

    def claims(self, incoming: Incoming) -> bool:
        if incoming.request.method != "GET":
            return False
        match = _POLL_PATH.search(incoming.path)
        return match is not None and (self.fallback or match.group("id") in self.store)

    def handle(self, incoming: Incoming) -> Response:
        match = _POLL_PATH.search(incoming.path)
        assert match is not None
        try:
            operation = self.store.get(match.group("id"))
        except AzureError as err:
            return error_response(err)
        if match.group("kind") == "operationStatuses":
            return status_response(operation)
        return result_response(operation, incoming.request.url)
