"""A scikit-learn model server speaking SageMaker's inference container contract (/ping, /invocations).

This is the program the image runs (``image_build`` copies this file into the build context), so it is
self-contained on purpose: standard library, werkzeug, numpy and joblib, plus boto3 only when the model is
downloaded from ``MODEL_S3_URI`` at start. The contract, as SageMaker, ECS health checks and Kubernetes
probes use it:

- ``GET /ping`` answers 200 once the model is loaded, 503 while it loads or when loading failed (the body
  says why);
- ``POST /invocations`` takes ``text/csv`` (one row of features per line, no header) or ``application/json``
  (a list of rows, one row, or ``{"instances": [...]}``) and answers predictions in the ``Accept`` type
  (default: the request's type); 415 for any other content type, 400 naming the bad row and column, 413
  over 6 MB (SageMaker's payload limit);
- ``GET /execution-parameters`` tells batch transform how to call the container.

Run it with ``python -m aws_ai_services.containers.model_server --model-dir D --port P``. It binds
127.0.0.1 unless told otherwise: only the image sets ``MODEL_SERVER_HOST=0.0.0.0``, because inside a
container the port mapping cannot reach loopback.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import signal
import sys
import tarfile
import threading
import time
from typing import Any

MODEL_FILENAMES = ("model.joblib", "model.pkl")
ARCHIVE_NAME = "model.tar.gz"
CSV, JSON = "text/csv", "application/json"
SUPPORTED_TYPES = (CSV, JSON)
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
DEFAULT_PORT = 8080

log = logging.getLogger("model_server")


class RequestError(Exception):
    """The request cannot be served; ``status`` is the HTTP code to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ----------------------------------------------------------------------------- the model
def fetch_model_archive(model_s3_uri: str, model_dir: str) -> str:
    """Download ``s3://bucket/key`` (a model.tar.gz) into ``model_dir``; boto3 honours AWS_ENDPOINT_URL."""
    import boto3

    if not model_s3_uri.startswith("s3://") or "/" not in model_s3_uri[5:]:
        raise ValueError(f"MODEL_S3_URI must look like s3://bucket/path/model.tar.gz, got {model_s3_uri!r}")
    bucket, key = model_s3_uri[5:].split("/", 1)
    os.makedirs(model_dir, exist_ok=True)
    target = os.path.join(model_dir, ARCHIVE_NAME)
    boto3.client("s3").download_file(bucket, key, target)
    return target


def unpack_archive(archive: str, model_dir: str) -> None:
    """Extract a model.tar.gz safely (no absolute paths, no ``..``), as SageMaker does before serving."""
    with tarfile.open(archive, mode="r:gz") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(model_dir, filter="data")
            return
        # Pythons before PEP 706 (Debian 12's 3.11.2): plain members inside model_dir only
        for member in tar.getmembers():
            parts = member.name.replace("\\", "/").split("/")
            if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
                raise ValueError(f"unsafe member {member.name!r} in {archive}: files and folders only")
        tar.extractall(model_dir)  # noqa: S202 - every member checked above


def load_model(model_dir: str) -> Any:
    """The model in ``model_dir``: model.joblib / model.pkl, unpacking a model.tar.gz first if need be."""
    import joblib

    archive = os.path.join(model_dir, ARCHIVE_NAME)
    has_model = any(os.path.isfile(os.path.join(model_dir, n)) for n in MODEL_FILENAMES)
    if not has_model and os.path.isfile(archive):
        unpack_archive(archive, model_dir)
    for name in MODEL_FILENAMES:
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            return joblib.load(path)
    found = sorted(os.listdir(model_dir)) if os.path.isdir(model_dir) else []
    raise FileNotFoundError(
        f"no {' or '.join(MODEL_FILENAMES)} in {model_dir} (found {found or 'nothing'}). The training job "
        "must save its model into SM_MODEL_DIR, or set MODEL_S3_URI to a model.tar.gz."
    )


