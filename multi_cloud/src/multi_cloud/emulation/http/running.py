"""Which local servers run in this process: each backend records its URL here while it serves.

Code in the same process that needs a sibling (moto's Lambda handlers call back into moto) reads it
here instead of patching the server class.
"""

from __future__ import annotations

import threading

_urls: dict[str, list[str]] = {}
_lock = threading.Lock()


def announce(name: str, url: str) -> None:
    """``name`` (e.g. ``"moto"``) now serves at ``url``."""
    with _lock:
        _urls.setdefault(name, []).append(url)


def withdraw(name: str, url: str) -> None:
    with _lock:
        urls = _urls.get(name, [])
        if url in urls:
            urls.remove(url)


def url_of(name: str) -> str:
    """The newest URL ``name`` serves at in this process, or ""."""
    with _lock:
        urls = _urls.get(name, [])
        return urls[-1] if urls else ""
