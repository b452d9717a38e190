"""S3 bucket hardening: five checks read from the live bucket, each with its fix, and harden_bucket()."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from multi_cloud.core.settings import Settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import aws_client

CheckName = Literal["public_access_block", "default_encryption", "versioning", "tls_only_policy", "lifecycle"]
CHECKS: tuple[CheckName, ...] = (
    "public_access_block",
    "default_encryption",
    "versioning",
    "tls_only_policy",
    "lifecycle",
)
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
TLS_SID = "DenyInsecureTransport"
LIFECYCLE_RULE_ID = "cloudai-hygiene"
#: the error codes S3 answers when a bucket simply has no such configuration yet
ABSENT_CODES = frozenset(
    {
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchBucketPolicy",
        "NoSuchLifecycleConfiguration",
    }
)


@dataclass(frozen=True)
class BucketFinding:
    check: CheckName
    passed: bool
    severity: Literal["HIGH", "MEDIUM", "LOW"]
    detail: str
    fix: str


@dataclass(frozen=True)
class BucketAudit:
    bucket: str
    findings: tuple[BucketFinding, ...]

    @property
    def failed(self) -> list[BucketFinding]:
        return [finding for finding in self.findings if not finding.passed]

    @property
    def hardened(self) -> bool:
        return not self.failed

    def finding(self, check: CheckName) -> BucketFinding:
        return next(finding for finding in self.findings if finding.check == check)


@dataclass(frozen=True)
class HardeningResult:
    bucket: str
    applied: tuple[CheckName, ...]
    before: BucketAudit
    after: BucketAudit


class BucketHardening:
    """Audit and fix one S3 bucket's security posture through the S3 API."""

    def __init__(
        self, settings: Settings | None = None, *, noncurrent_days: int = 30, multipart_days: int = 7
    ):
        self.s3 = aws_client("s3", settings)
        self.noncurrent_days = noncurrent_days
        self.multipart_days = multipart_days

    # ------------------------------------------------------------------ audit
    def audit(self, bucket: str) -> BucketAudit:
        """Every check, read from the bucket as it is now (NoSuchBucket → NotFound)."""
        with aws_errors("security.audit_bucket"):
            self.s3.get_bucket_location(Bucket=bucket)  # NoSuchBucket (HEAD answers a bare 404)
            findings = tuple(getattr(self, f"_check_{check}")(bucket) for check in CHECKS)
        return BucketAudit(bucket=bucket, findings=findings)

    def _check_public_access_block(self, bucket: str) -> BucketFinding:
        config = self._read(lambda: self.s3.get_public_access_block(Bucket=bucket))
        settings = (config or {}).get("PublicAccessBlockConfiguration", {})
        off = sorted(name for name in PUBLIC_ACCESS_BLOCK if not settings.get(name))
        return BucketFinding(
            "public_access_block",
            passed=not off,
            severity="HIGH",
            detail="all four public access blocks on" if not off else f"off: {', '.join(off)}",
            fix="s3.put_public_access_block(Bucket=..., PublicAccessBlockConfiguration={all four: True})",
        )

    def _check_default_encryption(self, bucket: str) -> BucketFinding:
        config = self._read(lambda: self.s3.get_bucket_encryption(Bucket=bucket))
        rules = (config or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        algorithms = [r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules]
        return BucketFinding(
            "default_encryption",
            passed=any(algorithms),
            severity="HIGH",
            detail=f"default encryption {', '.join(filter(None, algorithms))}" if any(algorithms) else "none",
            fix="s3.put_bucket_encryption with SSEAlgorithm aws:kms and your KMS key (or AES256)",
        )

    def _check_versioning(self, bucket: str) -> BucketFinding:
        status = self.s3.get_bucket_versioning(Bucket=bucket).get("Status", "never enabled")
        return BucketFinding(
            "versioning",
            passed=status == "Enabled",
            severity="MEDIUM",
            detail=f"versioning {status}",
            fix="s3.put_bucket_versioning(Bucket=..., VersioningConfiguration={'Status': 'Enabled'})",
        )

    def _check_tls_only_policy(self, bucket: str) -> BucketFinding:
        config = self._read(lambda: self.s3.get_bucket_policy(Bucket=bucket))
        statements = json.loads(config["Policy"]).get("Statement", []) if config else []
        enforced = any(_denies_plain_http(stmt) for stmt in statements)
        return BucketFinding(
            "tls_only_policy",
            passed=enforced,
            severity="MEDIUM",
            detail="a Deny on aws:SecureTransport=false covers the bucket"
            if enforced
            else "plain HTTP allowed",
            fix=f"add the {TLS_SID} statement (Deny s3:* when aws:SecureTransport is false) to the policy",
        )

    def _check_lifecycle(self, bucket: str) -> BucketFinding:
        config = self._read(lambda: self.s3.get_bucket_lifecycle_configuration(Bucket=bucket))
        rules = [r for r in (config or {}).get("Rules", []) if r.get("Status") == "Enabled"]
        aborts = any("AbortIncompleteMultipartUpload" in r for r in rules)
        expires_old = any("NoncurrentVersionExpiration" in r for r in rules)
        missing = [
            name
            for name, ok in (("abort incomplete uploads", aborts), ("expire old versions", expires_old))
            if not ok
        ]
        return BucketFinding(
            "lifecycle",
            passed=not missing,
            severity="LOW",
            detail="lifecycle cleans up uploads and old versions"
            if not missing
            else f"missing: {', '.join(missing)}",
            fix=f"a lifecycle rule aborting uploads after {self.multipart_days} d and expiring noncurrent "
            f"versions after {self.noncurrent_days} d",
        )

    def _read(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        """The configuration, or ``None`` when S3 says the bucket has none."""
        from botocore.exceptions import ClientError

        try:
            return call()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ABSENT_CODES:
                return None
            raise

    # ------------------------------------------------------------------ fix
    def harden(self, bucket: str, *, kms_key_id: str = "") -> HardeningResult:
        """Apply the fix of every failed check (existing policy statements and lifecycle rules are kept)."""
        before = self.audit(bucket)
        with aws_errors("security.harden_bucket"):
            for finding in before.failed:
                getattr(self, f"_fix_{finding.check}")(bucket, kms_key_id)
        return HardeningResult(
            bucket=bucket,
            applied=tuple(finding.check for finding in before.failed),
            before=before,
            after=self.audit(bucket),
        )

    def _fix_public_access_block(self, bucket: str, _key: str) -> None:
        self.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)

    def _fix_default_encryption(self, bucket: str, kms_key_id: str) -> None:
        default: dict[str, str] = {"SSEAlgorithm": "aws:kms" if kms_key_id else "AES256"}
        if kms_key_id:
            default["KMSMasterKeyID"] = kms_key_id
        rule = {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bool(kms_key_id)}
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})

    def _fix_versioning(self, bucket: str, _key: str) -> None:
        self.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    def _fix_tls_only_policy(self, bucket: str, _key: str) -> None:
        existing = self._read(lambda: self.s3.get_bucket_policy(Bucket=bucket))
        document: dict[str, Any] = (
            json.loads(existing["Policy"]) if existing else {"Version": "2012-10-17", "Statement": []}
        )
        statements = [s for s in document.get("Statement", []) if s.get("Sid") != TLS_SID]
        document["Statement"] = [*statements, tls_only_statement(bucket)]
        self.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))

    def _fix_lifecycle(self, bucket: str, _key: str) -> None:
        existing = self._read(lambda: self.s3.get_bucket_lifecycle_configuration(Bucket=bucket))
        rules = [r for r in (existing or {}).get("Rules", []) if r.get("ID") != LIFECYCLE_RULE_ID]
        rules.append(
            {
                "ID": LIFECYCLE_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": self.multipart_days},
                "NoncurrentVersionExpiration": {"NoncurrentDays": self.noncurrent_days},
            }
        )
        self.s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def tls_only_statement(bucket: str, partition: str = "aws") -> dict[str, Any]:
    """Deny every S3 action on the bucket and its objects over plain HTTP."""
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _denies_plain_http(stmt: dict[str, Any]) -> bool:
    condition = stmt.get("Condition", {}).get("Bool", {})
    actions = stmt.get("Action", [])
    actions = actions if isinstance(actions, list) else [actions]
    return (
        stmt.get("Effect") == "Deny"
        and str(condition.get("aws:SecureTransport", "")).lower() == "false"
        and any(a in ("s3:*", "*") for a in actions)
    )


def audit_bucket(bucket: str, settings: Settings | None = None) -> BucketAudit:
    return BucketHardening(settings).audit(bucket)


def harden_bucket(bucket: str, *, kms_key_id: str = "", settings: Settings | None = None) -> HardeningResult:
    """Fix every failed hardening check of ``bucket``; returns the audit before and after."""
    return BucketHardening(settings).harden(bucket, kms_key_id=kms_key_id)
