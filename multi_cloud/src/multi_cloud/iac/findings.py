"""Finding: one problem a structural check found (Dockerfile lint, Kubernetes manifest validation)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """``severity`` is "error" (breaks or is unsafe), "warning" (bad practice) or "info" (advice).

    ``rule`` is a stable identifier to test against; ``message`` names the problem and the fix;
    ``where`` locates it ("line 3", "Deployment/iris containers[0]").
    """

    severity: str
    rule: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        location = f" ({self.where})" if self.where else ""
        return f"{self.severity.upper()} {self.rule}{location}: {self.message}"


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """Only the findings of severity "error"."""
    return [finding for finding in findings if finding.severity == "error"]


def rules(findings: Iterable[Finding]) -> set[str]:
    """The rule identifiers that fired."""
    return {finding.rule for finding in findings}
