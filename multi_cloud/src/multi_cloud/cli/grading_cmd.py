"""``cloudai assign``, ``cloudai grade`` and ``cloudai check``: otter-grader assignments without Docker."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from multi_cloud.grading.masters import Master

F = TypeVar("F", bound=Callable[..., None])
USAGE_ERROR = 2


def _friendly(command: F) -> F:
    """GradingErrors become the problem and the fix on stderr and exit code 2, without a traceback."""

    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> None:
        from multi_cloud.grading.errors import GradingError

        try:
            command(*args, **kwargs)
        except GradingError as err:
            print(f"cloudai: error: {err.problem}", file=sys.stderr)
            if err.fix:
                print(f"  fix: {err.fix}", file=sys.stderr)
            raise typer.Exit(USAGE_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _masters(paths: list[Path] | None) -> list[Master]:
    from multi_cloud.grading.errors import GradingError
    from multi_cloud.grading.masters import discover, find_root, load_masters

    if paths:
        return load_masters(list(paths))
    root = find_root()
    found = discover(root)
    if not found:
        raise GradingError(
            f"no master notebooks under {root} (<package>/notebooks/*.ipynb starting with a raw "
            "`# ASSIGNMENT CONFIG` cell)",
            "run this in the checkout, or pass master notebooks explicitly",
        )
    return load_masters(found)


@_friendly
def assign(
    masters: list[Path] | None = typer.Argument(
        None, help="Master notebooks; default: every master in the checkout."
    ),
    out: Path = typer.Option(
        Path("build/assignments"), "--out", help="Where <package>/<notebook>/ builds go."
    ),
    learner: Path | None = typer.Option(
        None,
        "--learner",
        help="Write ONLY the student notebooks to DIR/<package>/<notebook>.ipynb (no tests run).",
    ),
    force: bool = typer.Option(
        False, "--force", help="With --learner: back up and replace existing notebooks."
    ),
    no_run_tests: bool = typer.Option(
        False, "--no-run-tests", help="Do not execute the solutions and run the tests."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Parallel otter runs (default: CPU count)."
    ),
) -> None:
    """Generate student versions and autograder zips from master notebooks (otter assign)."""
    from multi_cloud.grading.assign import assign as run_assign
    from multi_cloud.grading.assign import learner_copies

    found = _masters(masters)
    if learner is not None:
        for copy in learner_copies(found, learner, force=force, jobs=jobs):
            if copy.action == "skipped":
                typer.echo(
                    f"kept     {copy.path} (already there: your work is not overwritten; --force backs it up)"
                )
            elif copy.action == "replaced":
                typer.echo(f"replaced {copy.path} (your previous version: {copy.backup})")
            else:
                typer.echo(f"wrote    {copy.path}")
        return
    if force:
        typer.echo("note: --force only applies with --learner", err=True)
    started = time.monotonic()

    def done(result: object) -> None:
        from multi_cloud.grading.assign import AssignResult

        assert isinstance(result, AssignResult)
        master = result.assignment.master
        if result.ok:
            typer.echo(f"ok      {master.path} -> {result.assignment.directory} ({result.run.seconds:.1f} s)")
        else:
            typer.echo(f"FAILED  {master.path} ({result.run.seconds:.1f} s):\n{result.problem()}\n")

    results = run_assign(found, out, run_tests=not no_run_tests, jobs=jobs, on_done=done)
    failed = [result for result in results if not result.ok]
    typer.echo(
        f"{len(results) - len(failed)}/{len(results)} masters assigned in {time.monotonic() - started:.1f} s"
        + ("" if no_run_tests else " (solutions executed, every test run)")
    )
    if failed:
        raise typer.Exit(1)


@_friendly
def grade(
    submissions: list[Path] = typer.Argument(
        ..., help="Submission notebooks and/or folders of them (recursive)."
    ),
    out: Path = typer.Option(
        Path("build/grades"), "--out", help="Folder for grades.csv, grades.md, grades.json."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=1, help="Parallel gradings (default: CPU count)."
    ),
    timeout: float = typer.Option(600.0, "--timeout", help="Seconds before one grading is stopped."),
    master: list[Path] | None = typer.Option(
        None, "--master", help="Master notebook(s) to grade against; default: every master in the checkout."
    ),
    assignments: Path = typer.Option(
        Path("build/assignments"),
        "--assignments",
        help="Where the autograder zips are (built there if missing).",
    ),
) -> None:
    """Grade submissions per assessment criterion with otter run (no Docker), in parallel."""
    from multi_cloud.grading.grade import SubmissionGrade, collect
    from multi_cloud.grading.grade import grade as run_grade
    from multi_cloud.grading.report import summary_line, write_reports

    started = time.monotonic()
    collect(list(submissions))  # a wrong path is reported before anything else

    def done(result: SubmissionGrade) -> None:
        typer.echo(summary_line(result))

    grades = run_grade(
        list(submissions), _masters(master), build_dir=assignments, jobs=jobs, timeout=timeout, on_done=done
    )
    files = write_reports(grades, out)
    wall = time.monotonic() - started
    not_graded = [g for g in grades if not g.graded]
    typer.echo(
        f"{len(grades) - len(not_graded)}/{len(grades)} graded in {wall:.1f} s "
        f"({wall / max(1, len(grades)):.1f} s per submission wall, "
        f"{sum(g.seconds for g in grades) / max(1, len(grades)):.1f} s each)"
    )
    extra = f"  {files.learners_csv}" if files.learners_csv else ""
    typer.echo(f"reports: {files.csv}  {files.markdown}  {files.json}{extra}")
    typer.echo("overall = mean of the assessed groups (25 % each); groups without questions are not assessed")
    if not_graded:
        raise typer.Exit(1)


@_friendly
def check(
    notebook: Path = typer.Argument(..., help="Your notebook (a student version)."),
    question: str | None = typer.Option(None, "-q", "--question", help="Check only this question."),
) -> None:
    """Run your notebook and its public tests, as the grader will; print pass/fail per question."""
    from multi_cloud.grading.check import check as run_check

    results = run_check(notebook, question)
    for result in results:
        typer.echo(f"{'PASS' if result.passed else 'FAIL'}  {result.question}")
        if not result.passed:
            typer.echo("      " + result.output.replace("\n", "\n      "))
    passed = sum(result.passed for result in results)
    typer.echo(f"{passed}/{len(results)} questions pass their public tests (hidden tests are graded later)")
    if passed < len(results):
        raise typer.Exit(1)
