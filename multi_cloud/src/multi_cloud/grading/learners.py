"""Per learner: the notebooks one learner handed in (one folder each), scored together per criterion."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.grading.grade import SubmissionGrade
from multi_cloud.grading.masters import Master
from multi_cloud.grading.scoring import QuestionScore, Summary, summarize


@dataclass(frozen=True)
class LearnerGrade:
    """Every assignment of the batch for one learner: graded, or counted as 0 (missing, failed)."""

    learner: str
    folder: Path
    questions: tuple[QuestionScore, ...]
    missing: tuple[str, ...]
    """assignment names scored 0: not handed in, or their grading crashed or timed out"""

    @property
    def summary(self) -> Summary:
        return summarize(self.questions)

    @property
    def earned(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def possible(self) -> float:
        return sum(q.max_score for q in self.questions)


def by_learner(grades: list[SubmissionGrade]) -> tuple[list[LearnerGrade], str]:
    """One LearnerGrade per folder when the batch is laid out one folder per learner, else ([], why not).

    The layout is ``submissions/<learner>/<notebook>.ipynb``: a folder holding two submissions of the same
    assignment is several learners' copies side by side, and then no per-learner total is made. Every
    assignment seen in the batch is expected of every learner; one they lack counts 0, so a missing notebook
    never raises a percentage.
    """
    folders: dict[Path, list[SubmissionGrade]] = defaultdict(list)
    for grade in grades:
        folders[grade.path.parent].append(grade)
    for folder, handed_in in folders.items():
        names = [grade.master.assignment_name for grade in handed_in]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            return [], (
                f"no per-learner totals: {folder} holds several submissions of {', '.join(duplicated)}; "
                "put each learner's notebooks in a folder of their own (submissions/<learner>/*.ipynb)"
            )
    if len(folders) < 2 and len(grades) < 2:
        return [], "no per-learner totals: a single submission"
    expected = {grade.master.assignment_name: grade.master for grade in grades}
    learners = [_learner(folder, handed_in, expected) for folder, handed_in in sorted(folders.items())]
    return learners, ""


def _learner(folder: Path, handed_in: list[SubmissionGrade], expected: dict[str, Master]) -> LearnerGrade:
    graded = {grade.master.assignment_name: grade for grade in handed_in if grade.graded}
    questions: list[QuestionScore] = []
    missing: list[str] = []
    for name, master in sorted(expected.items()):
        if name in graded:
            questions += graded[name].questions
        else:
            missing.append(name)
            questions += [QuestionScore(q.name, q.criterion, 0.0, q.points) for q in master.questions]
    return LearnerGrade(folder.name, folder, tuple(questions), tuple(missing))
