"""A function app's deployment: unpack the zip, check ``function_app.py`` parses, add the worker entry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.onprem import function_code, function_source

ENTRY_MODULE = "_cloudai_azure_functions"


def build(archive: bytes, target: Path) -> Path:
    """The code directory of a deployment (Kudu answers a bad package with 400 and the reason)."""
    try:
        function_source.unpack_zip(archive, target)
    except InvalidArgument as exc:
        raise _failed(exc.message) from exc
    app = target / "function_app.py"
    if not app.is_file():
        raise _failed(
            "function_app.py was not found at the root of the package: zip the folder's contents "
            "(function_app.py, host.json, requirements.txt), not the folder itself"
        )
    try:
        function_code.top_level_names(app.read_text(encoding="utf-8"), "function_app.py")
    except InvalidArgument as exc:
        raise _failed(exc.message) from exc
    missing = function_source.missing_requirements(target / "requirements.txt")
    if importlib.util.find_spec("azure.functions") is None:
        missing.insert(0, "azure-functions (pip install 'cloud-ai-platforms[azure]')")
    if missing:
        raise _failed(
            f"could not install {', '.join(missing)}: the local Functions host builds offline and runs "
            "apps with the packages of its own Python; install them there and deploy again"
        )
    entry = Path(__file__).with_name("worker_entry.py").read_text(encoding="utf-8")
    (target / f"{ENTRY_MODULE}.py").write_text(entry, encoding="utf-8")
    return target


def _failed(message: str) -> AzureError:
    return AzureError(400, "BadRequest", f"Deployment failed: {message}")