class ModelHolder:
    """The loaded model and its state: "loading", "ready" or "failed" (with the reason)."""

    def __init__(self, model_dir: str, model_s3_uri: str = "") -> None:
        self.model_dir = model_dir
        self.model_s3_uri = model_s3_uri
        self.model: Any = None
        self.state = "loading"
        self.reason = ""
        self.load_seconds = 0.0

    @property
    def n_features(self) -> int | None:
        value = getattr(self.model, "n_features_in_", None)
        return int(value) if value is not None else None

    def load(self) -> None:
        """Download (when a URI is set) and load the model; never raises, records the failure instead."""
        started = time.monotonic()
        self.state, self.reason = "loading", ""
        try:
            if self.model_s3_uri and not self._has_model_file():
                fetch_model_archive(self.model_s3_uri, self.model_dir)
            self.model = load_model(self.model_dir)
            self.state = "ready"
        except Exception as exc:  # noqa: BLE001 - reported by /ping instead of crashing the container
            self.state, self.reason = "failed", f"{type(exc).__name__}: {exc}"
        self.load_seconds = time.monotonic() - started

    def _has_model_file(self) -> bool:
        return any(os.path.isfile(os.path.join(self.model_dir, n)) for n in (*MODEL_FILENAMES, ARCHIVE_NAME))

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"status": self.state}
        if self.state == "ready":
            described.update(model=type(self.model).__name__, features=self.n_features)
        if self.reason:
            described["reason"] = self.reason
        return described


# ----------------------------------------------------------------------------- payloads
def media_type(header: str) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``."""
    return header.split(";", 1)[0].strip().lower()


def parse_rows(body: bytes, content_type: str, n_features: int | None = None) -> list[list[float]]:
    """Rows of numbers from a request body; RequestError 415/400 names what is wrong and where."""
    kind = media_type(content_type or "")
    if kind not in SUPPORTED_TYPES:
        raise RequestError(
            415,
            f"content type {content_type or '(none)'!r} is not supported: send {CSV} (one row per line) or "
            f"{JSON} (a list of rows)",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the body is not UTF-8 text: {exc}") from exc
    raw_rows = _csv_cells(text) if kind == CSV else _json_cells(text)
    if not raw_rows:
        raise RequestError(400, "the request has no rows: send at least one row of features")
    rows = [_numbers(cells, index) for index, cells in enumerate(raw_rows, start=1)]
    expected = n_features or len(rows[0])
    for index, row in enumerate(rows, start=1):
        if len(row) != expected:
            source = "the model expects" if n_features else "row 1 has"
            raise RequestError(400, f"row {index} has {len(row)} values but {source} {expected}")
    return rows


def _csv_cells(text: str) -> list[list[Any]]:
    return [[cell.strip() for cell in line.split(",")] for line in text.splitlines() if line.strip()]


def _json_cells(text: str) -> list[list[Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"the body is not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        if "instances" not in data:
            raise RequestError(400, 'a JSON object needs an "instances" list of rows')
        data = data["instances"]
    if isinstance(data, list) and data and not any(isinstance(v, list) for v in data):
        data = [data]  # one row
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise RequestError(400, "the JSON body must be a list of rows, each a list of numbers")
    return data


def _numbers(cells: list[Any], row: int) -> list[float]:
    values = []
    for column, cell in enumerate(cells, start=1):
        if isinstance(cell, bool) or not isinstance(cell, int | float | str):
            raise RequestError(400, f"row {row}, column {column}: {cell!r} is not a number")
        try:
            value = float(cell)
        except ValueError:
            hint = " (send rows without a header line)" if row == 1 else ""
            raise RequestError(400, f"row {row}, column {column}: {cell!r} is not a number{hint}") from None
        if not math.isfinite(value):
            raise RequestError(400, f"row {row}, column {column}: {cell!r} is not a finite number")
        values.append(value)
    return values


def answer_type(accept: str, content_type: str) -> str:
    """The media type of the answer: the first supported ``Accept`` entry, else the request's type."""
    wanted = [media_type(part) for part in (accept or "").split(",") if part.strip()]
    if not wanted or wanted == ["*/*"]:
        kind = media_type(content_type or "")
        return kind if kind in SUPPORTED_TYPES else JSON
    for kind in wanted:
        if kind in SUPPORTED_TYPES:
            return kind
    raise RequestError(406, f"Accept {accept!r} is not supported: the server answers {CSV} or {JSON}")


def encode_predictions(predictions: list[Any], kind: str) -> bytes:
    if kind == CSV:
        return "".join(f"{value}\n" for value in predictions).encode("utf-8")
    return json.dumps(predictions).encode("utf-8")


