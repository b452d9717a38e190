"""Cloud Storage object writes observed: the local GCS calls :func:`finalized`, observers (triggers) get it.

gcp-storage-emulator stores every finished write (simple, multipart, the last chunk of a resumable upload)
through ``Storage.create_file``; :func:`watch` wraps that method of the served ``Storage`` so each write
reaches the observers with the object's metadata. Observers run in the writing request's thread and must
return quickly. Both servers live in the local cloud's process, so this in-process list is where they meet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("multi_cloud.emulation")
#: an observer gets (bucket, object metadata as the JSON API answers it)
Observer = Callable[[str, dict[str, Any]], None]
_observers: list[Observer] = []
_lock = threading.Lock()


def observe(observer: Observer) -> None:
    with _lock:
        _observers.append(observer)


def forget(observer: Observer) -> None:
    with _lock:
        if observer in _observers:
            _observers.remove(observer)


def finalized(bucket: str, metadata: dict[str, Any]) -> None:
    with _lock:
        observers = list(_observers)
    for observer in observers:
        try:
            observer(bucket, dict(metadata))
        except Exception:  # noqa: BLE001 - an observer's failure must not fail the write
            log.exception("a Cloud Storage observer failed on gs://%s/%s", bucket, metadata.get("name"))


def watch(storage: Any) -> None:
    """Make gcp-storage-emulator's ``storage`` report each finished object write to the observers."""
    create_file = storage.create_file

    def create_and_report(
        bucket_name: str, file_name: str, content: bytes, file_obj: dict[str, Any], file_id: Any = None
    ) -> None:
        create_file(bucket_name, file_name, content, file_obj, file_id)
        finalized(bucket_name, file_obj)

    storage.create_file = create_and_report
