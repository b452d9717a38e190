"""A function's build: unpack the source zip, check ``main.py`` defines the entry point, as Google does.

A build failure is the operation's ``INVALID_ARGUMENT`` (``code=3``) with Google's wording ("Build failed
with status: FAILURE and message: ..."): the zip is not a zip, ``main.py`` is missing, it does not parse, it
defines no top-level ``entryPoint``, or ``requirements.txt`` names a distribution this Python lacks (the
local build is offline: it installs nothing, it checks the names; versions are not compared).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.onprem import function_code
from multi_cloud.onprem.function_source import missing_requirements, unpack_zip

SHIM_MODULE = "_cloudai_ff"


def build(archive: bytes, entry_point: str, target: Path) -> Path:
    """Unpack ``archive`` into ``target`` (replaced), add the functions-framework shim; the code dir."""
    try:
        unpack_zip(archive, target)  # zipfile drops absolute paths and ".." components
    except InvalidArgument as exc:
        raise _failed(f"the source archive: {exc.message}.") from exc
    main = target / "main.py"
    if not main.is_file():
        raise _failed(
            "missing main.py and entry point: File main.py that is expected to define function "
            f"{entry_point!r} does not exist at the root of the source archive."
        )
    try:
        names = function_code.top_level_names(main.read_text(encoding="utf-8"), "main.py")
    except InvalidArgument as exc:
        raise _failed(f"main.py does not compile: {exc.message}") from exc
    if names is not None and entry_point not in names:
        raise _failed(
            f"Function {entry_point!r} is not defined in the provided module. Did you specify the correct "
            "target function to execute?"
        )
    missing = missing_requirements(target / "requirements.txt")
    if importlib.util.find_spec("functions_framework") is None:  # it serves every function
        missing.insert(0, "functions-framework (pip install 'cloud-ai-platforms[gcp]')")
    if missing:
        raise _failed(
            f"pip could not install {', '.join(missing)}: the local cloud builds offline and runs functions "
            "with the packages of its own Python; install them there (pip install ...) and deploy again."
        )
    shim = Path(__file__).with_name("ff_entry.py").read_text(encoding="utf-8")
    (target / f"{SHIM_MODULE}.py").write_text(shim, encoding="utf-8")
    return target


def _failed(message: str) -> GoogleError:
    return GoogleError("INVALID_ARGUMENT", f"Build failed with status: FAILURE and message: {message}")
