"""Security in one place: least-privilege policies and their lint, envelope encryption, S3 hardening."""

from __future__ import annotations

from aws_ai_services.infrastructure.bucket_hardening import (
    BucketAudit,
    BucketFinding,
    BucketHardening,
    HardeningResult,
    audit_bucket,
    harden_bucket,
    tls_only_statement,
)
from aws_ai_services.infrastructure.envelope_encryption import Envelope, EnvelopeEncryption, TamperDetected
from aws_ai_services.infrastructure.iam_policies import (
    PolicyScope,
    ai_services_read_only_policy,
    deployment_policy,
    lambda_execution_policy,
    package_policies,
    training_execution_policy,
    training_operator_policy,
    trust_policy,
)
from aws_ai_services.infrastructure.policy_lint import (
    AcceptedFinding,
    PolicyFinding,
    PolicyLintReport,
    lint_policies,
    lint_policy,
)

#: what the package's own policies are allowed to trigger, and why
PACKAGE_ACCEPTED = (
    AcceptedFinding(
        issue="PERMISSIONS_MANAGEMENT_ACTIONS",
        reason="SageMaker needs iam:PassRole to start jobs and endpoints; it is limited to the execution "
        "role ARN and to iam:PassedToService = sagemaker.amazonaws.com",
        actions=frozenset({"iam:passrole"}),
    ),
)


def lint_package_policies(scope: PolicyScope) -> list[PolicyLintReport]:
    """Lint every policy of :func:`package_policies` with parliament; accepted findings are listed apart."""
    return lint_policies(package_policies(scope), accept=PACKAGE_ACCEPTED)


__all__ = [
    "PACKAGE_ACCEPTED",
    "AcceptedFinding",
    "BucketAudit",
    "BucketFinding",
    "BucketHardening",
    "Envelope",
    "EnvelopeEncryption",
    "HardeningResult",
    "PolicyFinding",
    "PolicyLintReport",
    "PolicyScope",
    "TamperDetected",
    "ai_services_read_only_policy",
    "audit_bucket",
    "deployment_policy",
    "harden_bucket",
    "lambda_execution_policy",
    "lint_package_policies",
    "lint_policies",
    "lint_policy",
    "package_policies",
    "tls_only_statement",
    "training_execution_policy",
    "training_operator_policy",
    "trust_policy",
]
