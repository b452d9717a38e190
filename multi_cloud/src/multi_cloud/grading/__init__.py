"""Assignments and grading: otter-grader master notebooks, student versions, per-criterion grades."""
