"""Azure ML scoring scripts (online endpoints, ``score.py``): ``init()`` once, ``run(raw_data)`` per request.

``init()`` runs with ``AZUREML_MODEL_DIR`` pointing at the registered model's files; ``run`` receives the
request body as a string and returns something JSON-serialisable (Azure ML serialises it). A script whose
``init`` or ``run`` raises is an :class:`ScoringError`: HTTP 502 for ``init`` (the deployment never
becomes healthy), 500 for ``run``, with the error in the message, as the inference server answers.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.serving.user_code import load_script

MODEL_DIR_VARIABLE = "AZUREML_MODEL_DIR"
_environment = threading.Lock()  # os.environ is process-wide: one init() at a time


class ScoringError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ScoringScript:
    """One deployment's scoring script, initialised against its model directory."""

    def __init__(self, script: Path, model_dir: Path) -> None:
        self.script = script
        self.model_dir = model_dir
        try:
            self.module: ModuleType = load_script(script)
        except InvalidArgument as exc:
            raise ScoringError(502, f"the scoring script could not be loaded: {exc.message}") from exc
        for name in ("init", "run"):
            if not callable(getattr(self.module, name, None)):
                raise ScoringError(502, f"{script.name} must define {name}() (Azure ML scoring script)")
        self._init()

    def _init(self) -> None:
        with _environment:
            previous = os.environ.get(MODEL_DIR_VARIABLE)
            os.environ[MODEL_DIR_VARIABLE] = str(self.model_dir)
            try:
                self.module.init()
            except Exception as exc:  # noqa: BLE001 - the script's error is the deployment's failure
                raise ScoringError(502, f"init() failed: {type(exc).__name__}: {exc}") from exc
            finally:
                if previous is None:
                    os.environ.pop(MODEL_DIR_VARIABLE, None)
                else:
                    os.environ[MODEL_DIR_VARIABLE] = previous

    def run(self, body: bytes | str) -> bytes:
        """The JSON answer to one request body."""
        raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        try:
            answer: Any = self.module.run(raw)
        except Exception as exc:  # noqa: BLE001 - the script's error is the request's 500
            raise ScoringError(500, f"run() failed: {type(exc).__name__}: {exc}") from exc
        if isinstance(answer, bytes):
            return answer
        return json.dumps(answer, default=_plain).encode()  # a str answer, too, goes out as a JSON string


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
