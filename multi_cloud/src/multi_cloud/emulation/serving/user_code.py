"""Load a learner's serving script (an inference handler or scoring script) as a fresh module."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType

from multi_cloud.core.errors import InvalidArgument


def load_script(path: Path) -> ModuleType:
    """Execute ``path`` as a new module (its directory importable, as in the serving containers)."""
    if not path.is_file():
        raise InvalidArgument(f"the serving script {path} does not exist")
    name = f"_served_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidArgument(f"{path} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - whatever the script raises at import is the learner's error
        raise InvalidArgument(f"importing {path.name} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if added:
            sys.path.remove(folder)
    return module
