"""The interface every local backend (moto, an emulator, Azurite) implements to join the local cloud."""

from __future__ import annotations

import abc
import urllib.request
from collections.abc import Mapping
from typing import ClassVar


class Backend(abc.ABC):
    """One loopback server. ``env()`` holds the variables the official SDKs read to find it."""

    name: str = ""
    preferred_port: int | None = None
    #: the pip extra or system package that provides it, for the error when it is missing
    install_hint: str = ""
    #: operations this backend answers "not implemented" ("capability.operation" -> reason), see limits.py
    limits: ClassVar[Mapping[str, str]] = {}

    def __init__(self) -> None:
        self.port: int = 0
        #: False in tests: any free port, so parallel test workers never race for the preferred one
        self.use_preferred_port = True

    def choose_port(self) -> int:
        """The preferred port (overridable as CLOUDAI_<NAME>_PORT) when free, else any free port."""
        import os

        from multi_cloud.emulation.http.ports import free_port

        override = os.environ.get(f"CLOUDAI_{self.name.upper().replace('-', '_')}_PORT")
        preferred = int(override) if override else self.preferred_port
        return free_port(preferred if self.use_preferred_port else None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @abc.abstractmethod
    def start(self) -> None:
        """Start serving on ``self.port`` (chosen free) and return once it accepts requests."""

    @abc.abstractmethod
    def stop(self) -> None: ...

    @abc.abstractmethod
    def env(self) -> dict[str, str]:
        """Environment variables that point the SDKs at this backend."""

    def reset(self) -> None:
        """Forget all state (between tests)."""

    def healthy(self, timeout: float = 2.0) -> bool:
        """True when the backend answers HTTP at all (any status)."""
        try:
            urllib.request.urlopen(self.url, timeout=timeout)  # noqa: S310 - loopback only
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    @classmethod
    def available(cls) -> str | None:
        """``None`` when it can run here, otherwise why not (with the install command)."""
        return None
