"""Find otter-assign master notebooks, parse their questions and validate them with clear errors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from multi_cloud.grading.criteria import CRITERIA_BY_ID
from multi_cloud.grading.errors import GradingError

_CONFIG = re.compile(r"#\s+assignment\s+config\s*", re.IGNORECASE)
_HIDDEN = re.compile(r"\bhidden\b", re.IGNORECASE)


def _marker(kind: str, end: bool = False) -> re.Pattern[str]:
    return re.compile(rf"#\s+{'end' if end else 'begin'}\s+{kind}\s*", re.IGNORECASE)


_BEGIN_QUESTION, _END_QUESTION = _marker("question"), _marker("question", end=True)
_BEGIN_TESTS, _END_TESTS = _marker("tests"), _marker("tests", end=True)


@dataclass(frozen=True)
class Question:
    """One question of a master: its name, points, criterion id and how many public/hidden test cases."""

    name: str
    points: float
    criterion: str
    public_tests: int
    hidden_tests: int


@dataclass(frozen=True)
class Master:
    """A validated master notebook: where it is, its otter assignment name and its questions in order."""

    path: Path
    package: str
    notebook: str
    assignment_name: str
    questions: tuple[Question, ...]

    @property
    def points(self) -> float:
        return sum(question.points for question in self.questions)


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _first_line(cell: dict[str, Any]) -> str:
    lines = _source(cell).lstrip("\n").splitlines()
    return lines[0] if lines else ""


def _is_raw(cell: dict[str, Any], pattern: re.Pattern[str]) -> bool:
    return cell.get("cell_type") == "raw" and bool(pattern.match(_first_line(cell)))


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook's JSON; a missing or corrupt file is a GradingError naming the file and the JSON error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise GradingError(f"cannot read {path}: {err.strerror or err}", "check the path") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as err:
        raise GradingError(
            f"{path} is not a valid notebook: JSON error at line {err.lineno}, column {err.colno}: {err.msg}",
            "restore the file from git (`git checkout -- FILE`) or re-save it from Jupyter",
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise GradingError(f"{path} is not a notebook (no 'cells' list)", "pass an .ipynb notebook file")
    return notebook


def is_master(path: Path) -> bool:
    """True when the notebook's first cell is a raw ``# ASSIGNMENT CONFIG`` cell (unreadable files: False)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return False
    return bool(cells) and isinstance(cells[0], dict) and _is_raw(cells[0], _CONFIG)


