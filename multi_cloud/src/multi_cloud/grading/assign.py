"""Generate student versions and autograder zips from masters (``otter assign``), in parallel."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import Master
from multi_cloud.grading.runner import Run, require_otter, run_otter

DEFAULT_OUT = Path("build/assignments")
ASSIGN_TIMEOUT = 900.0


@dataclass(frozen=True)
class Assignment:
    """What ``otter assign`` built for one master: student version, solution notebook, autograder zip."""

    master: Master
    directory: Path

    @property
    def student(self) -> Path:
        return self.directory / "student" / f"{self.master.notebook}.ipynb"

    @property
    def solution(self) -> Path:
        return self.directory / "autograder" / f"{self.master.notebook}.ipynb"

    @property
    def autograder_zip(self) -> Path | None:
        zips = sorted((self.directory / "autograder").glob("*-autograder_*.zip"))
        return zips[-1] if zips else None

    def is_fresh(self) -> bool:
        """Built, and newer than its master."""
        built = self.autograder_zip
        return (
            built is not None
            and self.student.is_file()
            and built.stat().st_mtime >= self.master.path.stat().st_mtime
        )


@dataclass(frozen=True)
class AssignResult:
    """One master's ``otter assign`` run: the assignment, the process result, and whether it worked."""

    assignment: Assignment
    run: Run
    ok: bool

    def problem(self, lines: int = 25) -> str:
        """The tail of otter's output (its failing test or traceback) when it did not work."""
        if self.run.timed_out:
            return f"otter assign timed out after {self.run.seconds:.0f} s"
        return "\n".join(self.run.output.rstrip().splitlines()[-lines:])


def assignment_dir(master: Master, out: Path) -> Path:
    """``<out>/<package>/<notebook>``: where ``assign`` writes that master's student and autograder dirs."""
    return out / master.package / master.notebook


def _assign_one(master: Master, out: Path, run_tests: bool, timeout: float) -> AssignResult:
    target = assignment_dir(master, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{master.notebook}-", dir=target.parent)).resolve()
    try:
        args = [
            "assign",
            *([] if run_tests else ["--no-run-tests"]),
            str(master.path.resolve()),
            str(staging),
        ]
        run = run_otter(args, timeout=timeout, cwd=master.path.parent)
        succeeded = run.returncode == 0 and Assignment(master, staging).autograder_zip is not None
        if succeeded:
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        return AssignResult(Assignment(master, target), run, succeeded)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def assign(
    masters: list[Master],
    out: Path = DEFAULT_OUT,
    *,
    run_tests: bool = True,
    jobs: int | None = None,
    timeout: float = ASSIGN_TIMEOUT,
    on_done: Callable[[AssignResult], None] | None = None,
) -> list[AssignResult]:
    """Run ``otter assign`` for every master in parallel; a failing master does not stop the others.

    With ``run_tests`` otter executes each master and runs every test on its solutions (a failing test
    makes that master's result not ok). The previous build of a master is replaced only on success.
    """
    require_otter()
    out = Path(out)

    def one(master: Master) -> AssignResult:
        result = _assign_one(master, out, run_tests, timeout)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        return list(pool.map(one, masters))


def ensure_assigned(
    masters: list[Master], out: Path = DEFAULT_OUT, *, jobs: int | None = None
) -> list[Assignment]:
    """The assignments of ``masters``; those missing or older than their master are built (tests not run)."""
    stale = [master for master in masters if not Assignment(master, assignment_dir(master, out)).is_fresh()]
    failed = (
        [result for result in assign(stale, out, run_tests=False, jobs=jobs) if not result.ok]
        if stale
        else []
    )
    if failed:
        raise GradingError(
            "otter assign failed for "
            + ", ".join(str(result.assignment.master.path) for result in failed)
            + ":\n"
            + failed[0].problem(),
            "fix the master (run `cloudai assign MASTER` to see otter's full output)",
        )
    return [Assignment(master, assignment_dir(master, out)) for master in masters]


@dataclass(frozen=True)
class LearnerCopy:
    """Where one student version went in a learner's workspace: written, skipped (kept) or replaced."""

    master: Master
    path: Path
    action: str
    backup: Path | None = None


def learner_copies(
    masters: list[Master], workspace: Path, *, force: bool = False, jobs: int | None = None
) -> list[LearnerCopy]:
    """Write ONLY the student versions to ``<workspace>/<package>/<notebook>.ipynb``; never lose work.

    An existing notebook there is kept (action "skipped"); with ``force`` it is first moved to
    ``<notebook>.backup-<timestamp>.ipynb`` (action "replaced"). No tests run, so this is quick.
    """
    workspace = Path(workspace)

    def destination(master: Master) -> Path:
        return workspace / master.package / f"{master.notebook}.ipynb"

    kept = [
        LearnerCopy(m, destination(m), "skipped") for m in masters if destination(m).exists() and not force
    ]
    todo = [master for master in masters if force or not destination(master).exists()]
    with tempfile.TemporaryDirectory(prefix="cloudai-learner-") as scratch:
        results = assign(todo, Path(scratch), run_tests=False, jobs=jobs) if todo else []
        failed = [result for result in results if not result.ok]
        if failed:
            raise GradingError(
                f"otter assign failed for {failed[0].assignment.master.path}:\n{failed[0].problem()}",
                "fix that master, or pass only the others",
            )
        copies = {copy.master.path: copy for copy in kept}
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for result in results:
            master = result.assignment.master
            target = destination(master)
            target.parent.mkdir(parents=True, exist_ok=True)
            backup: Path | None = None
            if target.exists():
                backup = _free_name(target.with_name(f"{master.notebook}.backup-{stamp}.ipynb"))
                os.replace(target, backup)
            shutil.copyfile(result.assignment.student, target)
            copies[master.path] = LearnerCopy(master, target, "replaced" if backup else "written", backup)
    return [copies[master.path] for master in masters]


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
