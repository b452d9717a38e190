"""Criteria math: question scores to per-criterion, per-group (25 % each) and overall percentages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from multi_cloud.grading.criteria import CRITERIA, CRITERIA_BY_ID, GROUPS


@dataclass(frozen=True)
class QuestionScore:
    """One question of one submission: points earned (partial credit per test case) of its maximum."""

    name: str
    criterion: str
    score: float
    max_score: float


@dataclass(frozen=True)
class Tally:
    """Points earned of points possible for a criterion or a group; possible 0 means not assessed."""

    id: str
    title: str
    earned: float
    possible: float
    weight: float = 0.0

    @property
    def assessed(self) -> bool:
        return self.possible > 0

    @property
    def percent(self) -> float | None:
        return 100.0 * self.earned / self.possible if self.possible > 0 else None


@dataclass(frozen=True)
class Summary:
    """All 16 criteria and 4 groups (assessed or not) and the overall percentage over assessed groups."""

    criteria: tuple[Tally, ...]
    groups: tuple[Tally, ...]

    @property
    def assessed_groups(self) -> tuple[Tally, ...]:
        return tuple(group for group in self.groups if group.assessed)

    @property
    def overall(self) -> float | None:
        """Weighted mean of the assessed groups' percentages (each group 25 %, renormalised); None if none."""
        assessed = self.assessed_groups
        weight = sum(group.weight for group in assessed)
        if not weight:
            return None
        return sum(group.weight * (group.percent or 0.0) for group in assessed) / weight


def summarize(questions: Iterable[QuestionScore]) -> Summary:
    """Sum question points per criterion and per group; a group's percent is its points earned/possible."""
    earned = {criterion.id: 0.0 for criterion in CRITERIA}
    possible = dict(earned)
    for question in questions:
        if question.criterion not in CRITERIA_BY_ID:
            raise ValueError(f"question {question.name!r} has unknown criterion {question.criterion!r}")
        earned[question.criterion] += question.score
        possible[question.criterion] += question.max_score
    criteria = tuple(
        Tally(criterion.id, criterion.title, earned[criterion.id], possible[criterion.id])
        for criterion in CRITERIA
    )
    groups = tuple(
        Tally(
            group.id,
            group.title,
            sum(earned[c.id] for c in CRITERIA if c.group == group.id),
            sum(possible[c.id] for c in CRITERIA if c.group == group.id),
            group.weight,
        )
        for group in GROUPS
    )
    return Summary(criteria, groups)
