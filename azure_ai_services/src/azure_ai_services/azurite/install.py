"""Install a pinned Azurite once into the user cache: ``cloudai local install azurite``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from multi_cloud.core.errors import MissingDependency, Unavailable

from azure_ai_services.azurite.node import find_node

#: 3.37 is the first Azurite for Node 22+ (its engines field says ``>=22``); the wheel ships Node 24
AZURITE_VERSION = "3.37.0"
INSTALL_COMMAND = "cloudai local install azurite"
NPM_TIMEOUT = 600.0


def cache_root() -> Path:
    """``$CLOUDAI_CACHE_DIR``, else ``$XDG_CACHE_HOME/cloudai``, else ``~/.cache/cloudai``."""
    explicit = os.environ.get("CLOUDAI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cloudai"


def azurite_home(version: str = AZURITE_VERSION) -> Path:
    return cache_root() / "azurite" / version


def azurite_package(version: str = AZURITE_VERSION) -> Path:
    return azurite_home(version) / "node_modules" / "azurite"


def service_script(service: str, version: str = AZURITE_VERSION) -> Path:
    """The entry script of ``azurite-blob`` / ``azurite-queue`` (run with node, not through a shebang)."""
    return azurite_package(version) / "dist" / "src" / service / "main.js"


def installed(version: str = AZURITE_VERSION) -> bool:
    return all(service_script(service, version).is_file() for service in ("blob", "queue"))


def require_installed(version: str = AZURITE_VERSION) -> None:
    """MissingDependency naming ``cloudai local install azurite`` when Azurite is not in the cache."""
    if not installed(version):
        raise MissingDependency(
            f"Azurite {version} is not installed in {azurite_home(version)}. Install it once (needs the npm "
            f"registry) with: {INSTALL_COMMAND}",
            provider="azure",
        )


def install_azurite(version: str = AZURITE_VERSION) -> Path:
    """``npm install --prefix <cache> azurite@<version>``, staged then moved into place; returns the home."""
    home = azurite_home(version)
    if installed(version):
        return home
    runtime = find_node()
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".azurite-{version}-", dir=home.parent))
    command = runtime.npm(
        "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--omit=dev", f"azurite@{version}"
    )
    try:
        done = subprocess.run(
            command, env=runtime.environ(), capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise Unavailable(f"npm did not finish installing azurite@{version} in {NPM_TIMEOUT:.0f} s") from exc
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise Unavailable(
            f"npm could not install azurite@{version} (exit {done.returncode}, node from {runtime.origin}). "
            f"Check access to the npm registry (npm config get registry), then rerun {INSTALL_COMMAND}."
            f"\n{tail}",
            provider="azure",
        )
    if home.exists():  # another process finished first: keep its copy
        shutil.rmtree(staging, ignore_errors=True)
    else:
        staging.rename(home)
    return home
