"""Write the Docker build context of the model-server image: Dockerfile, pinned requirements, server, model.

Nothing is built here (no Docker engine is needed): the context is what ``docker build`` would receive, and
its content hash is the image tag, so the same model and code always get the same tag.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.core.archives import safe_extractall
from multi_cloud.core.errors import InvalidArgument, MissingDependency

from aws_ai_services.containers import model_server

#: what the server imports; their own dependencies are pinned too (computed from the installed metadata)
SERVER_PACKAGES = ("scikit-learn", "joblib", "numpy", "werkzeug")
#: only when the image downloads its model from MODEL_S3_URI at start
S3_PACKAGES = ("boto3",)
CONTAINER_PORT = 8080
#: a fixed non-root uid: Kubernetes' runAsNonRoot can only verify a numeric USER
APP_UID = 10001
MODEL_PATH = "/opt/ml/model"
PROGRAM_DIR = "/opt/program"


@dataclass(frozen=True)
class BuildContext:
    """A written build context. ``image_tag`` is the first 12 hex digits of its content hash."""

    path: Path
    dockerfile: str
    base_image: str
    requirements: tuple[str, ...]
    image_tag: str
    model_source: str
    files: tuple[str, ...]

    def image_uri(self, repository_uri: str) -> str:
        return f"{repository_uri}:{self.image_tag}"


def default_base_image() -> str:
    """``python:X.Y.Z-slim-bookworm`` for the running interpreter, so pickled models load the same way."""
    major, minor, micro = sys.version_info[:3]
    return f"python:{major}.{minor}.{micro}-slim-bookworm"


def pinned_requirements(packages: Iterable[str]) -> list[str]:
    """``name==version`` for ``packages`` and everything they need, from the installed distributions."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    pending = list(packages)
    while pending:
        name = pending.pop()
        key = canonicalize_name(name)
        if key in pins:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError as exc:
            raise MissingDependency(
                f"{name} is not installed, so its version cannot be pinned for the image. "
                f"Install it first: pip install {name}"
            ) from exc
        pins[key] = f"{dist.metadata['Name']}=={dist.version}"
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return sorted(pins.values(), key=str.lower)


def ping_script(port: int = CONTAINER_PORT) -> str:
    """Python one-liner exiting 0 only when GET /ping answers 200 (slim images have no curl)."""
    return (
        "import sys, urllib.request; "
        f"sys.exit(urllib.request.urlopen('http://127.0.0.1:{port}/ping', timeout=4).status != 200)"
    )


def render_dockerfile(base_image: str, *, bake_model: bool, port: int = CONTAINER_PORT) -> str:
    """The Dockerfile text: pinned slim base, pinned pip installs, non-root user, HEALTHCHECK on /ping."""
    ping = ping_script(port)
    model_step = (
        f"COPY model/ {MODEL_PATH}/"
        if bake_model
        else f"# the model is downloaded from MODEL_S3_URI at start into a directory the app user owns\n"
        f"RUN mkdir -p {MODEL_PATH} && chown {APP_UID} {MODEL_PATH}"
    )
    return f"""# syntax=docker/dockerfile:1
# Model server: SageMaker's inference contract (GET /ping, POST /invocations) on port {port}.
FROM {base_image}

ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    MODEL_SERVER_HOST=0.0.0.0 \\
    SAGEMAKER_BIND_TO_PORT={port} \\
    SM_MODEL_DIR={MODEL_PATH}

WORKDIR {PROGRAM_DIR}
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \\
    && useradd --system --uid {APP_UID} --no-create-home --shell /usr/sbin/nologin app
COPY model_server.py .
{model_step}

USER {APP_UID}
EXPOSE {port}
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
    CMD ["python", "-c", "{ping}"]
ENTRYPOINT ["python", "{PROGRAM_DIR}/model_server.py"]
CMD ["serve"]
"""


DOCKERIGNORE = "**/__pycache__\n**/*.pyc\n.git\n*.tar.gz\n"


def write_build_context(
    dest: str | Path,
    *,
    model_dir: str | Path | None = None,
    model_s3_uri: str = "",
    base_image: str = "",
    port: int = CONTAINER_PORT,
) -> BuildContext:
    """Write the build context into ``dest``: bake ``model_dir`` into the image, or fetch ``model_s3_uri``.

    ``model_dir`` may hold model.joblib / model.pkl or a SageMaker model.tar.gz (unpacked here).
    """
    if bool(model_dir) == bool(model_s3_uri):
        raise InvalidArgument(
            "pass exactly one of model_dir (bake the model into the image) or model_s3_uri (download it "
            "when the container starts)"
        )
    path = Path(dest)
    if path.exists() and any(path.iterdir()):
        raise InvalidArgument(f"{path} is not empty; write the build context into a new directory")
    path.mkdir(parents=True, exist_ok=True)
    base_image = base_image or default_base_image()
    requirements = pinned_requirements(SERVER_PACKAGES + (() if model_dir else S3_PACKAGES))
    dockerfile = render_dockerfile(base_image, bake_model=bool(model_dir), port=port)
    (path / "Dockerfile").write_text(dockerfile)
    (path / ".dockerignore").write_text(DOCKERIGNORE)
    (path / "requirements.txt").write_text("\n".join(requirements) + "\n")
    shutil.copyfile(model_server.__file__, path / "model_server.py")
    if model_dir:
        model_source = f"baked: {copy_model(Path(model_dir), path / 'model')}"
    else:
        model_source = f"downloaded at start from {model_s3_uri}"
    files = tuple(sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()))
    return BuildContext(
        path=path,
        dockerfile=dockerfile,
        base_image=base_image,
        requirements=tuple(requirements),
        image_tag=content_hash(path)[:12],
        model_source=model_source,
        files=files,
    )


def copy_model(model_dir: Path, dest: Path) -> str:
    """Copy the model file into ``dest`` (unpacking model.tar.gz); returns the path inside the context."""
    dest.mkdir(parents=True)
    for name in model_server.MODEL_FILENAMES:
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, dest / name)
            return f"model/{name}"
    archive = model_dir / model_server.ARCHIVE_NAME
    if archive.is_file():
        with tarfile.open(archive, mode="r:gz") as tar:
            safe_extractall(tar, dest)
        for name in model_server.MODEL_FILENAMES:
            if (dest / name).is_file():
                return f"model/{name}"
    found = sorted(p.name for p in model_dir.iterdir()) if model_dir.is_dir() else []
    raise InvalidArgument(
        f"no model in {model_dir} (looked for {', '.join(model_server.MODEL_FILENAMES)} or "
        f"{model_server.ARCHIVE_NAME} containing one; found {found or 'nothing'}). Train first: the training "
        "script saves model.joblib into SM_MODEL_DIR."
    )


def content_hash(path: Path) -> str:
    """sha256 over every file's relative path and bytes, in sorted order (stable across machines)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def push_commands(context: BuildContext, repository_uri: str, region: str) -> list[str]:
    """The shell commands that build and push the image to ECR (run them where Docker is installed)."""
    registry = repository_uri.split("/", 1)[0]
    image = context.image_uri(repository_uri)
    return [
        f"docker build --platform linux/amd64 -t {image} {context.path}",
        f"aws ecr get-login-password --region {region} | "
        f"docker login --username AWS --password-stdin {registry}",
        f"docker push {image}",
    ]
