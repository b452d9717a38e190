"""IAM policy linting with parliament (offline, its own IAM action database) plus wildcard checks."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from multi_cloud.core.errors import MissingDependency

Severity = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
SEVERITY_ORDER: tuple[Severity, ...] = ("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL")

#: parliament's community auditors worth their cost; "sensitive_access" is skipped (it needs a resource
#: list in its config and takes ~15 s on an ``Action: "*"`` policy)
COMMUNITY_AUDITORS = ("privilege_escalation", "permissions_management", "credentials_exposure")
INSTALL_HINT = "pip install parliament 'setuptools<81'"


@dataclass(frozen=True)
class PolicyFinding:
    """One problem in a policy: parliament's issue code (or this module's), severity and where."""

    issue: str
    severity: Severity
    title: str
    detail: str
    source: Literal["parliament", "cloudai"]
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class AcceptedFinding:
    """A finding accepted on purpose, with the reason; ``actions`` (lower case) limits it to those actions."""

    issue: str
    reason: str
    actions: frozenset[str] = frozenset()

    def covers(self, finding: PolicyFinding) -> bool:
        if finding.issue != self.issue:
            return False
        return not self.actions or {a.lower() for a in finding.actions} <= self.actions


@dataclass(frozen=True)
class PolicyLintReport:
    policy_name: str
    findings: tuple[PolicyFinding, ...]
    accepted: tuple[tuple[PolicyFinding, str], ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        return not self.findings

    def issues(self) -> set[str]:
        return {finding.issue for finding in self.findings}

    def at_least(self, severity: Severity) -> list[PolicyFinding]:
        floor = SEVERITY_ORDER.index(severity)
        return [f for f in self.findings if SEVERITY_ORDER.index(f.severity) >= floor]


def lint_policy(
    document: Mapping[str, Any] | str,
    *,
    name: str = "policy",
    accept: Iterable[AcceptedFinding] = (),
    community_auditors: bool = True,
) -> PolicyLintReport:
    """Lint an identity-based IAM policy document.

    parliament checks syntax, unknown actions/prefixes/condition keys, resource ARNs that cannot match the
    actions, ``Resource: "*"`` where the action supports resource-level permissions, and (community
    auditors) privilege escalation, permissions management and credential exposure. This module adds
    ``ADMIN_WILDCARD`` / ``SERVICE_WILDCARD`` (``*`` or ``service:*`` actions) and ``NOT_ACTION_ALLOW``.
    Findings covered by ``accept`` are reported apart, with their reason.
    """
    text = document if isinstance(document, str) else json.dumps(document)
    parliament = _parliament()
    analysed = parliament.analyze_policy_string(text)
    findings = []
    if community_auditors and analysed.statements:
        findings.extend(_run_community_auditors(analysed))
    findings[:0] = [_from_parliament(parliament, raw) for raw in analysed.findings]
    try:
        findings.extend(_wildcard_findings(json.loads(text)))
    except (json.JSONDecodeError, AttributeError):
        pass  # parliament already reported MALFORMED_JSON / MALFORMED
    kept: list[PolicyFinding] = []
    accepted: list[tuple[PolicyFinding, str]] = []
    rules = tuple(accept)
    for finding in findings:
        rule = next((r for r in rules if r.covers(finding)), None)
        if rule is None:
            kept.append(finding)
        else:
            accepted.append((finding, rule.reason))
    return PolicyLintReport(policy_name=name, findings=tuple(kept), accepted=tuple(accepted))


def lint_policies(policies: Mapping[str, Mapping[str, Any]], **options: Any) -> list[PolicyLintReport]:
    return [lint_policy(document, name=name, **options) for name, document in policies.items()]


def _parliament() -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pkg_resources deprecation, raised on import
            import parliament
    except ImportError as exc:
        raise MissingDependency(
            f"IAM policy linting needs parliament ({exc}). Install it: {INSTALL_HINT} "
            "(parliament imports pkg_resources, which setuptools 81 removed).",
            provider="aws",
            operation="security.lint_policy",
            cause=exc,
        ) from exc
    _load_community_config(parliament)
    return parliament


def _load_community_config(parliament: Any) -> None:
    """Register the community auditors' issue codes (titles, severities) in parliament's config once."""
    if "PRIVILEGE_ESCALATION" in parliament.config:
        return
    from pathlib import Path

    override = Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
    parliament.override_config(str(override))


def _run_community_auditors(analysed: Any) -> list[PolicyFinding]:
    """The community auditors expand every action; an unknown one stops them (reported as INFO)."""
    from importlib import import_module

    try:
        for auditor in COMMUNITY_AUDITORS:
            import_module(f"parliament.community_auditors.{auditor}").audit(analysed)
    except Exception as exc:  # noqa: BLE001 - parliament's Unknown*Exception, already reported
        return [
            PolicyFinding(
                issue="COMMUNITY_AUDITORS_SKIPPED",
                severity="INFO",
                title="privilege-escalation auditors skipped",
                detail=f"{exc}; fix the unknown action and lint again",
                source="cloudai",
            )
        ]
    return []


def _from_parliament(parliament: Any, raw: Any) -> PolicyFinding:
    enhanced = parliament.enhance_finding(raw)
    detail = enhanced.detail or {k: v for k, v in enhanced.location.items() if k in ("actions", "type")}
    actions: tuple[str, ...] = ()
    if isinstance(detail, Mapping):
        actions = tuple(sorted(detail.get("actions", ())))
        kind = detail.get("type", "")
        detail = f"{kind}: {', '.join(actions[:8])}" if kind else ", ".join(actions[:8])
        if len(actions) > 8:
            detail += f" (+{len(actions) - 8} more)"
    elif isinstance(detail, list):
        actions = tuple(str(item) for item in detail)
        detail = ", ".join(actions)
    severity = str(enhanced.severity or "LOW").upper()
    return PolicyFinding(
        issue=enhanced.issue,
        severity=severity if severity in SEVERITY_ORDER else "LOW",
        title=enhanced.title or enhanced.issue,
        detail=str(detail),
        source="parliament",
        actions=actions,
    )


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard_findings(document: Mapping[str, Any]) -> Iterable[PolicyFinding]:
    for index, stmt in enumerate(_listed(document.get("Statement", []))):
        if not isinstance(stmt, Mapping) or stmt.get("Effect") != "Allow":
            continue
        where = f"statement {stmt.get('Sid') or index}"
        resources = [str(r) for r in _listed(stmt.get("Resource", []))]
        actions = [str(a) for a in _listed(stmt.get("Action", []))]
        if "*" in actions:
            on_all = "*" in resources
            yield PolicyFinding(
                issue="ADMIN_WILDCARD",
                severity="CRITICAL" if on_all else "HIGH",
                title="Action '*' grants every action of every service",
                detail=f"{where}: Action '*' on {', '.join(resources)}; list the actions the workload calls",
                source="cloudai",
                actions=("*",),
            )
        services = sorted(a for a in actions if a.endswith(":*"))
        if services:
            yield PolicyFinding(
                issue="SERVICE_WILDCARD",
                severity="HIGH",
                title="service:* grants every action of a service",
                detail=f"{where}: {', '.join(services)}; list the actions the workload calls",
                source="cloudai",
                actions=tuple(services),
            )
        if "NotAction" in stmt:
            yield PolicyFinding(
                issue="NOT_ACTION_ALLOW",
                severity="HIGH",
                title="NotAction with Allow grants everything not listed",
                detail=f"{where}: replace NotAction with the explicit actions needed",
                source="cloudai",
            )
