"""``cloudai check``: run a learner's notebook the way otter grades it, against its public tests only."""

from __future__ import annotations

import os
import pprint
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import read_notebook
from multi_cloud.grading.runner import require_otter


@dataclass(frozen=True)
class CheckResult:
    """One question's public tests on the learner's notebook: passed or not, and otter's output."""

    question: str
    passed: bool
    score: float
    possible: float
    output: str


def public_tests(notebook: Path) -> dict[str, dict[str, Any]]:
    """The OK-format tests embedded in a student version (``metadata.otter.tests``), public cases only."""
    otter = read_notebook(notebook).get("metadata", {}).get("otter", {})
    tests = otter.get("tests") if isinstance(otter, dict) else None
    if not isinstance(tests, dict) or not tests:
        raise GradingError(
            f"{notebook} has no embedded tests (metadata.otter.tests)",
            "check a student version (from `cloudai assign --learner DIR`), not a master or a plain notebook",
        )
    public: dict[str, dict[str, Any]] = {}
    for name, test in tests.items():
        suites = [
            {**suite, "cases": [case for case in suite.get("cases", []) if not case.get("hidden")]}
            for suite in test.get("suites", [])
        ]
        public[name] = {**test, "suites": suites}
    return public


@contextmanager
def _working_dir(path: Path) -> Iterator[None]:
    """Run in ``path``, leaving otter's log file there (``.OTTER_LOG``) exactly as it was."""
    previous, log = Path.cwd(), path / ".OTTER_LOG"
    before = log.read_bytes() if log.is_file() else None
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
        if before is None:
            log.unlink(missing_ok=True)
        else:
            log.write_bytes(before)


def check(notebook: Path, question: str | None = None) -> list[CheckResult]:
    """Execute ``notebook`` (errors ignored, as otter does) and run the public tests of each question.

    The notebook runs in its own folder, in a fresh kernel; its ``grader.check`` cells run their tests in
    place, the rest run at the end. Nothing is written next to the notebook.
    """
    require_otter()
    notebook = Path(notebook).resolve()
    tests = public_tests(notebook)
    if question is not None and question not in tests:
        raise GradingError(f"{notebook.name} has no question {question!r}", f"use one of: {', '.join(tests)}")
    from otter.execute import grade_notebook

    with tempfile.TemporaryDirectory(prefix="cloudai-check-") as scratch:
        test_dir = Path(scratch) / "tests"
        test_dir.mkdir()
        for name, test in tests.items():
            (test_dir / f"{name}.py").write_text(
                f"OK_FORMAT = True\n\ntest = {pprint.pformat(test)}\n", encoding="utf-8"
            )
        wanted = [question] if question else list(tests)
        with _working_dir(notebook.parent):
            results = grade_notebook(
                str(notebook),
                tests_glob=[str(test_dir / f"{name}.py") for name in wanted],
                test_dir=str(test_dir),
                cwd=str(notebook.parent),
            )
    checked = []
    for name in wanted:
        test_file = results.results.get(name)
        if test_file is None:
            checked.append(CheckResult(name, False, 0.0, 0.0, "the tests did not run"))
            continue
        checked.append(
            CheckResult(
                name,
                bool(test_file.passed_all),
                float(test_file.score),
                float(test_file.possible),
                "" if test_file.passed_all else test_file.summary(),
            )
        )
    return checked
