"""ServedBackend: a Backend around one server — start it, wait until it listens, announce it, stop it."""

from __future__ import annotations

from typing import Protocol

from multi_cloud.local_cloud.backend import Backend


class Server(Protocol):
    """What a backend's server offers: the port it bound, start (returns at once) and stop."""

    @property
    def port(self) -> int: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ServedBackend(Backend):
    """The lifecycle every emulator backend shares; subclasses build their server and call :meth:`serve`."""

    def __init__(self) -> None:
        super().__init__()
        self._server: Server | None = None

    def serve(self, server: Server, what: str) -> None:
        """Start ``server``, return once it accepts connections; register its URL for same-process code."""
        from multi_cloud.emulation.http import running
        from multi_cloud.emulation.http.ports import wait_for_port

        server.start()
        self._server = server
        self.port = server.port
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError(f"{what} did not start on port {self.port}")
        running.announce(self.name, self.url)

    def stop(self) -> None:
        from multi_cloud.emulation.http import running

        if self._server is not None:
            running.withdraw(self.name, self.url)
            self._server.stop()
            self._server = None
