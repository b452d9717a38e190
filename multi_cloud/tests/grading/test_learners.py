"""Per-learner totals: a folder per learner, every assignment of the batch expected, a missing one 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from multi_cloud.grading.grade import SubmissionGrade
from multi_cloud.grading.learners import by_learner
from multi_cloud.grading.masters import Master, Question
from multi_cloud.grading.report import write_reports
from multi_cloud.grading.scoring import QuestionScore

TRAIN = Master(
    Path("aws_ai_services/notebooks/01_train.ipynb"),
    "aws_ai_services",
    "01_train",
    "aws-01",
    (Question("fit", 4, "aws.sagemaker", 1, 1), Question("spot", 2, "aws.cost", 1, 1)),
)
VISION = Master(
    Path("aws_ai_services/notebooks/02_vision.ipynb"),
    "aws_ai_services",
    "02_vision",
    "aws-02",
    (Question("faces", 3, "aws.ai_services", 1, 1),),
)


def graded(path: str, master: Master, *scores: float) -> SubmissionGrade:
    questions = tuple(
        QuestionScore(q.name, q.criterion, score, q.points)
        for q, score in zip(master.questions, scores, strict=True)
    )
    return SubmissionGrade(Path(path), master, "graded", questions, seconds=1.0)


def test_a_missing_notebook_counts_zero_and_never_raises_the_percentage() -> None:
    grades = [
        graded("subs/ada/01_train.ipynb", TRAIN, 4, 1),
        graded("subs/ada/02_vision.ipynb", VISION, 3),
        graded("subs/bob/01_train.ipynb", TRAIN, 2, 2),
    ]
    learners, why_not = by_learner(grades)
    assert why_not == ""
    ada, bob = learners
    assert (ada.learner, ada.earned, ada.possible, ada.missing) == ("ada", 8, 9, ())
    assert (bob.learner, bob.earned, bob.possible, bob.missing) == ("bob", 4, 9, ("aws-02",))
    bob_criteria = {t.id: t.percent for t in bob.summary.criteria if t.assessed}
    assert bob_criteria == {"aws.sagemaker": 50.0, "aws.cost": 100.0, "aws.ai_services": 0.0}
    assert bob.summary.overall == pytest.approx(100 * 4 / 9)


def test_a_crashed_grading_counts_zero_for_its_learner() -> None:
    crashed = SubmissionGrade(Path("subs/bob/02_vision.ipynb"), VISION, "timeout", error="timed out")
    learners, _ = by_learner([graded("subs/ada/02_vision.ipynb", VISION, 3), crashed])
    assert [(learner.learner, learner.earned, learner.missing) for learner in learners] == [
        ("ada", 3, ()),
        ("bob", 0, ("aws-02",)),
    ]


def test_copies_side_by_side_in_one_folder_get_no_learner_totals() -> None:
    grades = [graded("subs/ada_01.ipynb", TRAIN, 4, 2), graded("subs/bob_01.ipynb", TRAIN, 0, 0)]
    learners, why_not = by_learner(grades)
    assert learners == [] and "a folder of their own" in why_not and "aws-01" in why_not


def test_reports_carry_the_learners(tmp_path: Path) -> None:
    grades = [graded("subs/ada/01_train.ipynb", TRAIN, 4, 1), graded("subs/bob/02_vision.ipynb", VISION, 1.5)]
    files = write_reports(grades, tmp_path)
    assert files.learners_csv is not None
    rows = files.learners_csv.read_text().splitlines()
    assert "ada,overall,,5,9,55.6" in rows and "bob,overall,,1.5,9,16.7" in rows
    assert "## Learners" in files.markdown.read_text()
    payload = json.loads(files.json.read_text())
    assert [(x["learner"], x["missing"]) for x in payload["learners"]] == [
        ("ada", ["aws-02"]),
        ("bob", ["aws-01"]),
    ]
