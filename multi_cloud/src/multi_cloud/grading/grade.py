"""Grade submissions without Docker: one ``otter run`` subprocess each, in parallel, with a timeout."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.grading.assign import DEFAULT_OUT, Assignment, ensure_assigned
from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import Master
from multi_cloud.grading.runner import require_otter, run_otter
from multi_cloud.grading.scoring import QuestionScore, Summary, summarize

DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class SubmissionGrade:
    """One submission's grade: status "graded", "error" (otter crashed) or "timeout", and its questions."""

    path: Path
    master: Master
    status: str
    questions: tuple[QuestionScore, ...] = ()
    seconds: float = 0.0
    error: str = ""
    notes: tuple[str, ...] = field(default=())
    failures: dict[str, str] = field(default_factory=dict)
    """otter's output for each question that lost points (its failing test cases)."""

    @property
    def graded(self) -> bool:
        return self.status == "graded"

    @property
    def summary(self) -> Summary:
        return summarize(self.questions)

    @property
    def earned(self) -> float:
        return sum(question.score for question in self.questions)

    @property
    def possible(self) -> float:
        return sum(question.max_score for question in self.questions)


def collect(paths: list[Path]) -> list[Path]:
    """The notebooks to grade: files as given, folders searched recursively for ``*.ipynb``."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            raise GradingError(
                f"no such file or folder: {path}", "pass submission notebooks or folders of them"
            )
    if not found:
        raise GradingError(
            f"no notebooks (*.ipynb) in {', '.join(map(str, paths))}", "pass the learners' notebooks"
        )
    return list(dict.fromkeys(found))


def assignment_name(path: Path) -> str | None:
    """``metadata.otter.assignment_name`` of a notebook (None when absent); unreadable JSON is an error."""
    from multi_cloud.grading.masters import read_notebook

    otter = read_notebook(path).get("metadata", {}).get("otter", {})
    name = otter.get("assignment_name") if isinstance(otter, dict) else None
    return name if isinstance(name, str) and name else None


def match(submissions: list[Path], masters: list[Master]) -> list[tuple[Path, Master]]:
    """Pair each submission with its master by assignment name; every mismatch is listed in one error."""
    by_name = {master.assignment_name: master for master in masters}
    pairs, problems = [], []
    for path in submissions:
        name = assignment_name(path)
        if name is None:
            problems.append(
                f"{path}: no metadata.otter.assignment_name (not a student version of an assignment)"
            )
        elif name not in by_name:
            problems.append(f"{path}: assignment {name!r} is unknown")
        else:
            pairs.append((path, by_name[name]))
    if problems:
        known = ", ".join(sorted(by_name)) or "none (no master notebooks found)"
        raise GradingError(
            "cannot match submissions to assignments:\n  "
            + "\n  ".join(problems)
            + f"\n  known assignments: {known}",
            "grade notebooks made from `cloudai assign` student versions, or pass their masters (--master)",
        )
    return pairs


def _scores(results: dict[str, Any], master: Master) -> tuple[tuple[QuestionScore, ...], tuple[str, ...]]:
    tests = {test.get("name"): test for test in results.get("tests", []) if isinstance(test, dict)}
    scores, notes = [], []
    for question in master.questions:
        test = tests.get(question.name)
        if test is None or test.get("score") is None:
            notes.append(f"{question.name}: no result from otter, scored 0")
            scores.append(QuestionScore(question.name, question.criterion, 0.0, question.points))
            continue
        scores.append(
            QuestionScore(
                question.name,
                question.criterion,
                float(test["score"]),
                float(test.get("max_score", question.points)),
            )
        )
    return tuple(scores), tuple(notes)


def grade_one(path: Path, assignment: Assignment, timeout: float = DEFAULT_TIMEOUT) -> SubmissionGrade:
    """Grade one submission against the assignment's autograder zip (its tests, never the submission's)."""
    master = assignment.master
    zip_path = assignment.autograder_zip
    if zip_path is None:
        return SubmissionGrade(path, master, "error", error=f"no autograder zip in {assignment.directory}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cloudai-grade-") as out:
        run = run_otter(
            ["run", "--no-logo", "-a", str(zip_path.resolve()), "-o", out, str(path.resolve())],
            timeout=timeout,
            cwd=Path(out),
        )
        seconds = time.monotonic() - started
        if run.timed_out:
            return SubmissionGrade(
                path, master, "timeout", seconds=seconds, error=f"timed out after {timeout:g} s"
            )
        results_file = Path(out) / "results.json"
        if run.returncode != 0 or not results_file.is_file():
            lines = run.output.rstrip().splitlines() or ["(no output)"]
            tail = "\n".join(lines[-15:])
            return SubmissionGrade(
                path,
                master,
                "error",
                seconds=seconds,
                error=f"otter run exited {run.returncode}: {lines[-1]}\n{tail}",
            )
        results = json.loads(results_file.read_text(encoding="utf-8"))
    questions, notes = _scores(results, master)
    outputs = {test.get("name"): str(test.get("output", "")) for test in results.get("tests", [])}
    failures = {q.name: outputs.get(q.name, "") for q in questions if q.score < q.max_score}
    return SubmissionGrade(path, master, "graded", questions, seconds, notes=notes, failures=failures)


def grade(
    paths: list[Path],
    masters: list[Master],
    *,
    build_dir: Path = DEFAULT_OUT,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_done: Callable[[SubmissionGrade], None] | None = None,
) -> list[SubmissionGrade]:
    """Grade notebooks and folders of them in parallel; a crash or timeout is reported, never fatal."""
    require_otter()
    if timeout <= 0:
        raise GradingError(f"timeout must be positive, got {timeout:g}", "pass --timeout SECONDS > 0")
    pairs = match(collect(paths), masters)
    needed = list({id(master): master for _, master in pairs}.values())
    assignments = {a.master.assignment_name: a for a in ensure_assigned(needed, build_dir, jobs=jobs)}

    def one(pair: tuple[Path, Master]) -> SubmissionGrade:
        try:
            result = grade_one(pair[0], assignments[pair[1].assignment_name], timeout)
        except Exception as err:  # noqa: BLE001 - one broken submission never stops the batch
            result = SubmissionGrade(pair[0], pair[1], "error", error=f"{type(err).__name__}: {err}")
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        return list(pool.map(one, pairs))
