"""Write grades.csv, grades.md and grades.json for graded submissions, and a short text summary."""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.grading.criteria import CRITERIA_BY_ID, GROUPS_BY_ID
from multi_cloud.grading.grade import SubmissionGrade
from multi_cloud.grading.learners import LearnerGrade, by_learner

METHOD = (
    "Each question maps to one of the 16 assessment criteria; a question's points are spread over its test "
    "cases (partial credit). A group's percentage is its points earned over points possible. The four groups "
    "weigh 25 % each; a group with no question in the graded assignment is not assessed, and the overall "
    "percentage is the mean over the assessed groups only."
)


@dataclass(frozen=True)
class ReportFiles:
    """Paths of the three report files."""

    csv: Path
    markdown: Path
    json: Path
    learners_csv: Path | None = None


def _pct(value: float | None) -> str:
    return "not assessed" if value is None else f"{value:.1f} %"


def _num(value: float) -> str:
    return f"{value:g}"


def as_dict(grade: SubmissionGrade) -> dict[str, Any]:
    """Everything known about one submission's grade, JSON-ready."""
    summary = grade.summary if grade.graded else None
    return {
        "submission": str(grade.path),
        "assignment": grade.master.assignment_name,
        "master": str(grade.master.path),
        "status": grade.status,
        "seconds": round(grade.seconds, 2),
        "error": grade.error,
        "notes": list(grade.notes),
        "earned": grade.earned,
        "possible": grade.possible,
        "overall_percent": summary.overall if summary else None,
        "questions": [
            {
                "name": q.name,
                "criterion": q.criterion,
                "group": CRITERIA_BY_ID[q.criterion].group,
                "score": q.score,
                "max_score": q.max_score,
                "failed_output": grade.failures.get(q.name, ""),
            }
            for q in grade.questions
        ],
        "criteria": [
            {"id": t.id, "title": t.title, "earned": t.earned, "possible": t.possible, "percent": t.percent}
            for t in (summary.criteria if summary else ())
            if t.assessed
        ],
        "groups": [
            {
                "id": t.id,
                "title": t.title,
                "weight": t.weight,
                "earned": t.earned,
                "possible": t.possible,
                "percent": t.percent,
                "assessed": t.assessed,
            }
            for t in (summary.groups if summary else ())
        ],
    }


def write_csv(grades: list[SubmissionGrade], path: Path) -> None:
    """One row per submission × question (a single row with the status for a failed grading)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "submission",
                "assignment",
                "status",
                "question",
                "criterion",
                "group",
                "score",
                "max_score",
                "seconds",
            ]
        )
        for grade in grades:
            base = [str(grade.path), grade.master.assignment_name, grade.status]
            if not grade.graded:
                writer.writerow([*base, "", "", "", "", "", f"{grade.seconds:.1f}"])
            for q in grade.questions:
                group = CRITERIA_BY_ID[q.criterion].group
                writer.writerow(
                    [
                        *base,
                        q.name,
                        q.criterion,
                        group,
                        _num(q.score),
                        _num(q.max_score),
                        f"{grade.seconds:.1f}",
                    ]
                )


def _markdown_one(grade: SubmissionGrade) -> list[str]:
    lines = [
        f"## {grade.path}",
        "",
        f"Assignment `{grade.master.assignment_name}` · graded in {grade.seconds:.1f} s",
        "",
    ]
    if not grade.graded:
        return [*lines, f"**{grade.status.upper()}**: not graded.", "", "```", grade.error, "```", ""]
    summary = grade.summary
    lines += ["| group (weight) | criterion | earned | possible | % |", "|---|---|---:|---:|---:|"]
    for group in summary.groups:
        if not group.assessed:
            lines.append(f"| {group.title} ({group.weight:g} %) | — | | | not assessed |")
            continue
        for t in summary.criteria:
            if t.assessed and CRITERIA_BY_ID[t.id].group == group.id:
                lines.append(
                    f"| {group.title} | `{t.id}` {t.title} | {_num(t.earned)} | {_num(t.possible)} "
                    f"| {_pct(t.percent)} |"
                )
        lines.append(
            f"| **{group.title} ({group.weight:g} %)** | **group total** | **{_num(group.earned)}** | "
            f"**{_num(group.possible)}** | **{_pct(group.percent)}** |"
        )
    assessed = ", ".join(g.title for g in summary.assessed_groups)
    lines += [
        "",
        f"**Overall: {_pct(summary.overall)}** ({_num(grade.earned)} of {_num(grade.possible)} points; "
        f"over the assessed groups: {assessed})",
        "",
        "| question | criterion | score | max |",
        "|---|---|---:|---:|",
        *(
            f"| `{q.name}` | `{q.criterion}` | {_num(q.score)} | {_num(q.max_score)} |"
            for q in grade.questions
        ),
        "",
    ]
    return lines + ([*(f"- note: {note}" for note in grade.notes), ""] if grade.notes else [])


def write_markdown(
    grades: list[SubmissionGrade], path: Path, learners_section: list[str] | None = None
) -> None:
    """Per-learner totals (one folder each), then per submission: criteria, overall, questions."""
    lines = [
        "# Grades",
        "",
        f"_{time.strftime('%Y-%m-%d %H:%M:%S %Z')}_ · {len(grades)} submission(s)",
        "",
        METHOD,
        "",
        *(learners_section or []),
    ]
    for grade in grades:
        lines += _markdown_one(grade)
    path.write_text("\n".join(lines), encoding="utf-8")


def learner_as_dict(learner: LearnerGrade) -> dict[str, Any]:
    """One learner's totals over every assignment of the batch, JSON-ready."""
    summary = learner.summary
    return {
        "learner": learner.learner,
        "folder": str(learner.folder),
        "missing": list(learner.missing),
        "earned": learner.earned,
        "possible": learner.possible,
        "overall_percent": summary.overall,
        "criteria": {t.id: t.percent for t in summary.criteria if t.assessed},
        "groups": {t.id: t.percent for t in summary.groups},
    }


