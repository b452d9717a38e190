"""The one error grading raises on purpose: the problem and the fix, for the CLI to print."""

from __future__ import annotations

from multi_cloud.core.errors import ConfigurationError


class GradingError(ConfigurationError):
    """Bad input to assign, grade or check; ``problem`` says what is wrong, ``fix`` what to do."""

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(f"{problem}\n  fix: {fix}" if fix else problem)
        self.problem = problem
        self.fix = fix
