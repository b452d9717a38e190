"""One online deployment's worker process: loads the scoring script (or MLflow model), then serves requests.

Run as ``python -m azure_ai_services.emulator.azure_ml.scoring_worker CONFIG`` with CONFIG a JSON object
(``model_dir``, ``script`` or empty for an MLflow model, ``log_file``). The protocol uses private duplicates
of stdin/stdout; the user code's stdout/stderr go to ``log_file`` (what ``get_logs`` shows). Messages:
worker -> ``{"ready": true}`` or ``{"ready": false, "message"}`` then exit; parent -> ``{"body"}`` (the
request text); worker -> ``{"ok": true, "body"}`` or ``{"ok": false, "status", "message"}``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import IO, Any


class BadInput(Exception):
    """A request the model cannot take: HTTP 400."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MlflowScorer:
    """An MLflow model served without a script, as Azure ML's no-code deployment does."""

    def __init__(self, model_dir: Path) -> None:
        import mlflow.pyfunc

        root = model_dir
        if not (root / "MLmodel").is_file():
            found = sorted(model_dir.rglob("MLmodel"))
            if not found:
                raise ValueError(
                    f"no MLmodel file under the model's files ({model_dir.name}): not an MLflow model"
                )
            root = found[0].parent
        self.model = mlflow.pyfunc.load_model(str(root))

    def run(self, body: str) -> bytes:
        try:
            return self._predict(body)
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"the request does not fit the MLflow model: {type(exc).__name__}: {exc}") from exc

    def _predict(self, body: str) -> bytes:
        import pandas as pd

        payload = json.loads(body)
        data = payload.get("input_data", payload) if isinstance(payload, dict) else payload
        if isinstance(data, dict) and "data" in data:
            frame = pd.DataFrame(data["data"], columns=data.get("columns"), index=data.get("index"))
        elif isinstance(data, dict) and "dataframe_split" in payload:
            split = payload["dataframe_split"]
            frame = pd.DataFrame(split["data"], columns=split.get("columns"))
        else:
            frame = pd.DataFrame(data)
        predictions = self.model.predict(frame)
        values = predictions.tolist() if hasattr(predictions, "tolist") else predictions
        return json.dumps(values).encode()


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    replies = os.fdopen(os.dup(1), "w")
    requests = os.fdopen(os.dup(0), "r")
    log = os.open(config["log_file"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    model_dir = Path(config["model_dir"])
    try:
        scorer: Any
        if config.get("script"):
            from multi_cloud.emulation.serving.azureml_scoring import ScoringScript

            print(f"Initializing the scoring script {Path(config['script']).name}", flush=True)
            scorer = ScoringScript(Path(config["script"]), model_dir)
        else:
            print("Loading the MLflow model (no-code deployment)", flush=True)
            scorer = MlflowScorer(model_dir)
    except Exception as exc:  # noqa: BLE001 - the deployment fails with the traceback in its logs
        traceback.print_exc()
        cause = exc.__cause__ or exc
        print("".join(traceback.format_exception(cause)), flush=True)
        _send(replies, {"ready": False, "message": str(getattr(exc, "message", exc))})
        return 1
    print("Scoring worker ready", flush=True)
    _send(replies, {"ready": True})
    for line in requests:
        request = json.loads(line)
        try:
            answer = scorer.run(request["body"])
        except Exception as exc:  # noqa: BLE001 - the request's error, the traceback in the logs
            traceback.print_exc()
            status = int(getattr(exc, "status", 500))
            _send(replies, {"ok": False, "status": status, "message": str(getattr(exc, "message", exc))})
            continue
        _send(replies, {"ok": True, "body": answer.decode("utf-8", errors="replace")})
    return 0


if __name__ == "__main__":  # pragma: no cover - run as the worker process
    sys.exit(main(sys.argv[1]))
