"""The Read API's operations: OCR runs in the background, polled at ``read/analyzeResults/{id}``."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

#: results are kept for the last this many operations (the real service keeps them 48 hours)
KEPT = 200


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class ReadOperations:
    """Operation id -> ``{"status", "createdDateTime", "lastUpdatedDateTime", "analyzeResult"?}``."""

    def __init__(self) -> None:
        self._results: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def start(self, work: Callable[[], dict[str, Any]]) -> str:
        operation_id = str(uuid.uuid4())
        with self._lock:
            self._results[operation_id] = {
                "status": "notStarted",
                "createdDateTime": _now(),
                "lastUpdatedDateTime": _now(),
            }
            while len(self._results) > KEPT:
                self._results.pop(next(iter(self._results)))
        threading.Thread(target=self._run, args=(operation_id, work), daemon=True).start()
        return operation_id

    def _run(self, operation_id: str, work: Callable[[], dict[str, Any]]) -> None:
        self._update(operation_id, status="running")
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - the operation reports it as failed, as Read does
            self._update(
                operation_id, status="failed", error={"code": "InternalServerError", "message": str(exc)}
            )
        else:
            self._update(operation_id, status="succeeded", analyzeResult=result)

    def _update(self, operation_id: str, **fields: Any) -> None:
        with self._lock:
            record = self._results.get(operation_id)
            if record is not None:
                record.update(fields, lastUpdatedDateTime=_now())

    def get(self, operation_id: str) -> dict[str, Any]:
        with self._lock:
            record = self._results.get(operation_id)
            if record is None:
                raise AzureError(404, "NotFound", "Operation ID is invalid or has expired.")
            return dict(record)

    def reset(self) -> None:
        with self._lock:
            self._results.clear()
