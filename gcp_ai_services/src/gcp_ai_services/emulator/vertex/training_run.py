"""Run a custom job's first worker pool as Vertex does: stage the code from Cloud Storage, run it under the
``AIP_*`` contract, then copy ``AIP_MODEL_DIR`` and ``AIP_CHECKPOINT_DIR`` to the job's base output directory.

``pythonPackageSpec`` installs nothing: the packages (the sdist the SDK builds from ``script_path``, or
wheels) are unpacked onto ``PYTHONPATH`` and ``python -m pythonModule args`` runs with this interpreter, so
the script's imports must already be installed here. ``containerSpec`` runs ``command + args`` when the image
is a prebuilt training image (its ``python`` is this interpreter); any other image cannot run locally.
"""

from __future__ import annotations

import os
import re
import sys
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.archives import safe_extractall
from multi_cloud.emulation.jobs.contracts import VertexContract
from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.script_mode import ScriptResult, run_script
from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator import gcs_objects
from gcp_ai_services.emulator.vertex import gcs_files

PREBUILT_TRAINING = re.compile(r"(vertex-ai/training/|cloud-aiplatform/training/)")
PYTHON_NAMES = frozenset(
    {"python", "python3", "/usr/bin/python", "/usr/bin/python3", "/usr/local/bin/python"}
)


@dataclass(frozen=True)
class DataUris:
    """The ``AIP_*_DATA_URI`` a training pipeline's dataset split gives the script."""

    training: str = ""
    validation: str = ""
    test: str = ""
    data_format: str = ""


def check_worker_pools(job_spec: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The first worker pool spec, refused with INVALID_ARGUMENT / FAILED_PRECONDITION as Vertex would."""
    pools = job_spec.get("workerPoolSpecs")
    if not isinstance(pools, list) or not pools or not isinstance(pools[0], dict):
        raise GoogleError("INVALID_ARGUMENT", f"{what}.workerPoolSpecs is required.")
    pool: dict[str, Any] = pools[0]
    package: dict[str, Any] = pool.get("pythonPackageSpec") or {}
    container: dict[str, Any] = pool.get("containerSpec") or {}
    if bool(package) == bool(container):
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"{what}.workerPoolSpecs[0] needs exactly one of pythonPackageSpec or containerSpec.",
        )
    if package:
        if not package.get("packageUris") or not package.get("pythonModule"):
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"{what}.workerPoolSpecs[0].pythonPackageSpec needs packageUris and pythonModule.",
            )
    else:
        image = str(container.get("imageUri", ""))
        if not image:
            raise GoogleError(
                "INVALID_ARGUMENT", f"{what}.workerPoolSpecs[0].containerSpec.imageUri is required."
            )
        if not PREBUILT_TRAINING.search(image) or not container.get("command"):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"The local emulator cannot run the container image {image}: it runs a prebuilt training "
                "image's command (e.g. us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest with "
                "command [python, -m, module]) or a pythonPackageSpec.",
            )
    return pool


def run_worker_pool(
    job_spec: Mapping[str, Any],
    root: Path,
    *,
    data: DataUris = DataUris(),
    should_stop: Callable[[], bool] | None = None,
) -> ScriptResult:
    """Stage, run and sync back one job's code; never raises for a failing script."""
    pool = check_worker_pools(job_spec, "custom_job.job_spec")
    layout = ContainerLayout(root)
    layout.create([])
    code = root / "code"
    spec = pool.get("pythonPackageSpec") or pool["containerSpec"]
    paths = [str(p) for uri in spec.get("packageUris", []) for p in _stage_package(str(uri), code)]
    env = {**os.environ, **{str(e["name"]): str(e.get("value", "")) for e in spec.get("env", [])}}
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).strip(os.pathsep)
    env.update(storage_for_jobs())
    code.mkdir(parents=True, exist_ok=True)
    if pool.get("pythonPackageSpec"):
        command = [sys.executable, "-m", str(spec["pythonModule"]), *map(str, spec.get("args", []))]
    else:
        given = [*map(str, spec.get("command", [])), *map(str, spec.get("args", []))]
        command = [sys.executable if given[0] in PYTHON_NAMES else given[0], *given[1:]]
    contract = VertexContract(
        training_data_uri=data.training,
        validation_data_uri=data.validation,
        test_data_uri=data.test,
        data_format=data.data_format,
    )
    result = run_script(
        Path(paths[0] if paths else code) / "__main__",
        layout,
        contract=contract,
        command=command,
        base_env=env,
        should_stop=should_stop,
        timeout=_timeout(job_spec),
    )
    (layout.logs_dir / "job.log").write_text(result.logs)
    base = str((job_spec.get("baseOutputDirectory") or {}).get("outputUriPrefix", ""))
    if base and result.succeeded:
        gcs_files.upload_directory(layout.model_dir, base.rstrip("/") + "/model/")
        gcs_files.upload_directory(layout.checkpoint_dir, base.rstrip("/") + "/checkpoints/")
    return result


def storage_for_jobs() -> dict[str, str]:
    """``STORAGE_EMULATOR_HOST`` for the job: on Vertex a job reaches Cloud Storage with its service
    account; locally google-cloud-storage in the script finds the local Cloud Storage through it."""
    try:
        return {"STORAGE_EMULATOR_HOST": gcs_objects.storage_url()}
    except GoogleError:
        return {}  # no local Cloud Storage: a script that needs it fails with the client's own error


def _stage_package(uri: str, code: Path) -> list[Path]:
    """The directories (sdist roots) or wheels to put on PYTHONPATH for one package URI."""
    target = code / str(abs(hash(uri)))
    files = gcs_files.download_prefix(uri, target)
    found: list[Path] = []
    for archive in files:
        if archive.name.endswith((".tar.gz", ".tgz")):
            unpacked = target / "unpacked"
            with tarfile.open(archive) as tar:
                safe_extractall(tar, unpacked)
            roots = [p.parent for p in unpacked.rglob("setup.py")] or [unpacked]
            found += sorted(roots)
        elif archive.suffix == ".whl" or zipfile.is_zipfile(archive):
            found.append(archive)
    if not found:
        raise GoogleError("INVALID_ARGUMENT", f"{uri} is not a Python package (an sdist .tar.gz or a wheel).")
    return found


def _timeout(job_spec: Mapping[str, Any]) -> float:
    text = str((job_spec.get("scheduling") or {}).get("timeout", "") or "")
    try:
        return float(text.rstrip("s")) if text else 7 * 24 * 3600.0
    except ValueError as exc:
        raise GoogleError("INVALID_ARGUMENT", f"Invalid scheduling.timeout {text!r}.") from exc
