"""Run a nox session from a fresh clone: a project virtual environment first, so no system pip is touched.

Usage: ``python3 run.py SESSION [SESSION ...] [-- ARGS]`` (``demo``, ``tests``, ``learn``, ...).

Works unchanged on a system Python that forbids ``pip install`` (PEP 668: Debian 12, Ubuntu >= 23.04,
Homebrew): only the standard library runs here. It creates ``.venv`` with ``venv``, installs the locked nox
(and uv, which nox uses to build its session environments fast) into it, then hands over to nox.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CLOUDAI_BOOTSTRAP_VENV", ROOT / ".venv"))
TOOLS = ("nox", "uv")
UV_FALLBACK = "uv>=0.5"
MISSING_VENV = """\
run.py: this Python cannot create virtual environments ({problem}).
  Debian/Ubuntu: sudo apt install python3-venv     (or python3.X-venv for your version)
  Fedora/RHEL:   sudo dnf install python3          (venv is part of it)
  Then run the same command again."""


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 10):  # noqa: UP036 - this file runs before anything checks the version
        print(f"run.py: Python >= 3.10 is needed, this is {sys.version.split()[0]}.", file=sys.stderr)
        return 2
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    python = venv_python()
    if not python.exists():
        created = create_venv()
        if created:
            return created
    if not tools_installed(python):
        installed = install_tools(python)
        if installed:
            return installed
    return subprocess.call([str(python), "-m", "nox", *nox_arguments(argv)], cwd=ROOT)


def nox_arguments(argv: list[str]) -> list[str]:
    """``demo tests -- -k x`` → ``-s demo tests -- -k x``; leading options (``--list``) go to nox as is."""
    if argv[0].startswith("-"):
        return argv
    sessions, posargs = split_args(argv)
    return ["-s", *sessions, *(["--", *posargs] if posargs else [])]


def venv_python() -> Path:
    """The interpreter inside the project venv (POSIX or Windows layout)."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def create_venv() -> int:
    print(f"run.py: creating {VENV} (standard library venv)", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    except (subprocess.CalledProcessError, OSError) as problem:
        print(MISSING_VENV.format(problem=problem), file=sys.stderr)
        return 2
    if not venv_python().exists():
        print(MISSING_VENV.format(problem=f"no interpreter at {venv_python()}"), file=sys.stderr)
        return 2
    return 0


def tools_installed(python: Path) -> bool:
    probe = f"import importlib.util as u, sys; sys.exit(any(u.find_spec(t) is None for t in {TOOLS!r}))"
    return subprocess.call([str(python), "-c", probe]) == 0


def install_tools(python: Path) -> int:
    requirements = [locked(tool) for tool in TOOLS]
    print(f"run.py: installing {' '.join(requirements)} into {VENV}", flush=True)
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements]
    if subprocess.call(command) != 0:
        print("run.py: installing nox failed; check the network to PyPI, then run again.", file=sys.stderr)
        return 2
    return 0


def locked(tool: str) -> str:
    """``tool==version`` from requirements.txt (the lock), or a floor for tools the lock does not pin."""
    prefix = f"{tool}=="
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(prefix):
            return line.split(";")[0].strip()
    return UV_FALLBACK if tool == "uv" else tool


def split_args(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1 :]
    return argv, []


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
