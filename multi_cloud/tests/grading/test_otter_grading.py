"""Assign, learner mode, grade, reports and check with the real otter-grader (few otter runs, shared)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from multi_cloud.grading.assign import AssignResult, learner_copies
from multi_cloud.grading.check import check
from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.grade import SubmissionGrade, grade
from multi_cloud.grading.masters import load_master, read_notebook
from multi_cloud.grading.report import write_reports
from multi_cloud.grading.submissions import drop_check_cells, edit_tests, fill_solutions, write_notebook

pytestmark = pytest.mark.timeout(900)


def _cells(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in read_notebook(path)["cells"]]


def _set_answer(notebook: dict[str, Any], stub: str, answer: str) -> dict[str, Any]:
    for cell in notebook["cells"]:
        if "".join(cell["source"]).strip() == stub:
            cell["source"] = answer
            return notebook
    raise AssertionError(f"no cell {stub!r}")


def test_assign_stubs_solutions_and_removes_hidden_tests(assigned: AssignResult) -> None:
    student = "\n".join(_cells(assigned.assignment.student))
    assert "doubled = base * 2" not in student and "'a b c'.split()" not in student
    assert "base = 21" in student and "words = ..." in student
    assert "BEGIN QUESTION" not in student and "HIDDEN" not in student
    tests = read_notebook(assigned.assignment.student)["metadata"]["otter"]["tests"]
    cases = [case for test in tests.values() for suite in test["suites"] for case in suite["cases"]]
    assert len(cases) == 2 and not any(case["hidden"] for case in cases)
    assert "doubled == 42" not in json.dumps(tests)
    assert assigned.assignment.autograder_zip is not None
    assert "doubled = base * 2" in "\n".join(_cells(assigned.assignment.solution))


def test_learner_mode_never_overwrites(fixture_master: Path, tmp_path: Path) -> None:
    master = load_master(fixture_master)
    (first,) = learner_copies([master], tmp_path)
    assert first.action == "written" and first.path == tmp_path / "fixtures" / "01_arithmetic.ipynb"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["01_arithmetic.ipynb"]
    work = first.path.read_text().replace("words = ...", "words = ['my', 'work']")
    first.path.write_text(work)
    (again,) = learner_copies([master], tmp_path)
    assert again.action == "skipped" and first.path.read_text() == work
    (forced,) = learner_copies([master], tmp_path, force=True)
    assert forced.action == "replaced" and forced.backup is not None
    assert forced.backup.read_text() == work and "words = ..." in forced.path.read_text()


@pytest.fixture(scope="module")
def batch(assigned: AssignResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Seven submissions: six in one parallel batch (one crashes), and alongside it a sleeper timing out."""
    built = assigned.assignment
    folder = tmp_path_factory.mktemp("submissions")
    blank = read_notebook(built.student)
    partial = _set_answer(
        fill_solutions(built.student, built.solution, ["double"]), "words = ...", "words = list('xyz')"
    )
    sleeper = json.loads(json.dumps(blank))
    sleeper["cells"].insert(
        1,
        {
            "cell_type": "code",
            "metadata": {},
            "source": "import time\ntime.sleep(3600)",
            "outputs": [],
            "execution_count": None,
        },
    )
    crash = {
        "cells": [{"cell_type": "code", "source": 5, "metadata": {}}],
        "metadata": blank["metadata"],
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    paths = {
        "solution": write_notebook(read_notebook(built.solution), folder / "main" / "solution.ipynb"),
        "blank": write_notebook(blank, folder / "main" / "blank.ipynb"),
        "partial": write_notebook(partial, folder / "main" / "nested" / "partial.ipynb"),
        "tests_edited": write_notebook(edit_tests(blank), folder / "main" / "tests_edited.ipynb"),
        "no_checks": write_notebook(drop_check_cells(partial), folder / "main" / "no_checks.ipynb"),
        "sleeper": write_notebook(sleeper, folder / "slow" / "sleeper.ipynb"),
        "crash": write_notebook(crash, folder / "main" / "crash.ipynb"),
    }
    master, out = built.master, built.directory.parent.parent
    with ThreadPoolExecutor(max_workers=1) as background:  # the sleeper times out while the others run
        slow = background.submit(grade, [folder / "slow"], [master], build_dir=out, timeout=30)
        graded = grade([folder / "main"], [master], build_dir=out, jobs=3)
        graded += slow.result()
    by_path = {g.path.resolve(): g for g in graded}
    reports = write_reports(graded, tmp_path_factory.mktemp("reports"))
    return {
        "grades": {kind: by_path[path.resolve()] for kind, path in paths.items()},
        "reports": reports,
        "all": graded,
        "paths": paths,
    }


def _scores(result: SubmissionGrade) -> dict[str, float]:
    assert result.graded, result.error
    return {q.name: q.score for q in result.questions}


def test_solutions_score_100_blank_0_partial_in_between(batch: dict[str, Any]) -> None:
    grades = batch["grades"]
    assert _scores(grades["solution"]) == {"double": 2.0, "words": 3.0}
    assert grades["solution"].summary.overall == pytest.approx(100.0)
    assert _scores(grades["blank"]) == {"double": 0.0, "words": 0.0}
    assert grades["blank"].summary.overall == 0.0
    # partial credit per test case: words = list("xyz") passes 2 of its 3 cases (2 of 3 points)
    assert _scores(grades["partial"]) == {"double": 2.0, "words": pytest.approx(2.0)}
    groups = {g.id: g for g in grades["partial"].summary.groups}
    assert groups["aws"].percent == 100.0 and groups["multi"].percent == pytest.approx(200 / 3)
    assert not groups["gcp"].assessed and not groups["azure"].assessed
    assert grades["partial"].summary.overall == pytest.approx((100 + 200 / 3) / 2)


def test_edited_tests_and_deleted_check_cells_gain_nothing(batch: dict[str, Any]) -> None:
    grades = batch["grades"]
    assert _scores(grades["tests_edited"]) == _scores(grades["blank"])
    assert _scores(grades["no_checks"]) == _scores(grades["partial"])


def test_timeout_and_crash_are_reported_without_killing_the_batch(batch: dict[str, Any]) -> None:
    grades = batch["grades"]
    assert grades["sleeper"].status == "timeout" and "30 s" in grades["sleeper"].error
    assert grades["sleeper"].seconds < 60
    assert grades["crash"].status == "error" and "exited" in grades["crash"].error
    assert sum(g.graded for g in batch["all"]) == 5


def test_reports_are_written_and_consistent(batch: dict[str, Any]) -> None:
    reports = batch["reports"]
    rows = list(csv.DictReader(reports.csv.open()))
    graded = [r for r in rows if r["status"] == "graded"]
    assert len(graded) == 5 * 2 and {r["criterion"] for r in graded} == {"aws.sagemaker", "multi.cost"}
    partial_rows = [r for r in graded if r["submission"].endswith("partial.ipynb")]
    assert sorted((r["question"], float(r["score"]), float(r["max_score"])) for r in partial_rows) == [
        ("double", 2.0, 2.0),
        ("words", 2.0, 3.0),
    ]
    assert {r["status"] for r in rows if r not in graded} == {"timeout", "error"}
    data = json.loads(reports.json.read_text())
    by_name = {Path(s["submission"]).name: s for s in data["submissions"]}
    assert by_name["partial.ipynb"]["earned"] == pytest.approx(4.0)
    assert by_name["partial.ipynb"]["overall_percent"] == pytest.approx(
        batch["grades"]["partial"].summary.overall
    )
    questions = {q["name"]: q for q in by_name["partial.ipynb"]["questions"]}
    assert questions["double"]["failed_output"] == ""
    assert "assert words == ['a', 'b', 'c']" in questions["words"]["failed_output"]
    groups = {g["id"]: g for g in by_name["partial.ipynb"]["groups"]}
    assert groups["gcp"]["assessed"] is False and groups["gcp"]["percent"] is None
    markdown = reports.markdown.read_text()
    assert "not assessed" in markdown and "83.3 %" in markdown and "TIMEOUT" in markdown
    assert "`multi.cost` Cost optimization across platforms" in markdown


def test_unknown_or_missing_assignment_is_a_clear_error(assigned: AssignResult, tmp_path: Path) -> None:
    student = read_notebook(assigned.assignment.student)
    student["metadata"]["otter"]["assignment_name"] = "aws-99-nope"
    unknown = write_notebook(student, tmp_path / "unknown.ipynb")
    del student["metadata"]["otter"]
    missing = write_notebook(student, tmp_path / "missing.ipynb")
    master = assigned.assignment.master
    with pytest.raises(GradingError) as caught:
        grade([tmp_path], [master], build_dir=tmp_path / "never")
    message = str(caught.value)
    assert "'aws-99-nope' is unknown" in message and "no metadata.otter.assignment_name" in message
    assert f"known assignments: {master.assignment_name}" in message
    assert str(unknown) in message and str(missing) in message
    assert not (tmp_path / "never").exists()


def test_check_runs_public_tests_for_a_learner(assigned: AssignResult, tmp_path: Path) -> None:
    built = assigned.assignment
    half = write_notebook(fill_solutions(built.student, built.solution, ["double"]), tmp_path / "mine.ipynb")
    results = {r.question: r for r in check(half)}
    assert results["double"].passed and results["double"].output == ""
    assert not results["words"].passed and "isinstance(words, list)" in results["words"].output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.ipynb"]
    with pytest.raises(GradingError, match="use one of: double, words"):
        check(half, "nope")


def _cloudai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLOUDAI_STATE_DIR": str(cwd / "state")}
    return subprocess.run(
        [sys.executable, "-m", "multi_cloud.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_cli_errors_print_problem_and_fix_with_exit_code_2(tmp_path: Path, nbk: SimpleNamespace) -> None:
    result = _cloudai("grade", "nothing-here.ipynb", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "no such file or folder: nothing-here.ipynb" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr
    bad = nbk.write(
        tmp_path / "pkg" / "notebooks" / "01.ipynb",
        nbk.notebook(
            nbk.question("q", 1, "aws.lambda", "x = 1  # SOLUTION", ["assert x", "# HIDDEN\nassert x"])
        ),
    )
    result = _cloudai("assign", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and "unknown criterion 'aws.lambda'" in result.stderr
    assert "aws.sagemaker" in result.stderr and "Traceback" not in result.stderr
    result = _cloudai("assign", cwd=tmp_path / "pkg")
    assert result.returncode == 2 and "no master notebooks" in result.stderr
