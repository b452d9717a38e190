"""A revision's source: the uploaded archive it names, unpacked, and the command that serves it on ``$PORT``.

The local cloud cannot pull or run container images. A revision runs from source instead, as ``gcloud run
deploy --source`` does (which uploads the folder to Cloud Storage and builds it with Google's buildpacks):
``containers[0].sourceCode.cloudStorageSource`` (Cloud Run's source-deploy field) or an ``image`` of the form
``gs://bucket/object`` names a ``.zip`` or ``.tar.gz`` in the local Cloud Storage. Any other ``image`` is
FAILED_PRECONDITION naming it. The command follows the buildpacks' rules: ``containers[0].command``/``args``;
else a ``Procfile``'s ``web:`` line; else the ``GOOGLE_ENTRYPOINT`` variable; else ``main.py`` or ``app.py``
defining ``app`` (WSGI or ASGI), served by :mod:`.serve_app`.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from multi_cloud.core.archives import UnsafeArchive, safe_extractall
from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.onprem.function_source import missing_requirements

MAX_SOURCE_BYTES = 200 * 1024 * 1024
_GS = re.compile(r"^gs://(?P<bucket>[^/]+)/(?P<object>.+)$")


def source_uri(container: dict[str, Any]) -> str:
    """``gs://bucket/object`` of the container's source; FAILED_PRECONDITION for an image it cannot run."""
    storage = (container.get("sourceCode") or {}).get("cloudStorageSource") or {}
    if storage:
        if not storage.get("bucket") or not storage.get("object"):
            raise GoogleError(
                "INVALID_ARGUMENT",
                "source_code.cloud_storage_source needs both bucket and object (the uploaded .zip/.tar.gz).",
            )
        return f"gs://{storage['bucket']}/{storage['object']}"
    image = str(container.get("image", ""))
    if _GS.match(image):
        return image
    raise GoogleError(
        "FAILED_PRECONDITION",
        f"Image {image or '(none)'!r} cannot be run by the local cloud, which runs no container images: "
        "upload your source folder as a .zip or .tar.gz to Cloud Storage and name it in "
        "containers[0].source_code.cloud_storage_source (or as image 'gs://bucket/object'), as "
        "'gcloud run deploy --source' does; use CLOUDAI_MODE=cloud to run images.",
    )


def read_source(uri: str) -> bytes:
    from gcp_ai_services.emulator.gcs_objects import read_object

    return read_object(uri, MAX_SOURCE_BYTES)


def unpack(archive: bytes, target: Path) -> Path:
    """Unpack a zip or a (gzipped) tar into ``target`` (replaced); INVALID_ARGUMENT for anything else."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        if zipfile.is_zipfile(io.BytesIO(archive)):
            with zipfile.ZipFile(io.BytesIO(archive)) as files:
                files.extractall(target)  # noqa: S202 - zipfile drops absolute paths and ".."
        else:
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
                safe_extractall(tar, target)  # noqa: S202 - checked extraction
    except (tarfile.TarError, zipfile.BadZipFile, UnsafeArchive, OSError) as exc:
        raise _failed(f"the source is not a valid .zip or .tar.gz archive ({exc}).") from exc
    entries = [p for p in target.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():  # an archive of the folder itself
        return entries[0]
    return target


def command(code_dir: Path, container: dict[str, Any], env: dict[str, str]) -> list[str]:
    """The argv that serves the revision on ``$PORT`` (buildpacks' order; see the module docstring)."""
    missing = missing_requirements(code_dir / "requirements.txt")
    if missing:
        raise _failed(
            f"pip could not install {', '.join(missing)}: the local cloud builds offline and runs revisions "
            "with the packages of its own Python; install them there and deploy again."
        )
    given = [str(part) for part in container.get("command") or []]
    args = [str(part) for part in container.get("args") or []]
    if given:
        return [*given, *args]
    procfile = code_dir / "Procfile"
    if procfile.is_file():
        for line in procfile.read_text(encoding="utf-8").splitlines():
            if line.startswith("web:"):
                return ["/bin/sh", "-c", f"exec {line[4:].strip()}"]
    if env.get("GOOGLE_ENTRYPOINT"):
        return ["/bin/sh", "-c", f"exec {env['GOOGLE_ENTRYPOINT']}"]
    for module in ("main", "app"):
        if (code_dir / f"{module}.py").is_file():
            return [sys.executable, "-m", "gcp_ai_services.emulator.run.serve_app", f"{module}:app", *args]
    raise _failed(
        "for Python, provide a main.py or app.py file defining app, or set an entrypoint with the "
        "GOOGLE_ENTRYPOINT env var or a Procfile 'web:' line, or set containers[0].command."
    )


def _failed(message: str) -> GoogleError:
    return GoogleError("INVALID_ARGUMENT", f"Build failed with status: FAILURE and message: {message}")
