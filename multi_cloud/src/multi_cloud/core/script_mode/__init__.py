"""SageMaker-style script mode on other clouds: the shared launcher shipped with the learner's code."""

from __future__ import annotations

from pathlib import Path

#: the launcher's module name where it is shipped (next to the ``cloudai_source`` folder of the code)
LAUNCHER_MODULE = "cloudai_script_mode"
SOURCE_FOLDER = "cloudai_source"
METRICS_FILE = "cloudai_metrics.json"


def launcher_source() -> bytes:
    """The launcher's code, to ship as ``cloudai_script_mode.py`` (it needs only the standard library)."""
    return Path(__file__).with_name("launcher.py").read_bytes()
