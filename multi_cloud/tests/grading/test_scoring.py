"""Criteria math: partial credit sums, group percentages, not-assessed groups, the overall."""

from __future__ import annotations

import pytest
from multi_cloud.grading.scoring import QuestionScore, summarize


def test_partial_credit_sums_per_criterion_and_group() -> None:
    summary = summarize(
        [
            QuestionScore("a", "aws.sagemaker", 2.0, 2.0),
            QuestionScore("b", "aws.cost", 1.0, 3.0),
            QuestionScore("c", "multi.cost", 2.0, 3.0),
        ]
    )
    by_id = {t.id: t for t in summary.criteria}
    assert (by_id["aws.sagemaker"].earned, by_id["aws.sagemaker"].possible) == (2.0, 2.0)
    assert by_id["aws.cost"].percent == pytest.approx(100 / 3)
    assert not by_id["gcp.tpu"].assessed and by_id["gcp.tpu"].percent is None
    groups = {g.id: g for g in summary.groups}
    assert groups["aws"].percent == pytest.approx(60.0)  # 3 of 5 points
    assert groups["multi"].percent == pytest.approx(200 / 3)
    assert not groups["gcp"].assessed and not groups["azure"].assessed
    # the two assessed groups weigh the same: (60 + 66.7) / 2, not 5 of 8 points
    assert summary.overall == pytest.approx((60.0 + 200 / 3) / 2)
    assert [g.id for g in summary.assessed_groups] == ["aws", "multi"]


def test_one_group_only_and_nothing_assessed() -> None:
    summary = summarize([QuestionScore("a", "gcp.tpu", 0.5, 2.0)])
    assert summary.overall == pytest.approx(25.0)
    assert summarize([]).overall is None


def test_all_four_groups_weigh_25_percent_each() -> None:
    summary = summarize(
        [
            QuestionScore("a", "aws.sagemaker", 1.0, 1.0),
            QuestionScore("g", "gcp.vertex_ai", 0.0, 10.0),
            QuestionScore("z", "azure.ml", 5.0, 10.0),
            QuestionScore("m", "multi.hybrid", 3.0, 4.0),
        ]
    )
    assert summary.overall == pytest.approx((100 + 0 + 50 + 75) / 4)


def test_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown criterion"):
        summarize([QuestionScore("a", "aws.nope", 1.0, 1.0)])
