"""Folders of the local Cloud Storage: download every object under a ``gs://`` prefix, upload a directory."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import storage_url

_GS_PREFIX = re.compile(r"^gs://(?P<bucket>[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9])(?:/(?P<prefix>.*))?$")


def split_uri(uri: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``gs://bucket/prefix``; INVALID_ARGUMENT for anything else."""
    match = _GS_PREFIX.match(uri.strip())
    if match is None:
        raise GoogleError(
            "INVALID_ARGUMENT", f"Invalid Cloud Storage URI {uri!r}: expected gs://bucket/path."
        )
    return match.group("bucket"), match.group("prefix") or ""


def list_objects(uri: str) -> list[str]:
    """Names of the objects under ``uri`` (a prefix), all pages."""
    bucket, prefix = split_uri(uri)
    names: list[str] = []
    token = ""
    while True:
        url = f"{storage_url()}/storage/v1/b/{bucket}/o?prefix={quote(prefix, safe='')}"
        url += f"&pageToken={quote(token)}" if token else ""
        page = json.loads(_call(urllib.request.Request(url), f"gs://{bucket}"))
        names += [str(item["name"]) for item in page.get("items", [])]
        token = str(page.get("nextPageToken", ""))
        if not token:
            return names


def download_prefix(uri: str, target: Path) -> list[Path]:
    """Every object under ``uri`` into ``target`` (relative to the prefix); NOT_FOUND when there is none."""
    bucket, prefix = split_uri(uri)
    names = [name for name in list_objects(uri) if not name.endswith("/")]
    if not names:
        raise GoogleError("NOT_FOUND", f"No Cloud Storage objects found under {uri}.")
    written = []
    base = prefix if prefix.endswith("/") or prefix in names else prefix.rsplit("/", 1)[0] + "/"
    for name in names:
        relative = name[len(base) :] if name.startswith(base) and name != base else name.rsplit("/", 1)[-1]
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"{storage_url()}/download/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
        path.write_bytes(_call(urllib.request.Request(url), f"gs://{bucket}/{name}"))
        written.append(path)
    return written


def upload_directory(source: Path, uri: str) -> list[str]:
    """Every file under ``source`` to ``uri`` (a folder); the ``gs://`` URIs written."""
    bucket, prefix = split_uri(uri)
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    written = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        written.append(upload_file(path, f"gs://{bucket}/{prefix}{path.relative_to(source).as_posix()}"))
    return written


def upload_file(path: Path, uri: str) -> str:
    """One local file as the object ``uri`` (``gs://bucket/name``); the URI written."""
    bucket, name = split_uri(uri)
    url = f"{storage_url()}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={quote(name, safe='')}"
    request = urllib.request.Request(url, data=path.read_bytes(), method="POST")
    request.add_header("Content-Type", "application/octet-stream")
    _call(request, f"gs://{bucket}/{name}")
    return f"gs://{bucket}/{name}"


def _call(request: urllib.request.Request, what: str) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback storage_url
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise GoogleError("NOT_FOUND", f"Cloud Storage has no {what}.") from exc
        raise GoogleError("FAILED_PRECONDITION", f"Cloud Storage refused {what}: HTTP {exc.code}") from exc