def find_root(start: Path | None = None) -> Path:
    """The checkout's root: the nearest directory up from ``start`` (default: cwd) with a pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    return here


def discover(root: Path) -> list[Path]:
    """Every master under ``root``: ``<package>/notebooks/*.ipynb`` (and ``projects/*/notebooks``)."""
    found = sorted(root.glob("*/notebooks/*.ipynb")) + sorted(root.glob("projects/*/notebooks/*.ipynb"))
    return [path for path in found if is_master(path)]


def _yaml(path: Path, where: str, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise GradingError(
            f"{path}: the {where} is not valid YAML: {err}", "fix the YAML in that cell"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GradingError(f"{path}: the {where} must be YAML key: value lines", "fix that cell")
    return data


def _points(path: Path, name: str, value: Any, cases: int) -> float:
    if isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, (int, float)) and value > 0:
        return float(value)
    elif isinstance(value, list) and all(isinstance(p, (int, float)) and p >= 0 for p in value):
        if len(value) != cases:
            raise GradingError(
                f"{path}: question {name!r} lists {len(value)} point values for {cases} test cases",
                "give one value per test cell, or a single total",
            )
        return float(sum(value))
    raise GradingError(
        f"{path}: question {name!r} has points {value!r}",
        "set `points:` to a positive number in its BEGIN QUESTION cell",
    )


def _question(path: Path, config: dict[str, Any], cells: list[dict[str, Any]]) -> Question:
    name = config.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise GradingError(
            f"{path}: a question has name {name!r}",
            "give every BEGIN QUESTION cell a `name:` in snake_case (letters, digits, _)",
        )
    public = hidden = 0
    in_tests = False
    for cell in cells:
        if _is_raw(cell, _BEGIN_TESTS):
            in_tests = True
        elif _is_raw(cell, _END_TESTS):
            in_tests = False
        elif in_tests and cell.get("cell_type") == "code" and _source(cell).strip():
            first = _source(cell).lstrip().splitlines()[0]
            if first.startswith("#") and _HIDDEN.search(first):
                hidden += 1
            else:
                public += 1
    criterion_id = config.get("criterion")
    if criterion_id is None:
        raise GradingError(
            f"{path}: question {name!r} has no criterion",
            f"add `criterion: ID` to its BEGIN QUESTION cell; ids: {', '.join(CRITERIA_BY_ID)}",
        )
    if criterion_id not in CRITERIA_BY_ID:
        raise GradingError(
            f"{path}: question {name!r} has unknown criterion {criterion_id!r}",
            f"use one of: {', '.join(CRITERIA_BY_ID)}",
        )
    if public == 0:
        raise GradingError(
            f"{path}: question {name!r} has no public test",
            "add a test cell without `# HIDDEN` between its BEGIN TESTS and END TESTS cells",
        )
    if hidden == 0:
        raise GradingError(
            f"{path}: question {name!r} has no hidden test",
            "add a test cell whose first line is `# HIDDEN` between its BEGIN TESTS and END TESTS cells",
        )
    points = _points(path, name, config.get("points"), public + hidden)
    return Question(name, points, str(criterion_id), public, hidden)


def load_master(path: Path) -> Master:
    """Parse and validate one master notebook; any problem is a GradingError naming the file and the fix."""
    path = Path(path)
    cells = read_notebook(path)["cells"]
    if not cells or not _is_raw(cells[0], _CONFIG):
        raise GradingError(
            f"{path} is not a master notebook: its first cell is not a raw `# ASSIGNMENT CONFIG` cell",
            "pass a master from <package>/notebooks/ (see docs/lesson-pattern.md)",
        )
    config = _yaml(path, "ASSIGNMENT CONFIG cell", _source(cells[0]).split("\n", 1)[-1])
    assignment_name = config.get("name")
    if not isinstance(assignment_name, str) or not assignment_name.strip():
        raise GradingError(
            f"{path}: the ASSIGNMENT CONFIG has no `name:`",
            "add `name: <package>-<nn>-<topic>` to it: submissions are matched to it by that name",
        )
    questions: list[Question] = []
    open_at: int | None = None
    question_config: dict[str, Any] = {}
    for index, cell in enumerate(cells[1:], start=1):
        if _is_raw(cell, _BEGIN_QUESTION):
            if open_at is not None:
                raise GradingError(
                    f"{path}: cell {index} begins a question inside question {question_config.get('name')!r}",
                    "close each question with a raw `# END QUESTION` cell",
                )
            open_at = index
            question_config = _yaml(
                path, f"BEGIN QUESTION cell (cell {index})", _source(cell).split("\n", 1)[-1]
            )
        elif _is_raw(cell, _END_QUESTION):
            if open_at is None:
                raise GradingError(f"{path}: cell {index} ends a question never begun", "remove it")
            questions.append(_question(path, question_config, cells[open_at + 1 : index]))
            open_at = None
    if open_at is not None:
        raise GradingError(
            f"{path}: question {question_config.get('name')!r} (cell {open_at}) has no END QUESTION",
            "add a raw `# END QUESTION` cell after its tests",
        )
    if not questions:
        raise GradingError(f"{path}: no questions", "add at least one BEGIN QUESTION ... END QUESTION block")
    names = [question.name for question in questions]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise GradingError(
            f"{path}: duplicate question names: {', '.join(duplicates)}", "give every question a unique name"
        )
    package = path.resolve().parent.parent.name if path.parent.name == "notebooks" else path.parent.name
    return Master(path, package, path.stem, assignment_name.strip(), tuple(questions))


def load_masters(paths: list[Path]) -> list[Master]:
    """Load several masters; two masters with one assignment name is an error (grading could not tell)."""
    masters = [load_master(path) for path in paths]
    seen: dict[str, Path] = {}
    for master in masters:
        if master.assignment_name in seen:
            raise GradingError(
                f"{master.path} and {seen[master.assignment_name]} share the assignment name "
                f"{master.assignment_name!r}",
                "give each master's ASSIGNMENT CONFIG a unique `name:`",
            )
        seen[master.assignment_name] = master.path
    return masters