def _markdown_learners(learners: list[LearnerGrade], why_not: str) -> list[str]:
    if not learners:
        return [f"_{why_not}_", ""] if why_not else []
    groups = learners[0].summary.groups
    criteria = [t.id for t in learners[0].summary.criteria if t.assessed]
    lines = [
        "## Learners",
        "",
        "Every assignment in this batch counts for every learner (one folder each); a notebook not handed in,"
        " or whose grading failed, scores 0.",
        "",
        "| learner | "
        + " | ".join(f"{g.title} ({g.weight:g} %)" for g in groups)
        + " | overall | scored 0 |",
        "|---|" + "---:|" * (len(groups) + 1) + "---|",
    ]
    for learner in learners:
        summary = learner.summary
        cells = " | ".join(_pct(g.percent) for g in summary.groups)
        missing = ", ".join(learner.missing) or "—"
        lines.append(f"| {learner.learner} | {cells} | **{_pct(summary.overall)}** | {missing} |")
    lines += ["", "| learner | " + " | ".join(f"`{c}`" for c in criteria) + " |"]
    lines.append("|---|" + "---:|" * len(criteria))
    for learner in learners:
        by_id = {t.id: t for t in learner.summary.criteria}
        lines.append(f"| {learner.learner} | " + " | ".join(_pct(by_id[c].percent) for c in criteria) + " |")
    return [*lines, ""]


def write_learners_csv(learners: list[LearnerGrade], path: Path) -> None:
    """One row per learner × assessed criterion, then the learner's groups and overall."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "level", "id", "earned", "possible", "percent"])
        for learner in learners:
            summary = learner.summary
            for tally, level in [
                *((t, "criterion") for t in summary.criteria),
                *((g, "group") for g in summary.groups),
            ]:
                if tally.assessed:
                    writer.writerow(
                        [
                            learner.learner,
                            level,
                            tally.id,
                            _num(tally.earned),
                            _num(tally.possible),
                            f"{tally.percent:.1f}",
                        ]
                    )
            overall = summary.overall
            writer.writerow(
                [
                    learner.learner,
                    "overall",
                    "",
                    _num(learner.earned),
                    _num(learner.possible),
                    "" if overall is None else f"{overall:.1f}",
                ]
            )


def write_reports(grades: list[SubmissionGrade], out: Path) -> ReportFiles:
    """Write the three report files into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    learners, why_not = by_learner(grades)
    files = ReportFiles(
        out / "grades.csv", out / "grades.md", out / "grades.json", out / "learners.csv" if learners else None
    )
    write_csv(grades, files.csv)
    write_markdown(grades, files.markdown, _markdown_learners(learners, why_not))
    if files.learners_csv is not None:
        write_learners_csv(learners, files.learners_csv)
    payload = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "method": METHOD,
        "groups": {g.id: {"title": g.title, "weight": g.weight} for g in GROUPS_BY_ID.values()},
        "learners": [learner_as_dict(learner) for learner in learners],
        "submissions": [as_dict(grade) for grade in grades],
    }
    files.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return files


def summary_line(grade: SubmissionGrade) -> str:
    """``path  assignment  result  seconds`` for one submission."""
    if grade.graded:
        result = f"{_pct(grade.summary.overall):>12}  ({_num(grade.earned)}/{_num(grade.possible)} pts)"
    else:
        result = f"{grade.status.upper():>12}  {grade.error.splitlines()[0] if grade.error else ''}"
    return f"{grade.path}  [{grade.master.assignment_name}]  {result}  {grade.seconds:.1f} s"
