"""Small master notebooks that need no cloud, written by fixtures, and one shared otter assign of them."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ASSIGNMENT = "fixture-01-arithmetic"


def raw(text: str) -> dict[str, Any]:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def code(text: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


def markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def question(
    name: str, points: Any, criterion: str | None, solution: str, tests: list[str]
) -> list[dict[str, Any]]:
    """One otter question; a test whose text starts with ``# HIDDEN`` is hidden."""
    config = f"# BEGIN QUESTION\nname: {name}\npoints: {points}"
    config += f"\ncriterion: {criterion}" if criterion else ""
    return [
        raw(config),
        markdown(f"**Question {name}.**"),
        raw("# BEGIN SOLUTION"),
        code(solution),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        *(code(test) for test in tests),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]


DOUBLE = question(
    "double",
    2,
    "aws.sagemaker",
    "base = 21\n# BEGIN SOLUTION\ndoubled = base * 2\n# END SOLUTION",
    ["assert isinstance(doubled, int)", "# HIDDEN\nassert doubled == 42"],
)
WORDS = question(
    "words",
    3,
    "multi.cost",
    "words = 'a b c'.split()  # SOLUTION",
    [
        "assert isinstance(words, list)",
        "# HIDDEN\nassert words == ['a', 'b', 'c']",
        "# HIDDEN\nassert len(words) == 3",
    ],
)


def notebook(cells: list[dict[str, Any]], name: str | None = ASSIGNMENT) -> dict[str, Any]:
    config = "# ASSIGNMENT CONFIG\n" + (f"name: {name}\n" if name else "")
    config += (
        "init_cell: true\ncheck_all_cell: false\nexport_cell: false\ngenerate: true\ntests:\n  files: false"
    )
    return {
        "cells": [raw(config), markdown("# Fixture: arithmetic"), *cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write(path: Path, nb: dict[str, Any]) -> Path:
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{index:02d}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fixture_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``fixtures/notebooks/01_arithmetic.ipynb``: two questions (aws.sagemaker 2 pts, multi.cost 3 pts)."""
    root = tmp_path_factory.mktemp("checkout")
    return write(
        root / "fixtures" / "notebooks" / "01_arithmetic.ipynb",
        notebook([*DOUBLE, *WORDS, code("print(len(words))")]),
    )


@pytest.fixture(scope="module")
def assigned(fixture_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One ``otter assign`` (solutions executed, every test run) shared by the module."""
    from multi_cloud.grading.assign import assign
    from multi_cloud.grading.masters import load_master

    os.environ.setdefault("CLOUDAI_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    (result,) = assign([load_master(fixture_master)], tmp_path_factory.mktemp("assignments"), run_tests=True)
    assert result.ok, result.problem()
    return result


@pytest.fixture(scope="session")
def nbk() -> SimpleNamespace:
    """The notebook builders above (test modules cannot import conftest under --import-mode=importlib)."""
    return SimpleNamespace(
        raw=raw,
        code=code,
        markdown=markdown,
        question=question,
        notebook=notebook,
        write=write,
        DOUBLE=DOUBLE,
        WORDS=WORDS,
        ASSIGNMENT=ASSIGNMENT,
    )
