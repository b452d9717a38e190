"""Check, unpack and load ``model.tar.gz`` artifacts, naming what is wrong with a corrupt one."""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.jobs.script_mode import unpack_model
from multi_cloud.emulation.serving.model_loading import MODEL_FILENAMES, load_model

GZIP_MAGIC = b"\x1f\x8b"
#: leading bytes of formats people upload by mistake
KNOWN_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive",
    b"\x80": "a raw pickle (joblib/pickle file)",
    b"\x08": "a raw ONNX/protobuf file",
    b"BZh": "a bzip2 file",
    b"\xfd7zXZ": "an xz file",
}
FIX = "pass the model.tar.gz a training job wrote (a gzip-compressed tar with model.joblib at its root)"


def describe_bytes(data: bytes) -> str:
    """A short guess of what ``data`` is, for error messages."""
    if not data:
        return "empty (0 bytes)"
    for signature, what in KNOWN_SIGNATURES.items():
        if data.startswith(signature):
            return what
    head = data[:32]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return f"text starting {head.decode()!r}"
    return f"binary data starting {head[:8].hex(' ')}"


def check_archive(data: bytes, uri: str) -> list[str]:
    """The member names of the model archive ``data``; InvalidArgument naming the problem otherwise."""
    if not data.startswith(GZIP_MAGIC):
        raise InvalidArgument(f"model artifact {uri} is not a tar.gz: it is {describe_bytes(data)}; {FIX}")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = [m.name for m in tar.getmembers() if m.isfile()]
    except (tarfile.ReadError, EOFError, OSError, zlib.error, gzip.BadGzipFile) as exc:
        raise InvalidArgument(
            f"model artifact {uri} is gzip data but not a readable tar archive ({exc}); "
            f"it may be truncated or only gzip-compressed; {FIX}"
        ) from exc
    if not any(name.lstrip("./") in MODEL_FILENAMES for name in members):
        raise InvalidArgument(
            f"model artifact {uri} holds no model file (looked for {', '.join(MODEL_FILENAMES)} at the "
            f"archive root; found {members or 'nothing'}); the training script must save its model into "
            "SM_MODEL_DIR"
        )
    return members


def unpack_artifact(data: bytes, uri: str, dest: Path) -> Path:
    """Validate and extract the archive into ``dest``; the model directory."""
    check_archive(data, uri)
    return unpack_model(data, dest)


def load_estimator(model_dir: Path, uri: str) -> Any:
    """The scikit-learn estimator saved in ``model_dir``, checked to be usable for prediction."""
    try:
        model = load_model(model_dir)
    except InvalidArgument:
        raise
    except Exception as exc:  # noqa: BLE001 - unpickling can fail in many ways; name it
        raise InvalidArgument(
            f"model file in {uri} could not be loaded ({type(exc).__name__}: {exc}); save it with "
            "joblib.dump using the same scikit-learn version that serves it"
        ) from exc
    if not hasattr(model, "predict"):
        raise InvalidArgument(
            f"the object saved in {uri} is a {type(model).__name__}, which has no predict(); "
            "save a fitted estimator (or Pipeline) into model.joblib"
        )
    return model


def feature_count(model: Any, uri: str) -> int:
    """How many features the fitted ``model`` expects (scikit-learn's ``n_features_in_``)."""
    count = getattr(model, "n_features_in_", None)
    if count is None:
        raise InvalidArgument(
            f"the {type(model).__name__} in {uri} has no n_features_in_: it is not fitted, or not a "
            "scikit-learn >= 1.0 estimator; fit it before saving"
        )
    return int(count)
