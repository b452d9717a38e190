"""Is a ``Host`` or ``Origin`` value this machine? Loopback addresses, ``localhost`` and ``*.localhost``."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_name(name: str) -> bool:
    """``localhost``, ``x.localhost`` (RFC 6761: always this machine), 127.0.0.0/8 or ``::1``."""
    name = name.strip().rstrip(".").lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header value, without the port (``[::1]:5000`` -> ``::1``)."""
    value = host_header.strip()
    if value.startswith("["):
        closing = value.find("]")
        if closing < 0:
            return value  # malformed: never loopback
        rest = value[closing + 1 :]
        return value[1:closing] if (not rest or _is_port_suffix(rest)) else value
    name, colon, port = value.rpartition(":")
    if colon and _is_port_suffix(colon + port):
        return name
    return value


def is_loopback_host(host_header: str) -> bool:
    """True when a ``Host`` header names this machine (DNS rebinding sends the attacker's name)."""
    name = host_name(host_header)
    return bool(name) and is_loopback_name(name)


def is_loopback_origin(origin: str) -> bool:
    """True for ``http(s)://<loopback>[:port]``; ``null`` (sandboxed frames, file pages) is not loopback."""
    try:
        parts = urlsplit(origin.strip())
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and port_ok
        and parts.hostname is not None
        and is_loopback_name(parts.hostname)
    )


def _is_port_suffix(text: str) -> bool:
    return text.startswith(":") and text[1:].isdigit() and len(text) <= 6
