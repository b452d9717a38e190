"""Objects named by ``gs://`` URIs, read from the local cloud's Cloud Storage (gcp-storage-emulator).

The Google APIs read inputs from Cloud Storage themselves (Vision's ``gcsImageUri``, Speech's
``audio.uri``, Natural Language's ``gcsContentUri``), so the emulator does too: from
``CLOUDAI_GCP_STORAGE_URL``, else ``STORAGE_EMULATOR_HOST`` when it is on loopback, else the ``gcs``
backend serving in this process. A missing object is ``NOT_FOUND`` naming it; no local Cloud Storage at all
is ``FAILED_PRECONDITION`` naming the fix (never ``UNAVAILABLE``, which the clients retry for minutes).
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

from multi_cloud.emulation.protocols.google.errors import GoogleError

STORAGE_URL_VARIABLE = "CLOUDAI_GCP_STORAGE_URL"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_GS_URI = re.compile(r"^gs://(?P<bucket>[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9])/(?P<name>.+)$")


def storage_url() -> str:
    """Where the local Cloud Storage answers; FAILED_PRECONDITION when none is found."""
    from multi_cloud.emulation.http.running import url_of

    explicit = os.environ.get(STORAGE_URL_VARIABLE, "")
    exported = os.environ.get("STORAGE_EMULATOR_HOST", "")
    if not explicit and urlsplit(exported).hostname in LOOPBACK:
        explicit = exported
    found = explicit or url_of("gcs")
    if not found:
        raise GoogleError(
            "FAILED_PRECONDITION",
            "gs:// inputs are read from the local cloud's Cloud Storage, which is not running: start the "
            f"whole local cloud (`cloudai local up`) or set {STORAGE_URL_VARIABLE}=http://127.0.0.1:PORT",
        )
    return found.rstrip("/")


def read_object(uri: str, max_bytes: int) -> bytes:
    """The bytes of ``gs://bucket/name``: INVALID_ARGUMENT for a bad URI or an object over ``max_bytes``."""
    match = _GS_URI.match(uri)
    if match is None:
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid Cloud Storage URI {uri!r}: expected gs://bucket/object."
        )
    bucket, name = match.group("bucket"), match.group("name")
    url = f"{storage_url()}/download/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback, checked above
            length = int(response.headers.get("Content-Length") or 0)
            if length > max_bytes:
                raise GoogleError(
                    "INVALID_ARGUMENT", f"{uri} is {length:,} bytes, over the limit of {max_bytes:,} bytes."
                )
            return bytes(response.read(max_bytes + 1))[: max_bytes + 1]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise GoogleError("NOT_FOUND", f"No such object: {uri}") from exc
        raise GoogleError(
            "FAILED_PRECONDITION", f"Cloud Storage could not serve {uri}: HTTP {exc.code}"
        ) from exc
