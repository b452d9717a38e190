"""Models an AutoML pipeline trained, held by the server as Vertex holds them (no artifact in your bucket)."""

from __future__ import annotations

import threading

from multi_cloud.emulation.serving.vertex_prebuilt import PrebuiltModel

_served: dict[tuple[str, str], PrebuiltModel] = {}
_lock = threading.Lock()


def remember(model: str, version: str, served: PrebuiltModel) -> None:
    with _lock:
        _served[(model, version)] = served


def served_automl_model(model: str, version: str) -> PrebuiltModel | None:
    """The loaded AutoML model of ``model@version``; None for a model no AutoML pipeline trained."""
    with _lock:
        return _served.get((model, version))
