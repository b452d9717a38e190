"""Make test submissions from a student version: solutions filled in, tests edited, check cells removed."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import read_notebook

_CHECK = re.compile(r"""^\s*grader\.check\(\s*["'](\w+)["']\s*\)\s*$""")


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def check_question(cell: dict[str, Any]) -> str | None:
    """The question a ``grader.check("name")`` cell checks, or None for any other cell."""
    match = _CHECK.match(_source(cell)) if cell.get("cell_type") == "code" else None
    return match.group(1) if match else None


def fill_solutions(student: Path, solution: Path, questions: list[str]) -> dict[str, Any]:
    """The student version with the given questions' answer cells taken from the solution notebook.

    ``otter assign`` writes both with the same cells in the same order; a question's answer cells are the
    code cells before its ``grader.check`` cell (after the previous one) that differ between the two.
    """
    blank, solved = read_notebook(student), read_notebook(solution)
    if len(blank["cells"]) != len(solved["cells"]):
        raise GradingError(
            f"{student} and {solution} have different cells", "use the pair written by one `otter assign` run"
        )
    result = copy.deepcopy(blank)
    wanted, start = set(questions), 0
    for index, cell in enumerate(blank["cells"]):
        question = check_question(cell)
        if question is None:
            continue
        if question in wanted:
            for i in range(start, index):
                if result["cells"][i].get("cell_type") == "code" and _source(blank["cells"][i]) != _source(
                    solved["cells"][i]
                ):
                    result["cells"][i]["source"] = solved["cells"][i]["source"]
            wanted.discard(question)
        start = index + 1
    if wanted:
        raise GradingError(
            f"{student}: no grader.check cell for {', '.join(sorted(wanted))}",
            "generate the student version with otter assign (init_cell: true, check cells kept)",
        )
    return result


def edit_tests(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy whose embedded tests (``metadata.otter.tests``) all pass: what a cheating learner would do."""
    result = copy.deepcopy(notebook)
    for test in result.get("metadata", {}).get("otter", {}).get("tests", {}).values():
        for suite in test.get("suites", []):
            for case in suite.get("cases", []):
                case["code"] = ">>> assert True\n"
    return result


def drop_check_cells(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy without its ``grader.check`` cells (a learner may delete them)."""
    result = copy.deepcopy(notebook)
    result["cells"] = [cell for cell in result["cells"] if check_question(cell) is None]
    return result


def write_notebook(notebook: dict[str, Any], path: Path) -> Path:
    """Write a notebook's JSON (parent folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return path
