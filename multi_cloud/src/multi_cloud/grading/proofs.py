"""CI proofs (``nox -s grading``): solutions 100 %, blank 0, partial in between, edited tests no gain."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from multi_cloud.grading.assign import assign
from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import Master, discover, find_root, load_masters
from multi_cloud.grading.submissions import edit_tests, fill_solutions, write_notebook

KINDS = ("solution", "blank", "partial", "tests_edited")


def build_submissions(masters: list[Master], assignments: Path, out: Path) -> dict[Path, tuple[Master, str]]:
    """The four proof submissions of every master, written under ``out/<notebook>/<kind>.ipynb``."""
    from multi_cloud.grading.assign import Assignment, assignment_dir
    from multi_cloud.grading.masters import read_notebook

    made: dict[Path, tuple[Master, str]] = {}
    for master in masters:
        built = Assignment(master, assignment_dir(master, assignments))
        folder = out / master.package / master.notebook
        blank = read_notebook(built.student)
        notebooks = {
            "solution": read_notebook(built.solution),
            "blank": blank,
            "partial": fill_solutions(built.student, built.solution, [master.questions[0].name]),
            "tests_edited": edit_tests(blank),
        }
        for kind, notebook in notebooks.items():
            made[write_notebook(notebook, folder / f"{kind}.ipynb").resolve()] = (master, kind)
    return made


def verify(grades: list[dict[str, Any]], made: dict[Path, tuple[Master, str]]) -> list[str]:
    """Every broken proof, as a sentence (empty: all proofs hold)."""
    broken: list[str] = []
    blank_scores: dict[str, float] = {}
    by_kind: dict[tuple[str, str], dict[str, Any]] = {}
    for grade in grades:
        master, kind = made[Path(grade["submission"]).resolve()]
        by_kind[(master.assignment_name, kind)] = grade
    for master, kind in made.values():
        found = by_kind.get((master.assignment_name, kind))
        label = f"{master.notebook} {kind}"
        if found is None or found["status"] != "graded":
            broken.append(
                f"{label}: not graded ({found['status'] if found else 'missing'}: {found and found['error']})"
            )
            continue
        earned, possible = found["earned"], found["possible"]
        if kind == "solution":
            short = [q["name"] for q in found["questions"] if q["score"] < q["max_score"]]
            if short:
                why = "\n".join(q["failed_output"] for q in found["questions"] if q["name"] in short)
                broken.append(
                    f"{label}: the solutions lose points on {', '.join(short)} (must be 100 %)\n{why}"
                )
        elif kind == "blank":
            blank_scores[master.assignment_name] = earned
            scored = [q["name"] for q in found["questions"] if q["score"] > 0]
            if scored:
                broken.append(f"{label}: the blank student version scores on {', '.join(scored)} (must be 0)")
        elif kind == "partial" and not 0 < earned < possible:
            why = "\n".join(q["failed_output"] for q in found["questions"][:1] if q["score"] < q["max_score"])
            bounds = f"{earned:g}/{possible:g}, must be strictly between 0 and {possible:g}"
            broken.append(f"{label}: {bounds}\n{why}".rstrip())
    for (name, kind), grade in by_kind.items():
        if (
            kind == "tests_edited"
            and grade["status"] == "graded"
            and grade["earned"] > blank_scores.get(name, 0.0)
        ):
            broken.append(
                f"{name} tests_edited: editing the tests gained {grade['earned']:g} points over blank"
            )
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m multi_cloud.grading.proofs",
        description="Assign the masters with every test run, then grade each one's solution, blank "
        "student version, partial and tests-edited submissions (cloudai grade); exit 1 on a broken proof.",
    )
    parser.add_argument("masters", nargs="*", type=Path, help="default: every master in the checkout")
    parser.add_argument("--out", type=Path, default=Path("build/grading-proofs"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    try:
        paths = args.masters or discover(find_root())
        if not paths:
            print("grading proofs: no master notebooks in this checkout yet; nothing to prove")
            return 0
        masters = load_masters(paths)
        shutil.rmtree(args.out, ignore_errors=True)
        assignments, submissions = args.out / "assignments", args.out / "submissions"
        started = time.monotonic()
        results = assign(masters, assignments, run_tests=True, jobs=args.jobs)
        print(f"otter assign with every test run on the solutions: {time.monotonic() - started:.1f} s")
        failed = [r for r in results if not r.ok]
        if failed:  # once more, one at a time: a broken solution fails twice, a machine hiccup only once
            for result in failed:
                print(f"RETRY {result.assignment.master.path} (first run failed):\n{result.problem()}")
            retried = [result.assignment.master for result in failed]
            failed = [r for r in assign(retried, assignments, run_tests=True, jobs=1) if not r.ok]
        for result in failed:
            print(f"FAILED {result.assignment.master.path}: a solution fails its tests\n{result.problem()}")
        if failed:
            return 1
        made = build_submissions(masters, assignments, submissions)
    except GradingError as err:
        print(f"grading proofs: {err}", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "multi_cloud.cli.main", "grade", str(submissions)]
    command += [arg for m in masters for arg in ("--master", str(m.path))]
    command += [
        "--assignments",
        str(assignments),
        "--out",
        str(args.out / "grades"),
        "--timeout",
        f"{args.timeout:g}",
    ]
    command += ["--jobs", str(args.jobs)] if args.jobs else []
    started = time.monotonic()
    subprocess.run(command, check=False)
    wall = time.monotonic() - started
    grades = json.loads((args.out / "grades" / "grades.json").read_text(encoding="utf-8"))["submissions"]
    print(f"\n{'notebook':<40} {'submission':<13} {'score':>14} {'overall':>9} {'seconds':>8}")
    for grade in grades:
        master, kind = made[Path(grade["submission"]).resolve()]
        overall = "—" if grade["overall_percent"] is None else f"{grade['overall_percent']:.1f} %"
        score = (
            f"{grade['earned']:g}/{grade['possible']:g}" if grade["status"] == "graded" else grade["status"]
        )
        print(f"{master.notebook:<40} {kind:<13} {score:>14} {overall:>9} {grade['seconds']:>8.1f}")
    print(
        f"{len(grades)} submissions graded in {wall:.1f} s wall: "
        f"{wall / max(1, len(grades)):.1f} s per submission"
    )
    broken = verify(grades, made)
    for problem in broken:
        print(f"BROKEN PROOF: {problem}")
    if not broken:
        print(
            "all grading proofs hold: solutions 100 %, blank 0, partial in between, edited tests gain nothing"
        )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
