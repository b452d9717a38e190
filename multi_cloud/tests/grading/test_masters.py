"""Masters: discovery, parsing, and each validation error (no otter run)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from multi_cloud.grading.criteria import CRITERIA, CRITERIA_BY_ID, GROUPS, criterion
from multi_cloud.grading.errors import GradingError
from multi_cloud.grading.masters import Question, discover, is_master, load_master, load_masters


def test_sixteen_criteria_in_four_groups_of_25_percent() -> None:
    assert len(CRITERIA) == 16
    assert [g.weight for g in GROUPS] == [25.0] * 4
    for group in GROUPS:
        assert len([c for c in CRITERIA if c.group == group.id]) == 4
    assert criterion("aws.sagemaker").title == "SageMaker platform proficiency"
    assert CRITERIA_BY_ID["multi.disaster_recovery"].title == "Disaster recovery planning"
    with pytest.raises(GradingError, match="aws.serverless"):
        criterion("aws.lambda")


def test_parses_questions_points_criteria_and_test_counts(nbk: SimpleNamespace, tmp_path: Path) -> None:
    path = nbk.write(tmp_path / "aws" / "notebooks" / "01_x.ipynb", nbk.notebook([*nbk.DOUBLE, *nbk.WORDS]))
    master = load_master(path)
    assert master.assignment_name == "fixture-01-arithmetic"
    assert (master.package, master.notebook) == ("aws", "01_x")
    assert master.questions == (
        Question("double", 2.0, "aws.sagemaker", 1, 1),
        Question("words", 3.0, "multi.cost", 1, 2),
    )
    assert master.points == 5.0


def test_discovers_only_masters(nbk: SimpleNamespace, tmp_path: Path) -> None:
    master = nbk.write(tmp_path / "aws" / "notebooks" / "01_master.ipynb", nbk.notebook([*nbk.DOUBLE]))
    plain = nbk.write(tmp_path / "aws" / "notebooks" / "02_plain.ipynb", nbk.notebook([*nbk.DOUBLE]))
    plain.write_text(plain.read_text().replace("# ASSIGNMENT CONFIG", "# NOTES"))
    (tmp_path / "aws" / "notebooks" / "03_broken.ipynb").write_text("{not json")
    assert discover(tmp_path) == [master]
    assert is_master(master) and not is_master(plain)


def _error(
    nbk: SimpleNamespace, tmp_path: Path, cells: list, name: str | None = "fixture-01-arithmetic"
) -> str:
    path = nbk.write(tmp_path / "pkg" / "notebooks" / "bad.ipynb", nbk.notebook(cells, name=name))
    with pytest.raises(GradingError) as caught:
        load_master(path)
    assert str(path) in caught.value.problem
    return str(caught.value)


def test_unknown_criterion_lists_the_valid_ids(nbk: SimpleNamespace, tmp_path: Path) -> None:
    cells = nbk.question("q", 1, "aws.lambda", "x = 1  # SOLUTION", ["assert x", "# HIDDEN\nassert x == 1"])
    message = _error(nbk, tmp_path, cells)
    assert "unknown criterion 'aws.lambda'" in message
    assert all(c.id in message for c in CRITERIA)


def test_missing_criterion(nbk: SimpleNamespace, tmp_path: Path) -> None:
    cells = nbk.question("q", 1, None, "x = 1  # SOLUTION", ["assert x", "# HIDDEN\nassert x == 1"])
    assert "has no criterion" in _error(nbk, tmp_path, cells)


def test_question_without_public_test(nbk: SimpleNamespace, tmp_path: Path) -> None:
    cells = nbk.question("q", 1, "aws.cost", "x = 1  # SOLUTION", ["# HIDDEN\nassert x == 1"])
    assert "'q' has no public test" in _error(nbk, tmp_path, cells)


def test_question_without_hidden_test(nbk: SimpleNamespace, tmp_path: Path) -> None:
    cells = nbk.question("q", 1, "aws.cost", "x = 1  # SOLUTION", ["assert x == 1"])
    assert "'q' has no hidden test" in _error(nbk, tmp_path, cells)


def test_duplicate_question_names(nbk: SimpleNamespace, tmp_path: Path) -> None:
    assert "duplicate question names: double" in _error(nbk, tmp_path, [*nbk.DOUBLE, *nbk.DOUBLE])


def test_bad_points_and_unclosed_question_and_missing_name(nbk: SimpleNamespace, tmp_path: Path) -> None:
    cells = nbk.question("q", "lots", "aws.cost", "x = 1  # SOLUTION", ["assert x", "# HIDDEN\nassert x"])
    assert "points 'lots'" in _error(nbk, tmp_path, cells)
    assert "has no END QUESTION" in _error(nbk, tmp_path, nbk.DOUBLE[:-1])
    assert "no `name:`" in _error(nbk, tmp_path, nbk.DOUBLE, name=None)


def test_corrupt_notebook_names_the_file_and_the_json_error(nbk: SimpleNamespace, tmp_path: Path) -> None:
    path = tmp_path / "pkg" / "notebooks" / "corrupt.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text('{"cells": [\n  {"cell_type": "raw",,}\n]}')
    with pytest.raises(GradingError) as caught:
        load_master(path)
    assert str(path) in str(caught.value) and "line 2" in str(caught.value)
    assert "git checkout" in caught.value.fix


def test_not_a_master(nbk: SimpleNamespace, tmp_path: Path) -> None:
    path = nbk.write(tmp_path / "plain.ipynb", {"cells": [nbk.code("x = 1")], "metadata": {}})
    with pytest.raises(GradingError, match="ASSIGNMENT CONFIG"):
        load_master(path)


def test_two_masters_with_one_assignment_name(nbk: SimpleNamespace, tmp_path: Path) -> None:
    first = nbk.write(tmp_path / "a" / "notebooks" / "01.ipynb", nbk.notebook([*nbk.DOUBLE]))
    second = nbk.write(tmp_path / "b" / "notebooks" / "01.ipynb", nbk.notebook([*nbk.WORDS]))
    with pytest.raises(GradingError, match="share the assignment name"):
        load_masters([first, second])
