"""LocalCloud: start, reset and stop every available backend together and publish their env."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from multi_cloud.local_cloud.backend import Backend
from multi_cloud.local_cloud.registry import backend_targets, load_backend


class LocalCloud:
    """The local backends, in process. Use as a context manager or call ``start``/``stop``."""

    def __init__(self, names: Iterable[str] | None = None, *, preferred_ports: bool = True) -> None:
        targets = backend_targets()
        wanted = list(names) if names is not None else list(targets)
        unknown = [n for n in wanted if n not in targets]
        if unknown:
            raise ValueError(f"unknown local backend(s) {', '.join(unknown)}; known: {', '.join(targets)}")
        self.backends: list[Backend] = []
        self.skipped: dict[str, str] = {}
        for name in wanted:
            cls = load_backend(targets[name])
            reason = cls.available()
            if reason:
                self.skipped[name] = reason
            else:
                backend = cls()
                backend.use_preferred_port = preferred_ports
                self.backends.append(backend)
        self.running = False

    def start(self) -> LocalCloud:
        started: list[Backend] = []
        try:
            for backend in self.backends:
                backend.start()
                started.append(backend)
        except BaseException:
            for backend in reversed(started):
                backend.stop()
            raise
        self.running = True
        return self

    def stop(self) -> None:
        for backend in reversed(self.backends):
            backend.stop()
        self.running = False

    def reset(self) -> None:
        for backend in self.backends:
            backend.reset()

    def env(self) -> dict[str, str]:
        merged: dict[str, str] = {"CLOUDAI_MODE": "local"}
        for backend in self.backends:
            merged.update(backend.env())
        return merged

    def apply_env(self) -> dict[str, str | None]:
        """Export ``env()`` into ``os.environ``; returns the previous values for ``restore_env``."""
        previous = {key: os.environ.get(key) for key in self.env()}
        os.environ.update(self.env())
        return previous

    @staticmethod
    def restore_env(previous: dict[str, str | None]) -> None:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def describe(self) -> dict[str, Any]:
        return {
            "backends": {b.name: {"url": b.url, "healthy": b.healthy()} for b in self.backends},
            "skipped": dict(self.skipped),
            "env": self.env(),
        }

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
