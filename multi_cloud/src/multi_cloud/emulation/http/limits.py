"""How much one client may ask of a local server: body and header sizes, timeouts, connections, threads.

The numbers are per server. A request over a size limit gets 413 (body) or 431 (headers) in the
provider's error shape; a connection that sends nothing for ``idle_timeout`` seconds, or whose headers are
not complete ``header_timeout`` seconds after its first byte, is closed (slowloris); at ``connections``
open connections the server stops accepting until some close (they wait in the listen backlog).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    #: largest request body accepted (Content-Length or de-chunked bytes); 413 beyond it
    max_body_bytes: int = 16 * MIB
    #: request line plus headers; 431 beyond it
    max_header_bytes: int = 64 * 1024
    #: a connection that sends and receives nothing for this long is closed (also idle keep-alives)
    idle_timeout: float = 20.0
    #: headers must be complete this long after a request's first byte (trickled headers included)
    header_timeout: float = 10.0
    #: a request's body must be complete this long after its headers
    body_timeout: float = 120.0
    #: open connections before the server stops accepting new ones
    connections: int = 100
    #: requests served at once (the rest queue)
    threads: int = 8
    #: how often stalled connections are looked for (seconds)
    sweep_interval: float = 2.0

    def but(self, **changes: Any) -> Limits:
        """A copy with ``changes`` (``DEFAULT_LIMITS.but(max_body_bytes=...)``)."""
        return replace(self, **changes)

    def waitress_options(self) -> dict[str, Any]:
        """The waitress ``Adjustments`` these limits translate to."""
        return {
            "max_request_body_size": self.max_body_bytes,
            "max_request_header_size": self.max_header_bytes,
            "channel_timeout": int(max(1, self.idle_timeout)),
            "cleanup_interval": int(max(1, self.sweep_interval)),
            "connection_limit": self.connections,
            "threads": self.threads,
            "expose_tracebacks": False,
            "ident": "cloudai-local",
        }


#: an emulator's default: AI payloads are small (Rekognition images ≤ 5 MB, InvokeEndpoint ≤ 6 MB) + headroom
DEFAULT_LIMITS = Limits()

#: moto: Lambda's 50 MB direct-upload .zip arrives base64-encoded in JSON (≈ 67 MB); S3 objects above this
#: go by multipart upload (boto3's upload_file switches to it above 8 MiB). Lambda invokes that call back
#: into moto hold a thread each, hence more threads.
MOTO_LIMITS = Limits(max_body_bytes=100 * MIB, connections=200, threads=16)
