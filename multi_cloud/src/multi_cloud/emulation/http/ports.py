"""Free loopback ports."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import TypeVar

LOOPBACK = "127.0.0.1"

Bound = TypeVar("Bound")


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None, host: str = LOOPBACK) -> int:
    """``preferred`` when it is free, otherwise any free port the OS hands out."""
    if preferred and port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def bind_or_any(bind: Callable[[int], Bound], port: int) -> Bound:
    """``bind(port)``; if another process took that port since it was found free, ``bind(0)`` instead.

    ``free_port`` checks and releases, so two local clouds starting at once can both pick a preferred
    port; the one that binds second gets any free port rather than failing to start.
    """
    try:
        return bind(port)
    except OSError as err:
        if port == 0 or err.errno != errno.EADDRINUSE:
            raise
        return bind(0)


def wait_for_port(port: int, host: str = LOOPBACK, timeout: float = 10.0) -> bool:
    """True once something accepts connections on ``host:port``."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.02)
    return False