# ----------------------------------------------------------------------------- the WSGI application
class ModelServer:
    """The WSGI application: ``ModelServer(holder)`` serves whatever state ``holder`` is in."""

    def __init__(self, holder: ModelHolder) -> None:
        self.holder = holder

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        try:
            status, body, kind, headers = self.dispatch(request)
        except RequestError as exc:
            status, body, kind, headers = exc.status, _error_body(exc.message), JSON, {}
        except Exception as exc:  # noqa: BLE001 - answer 500 rather than drop the connection
            log.exception("invocation failed")
            status, body, kind, headers = 500, _error_body(f"{type(exc).__name__}: {exc}"), JSON, {}
        response = Response(body, status=status, content_type=kind, headers=headers)
        return response(environ, start_response)

    def dispatch(self, request: Any) -> tuple[int, bytes, str, dict[str, str]]:
        routes = {"/ping": ("GET", self.ping), "/invocations": ("POST", self.invocations)}
        routes["/execution-parameters"] = ("GET", self.execution_parameters)
        if request.path not in routes:
            raise RequestError(404, f"no route {request.path}: the server answers {', '.join(routes)}")
        method, handler = routes[request.path]
        if request.method != method and not (method == "GET" and request.method == "HEAD"):
            allowed = {"Allow": method}
            return 405, _error_body(f"{request.path} takes {method}, not {request.method}"), JSON, allowed
        return handler(request)

    def ping(self, request: Any) -> tuple[int, bytes, str, dict[str, str]]:
        status = 200 if self.holder.state == "ready" else 503
        return status, json.dumps(self.holder.describe()).encode(), JSON, {}

    def invocations(self, request: Any) -> tuple[int, bytes, str, dict[str, str]]:
        if self.holder.state != "ready":
            reason = self.holder.reason or "the model is still loading"
            raise RequestError(503, f"the model is not ready: {reason}")
        length = request.content_length or 0
        if length > MAX_PAYLOAD_BYTES:
            raise RequestError(413, f"the payload is {length} bytes; the limit is {MAX_PAYLOAD_BYTES}")
        content_type = request.headers.get("Content-Type", "")
        kind = answer_type(request.headers.get("Accept", ""), content_type)
        rows = parse_rows(request.get_data(), content_type, self.holder.n_features)
        predictions = predict(self.holder.model, rows)
        return 200, encode_predictions(predictions, kind), kind, {}

    def execution_parameters(self, request: Any) -> tuple[int, bytes, str, dict[str, str]]:
        parameters = {"MaxConcurrentTransforms": os.cpu_count() or 1, "BatchStrategy": "MULTI_RECORD"}
        parameters["MaxPayloadInMB"] = MAX_PAYLOAD_BYTES // (1024 * 1024)
        return 200, json.dumps(parameters).encode(), JSON, {}


def predict(model: Any, rows: list[list[float]]) -> list[Any]:
    """``model.predict`` on the rows, as plain Python values (numpy scalars do not serialize)."""
    import numpy as np

    return [value.item() if hasattr(value, "item") else value for value in model.predict(np.asarray(rows))]


def _error_body(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


def create_app(model_dir: str, model_s3_uri: str = "", *, load: bool = True) -> ModelServer:
    """A server for ``model_dir`` (and ``model_s3_uri``); ``load=False`` leaves loading to the caller."""
    holder = ModelHolder(model_dir, model_s3_uri)
    if load:
        holder.load()
    return ModelServer(holder)


# ----------------------------------------------------------------------------- command line
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a scikit-learn model under SageMaker's contract.")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"], help="SageMaker adds it")
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument("--model-s3-uri", default=os.environ.get("MODEL_S3_URI", ""))
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", DEFAULT_PORT))
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--host", default=os.environ.get("MODEL_SERVER_HOST", "127.0.0.1"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Bind the port, load the model in the background (/ping says 503 meanwhile), serve until SIGTERM."""
    from werkzeug.serving import make_server

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    holder = ModelHolder(args.model_dir, args.model_s3_uri)
    app = ModelServer(holder)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=_access_log())
    source = args.model_s3_uri or args.model_dir
    log.info("listening on http://%s:%d; loading the model from %s", args.host, server.port, source)

    def load_in_background() -> None:
        holder.load()
        if holder.state == "ready":
            log.info("model ready: %s in %.2f s", holder.describe(), holder.load_seconds)
        else:
            log.error("model failed to load: %s", holder.reason)

    threading.Thread(target=load_in_background, name="model-loader", daemon=True).start()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # ECS and Kubernetes stop containers with SIGTERM
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    finally:
        server.server_close()
    return 0


def _access_log() -> Any:
    """werkzeug's request handler, logging one plain line per request (no terminal colours in log files)."""
    from werkzeug.serving import WSGIRequestHandler

    class AccessLog(WSGIRequestHandler):
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            status = getattr(code, "value", code)
            log.info('%s "%s %s" %s', self.address_string(), self.command, self.path, status)

    return AccessLog


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
