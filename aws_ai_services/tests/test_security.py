"""Security: parliament-linted policies, KMS envelope encryption, S3 hardening — over the wire to moto."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from aws_ai_services.infrastructure.security import (
    PACKAGE_ACCEPTED,
    AcceptedFinding,
    BucketHardening,
    Envelope,
    EnvelopeEncryption,
    PolicyScope,
    TamperDetected,
    harden_bucket,
    lint_package_policies,
    lint_policy,
    package_policies,
)
from aws_ai_services.session import aws_client
from aws_ai_services.storage.s3 import S3Storage
from multi_cloud.core.errors import InvalidArgument, NotFound

SCOPE = PolicyScope(
    account_id="123456789012",
    region="us-east-1",
    bucket="cloudai-artifacts",
    key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
)


# ----------------------------------------------------------------------------- IAM policies
def test_the_package_policies_are_clean_under_parliament() -> None:
    reports = lint_package_policies(SCOPE)
    assert [r.policy_name for r in reports] == list(package_policies(SCOPE))
    assert [(r.policy_name, r.findings) for r in reports if not r.clean] == []
    accepted = {r.policy_name: [(f.issue, f.actions) for f, _ in r.accepted] for r in reports if r.accepted}
    # only iam:PassRole, scoped to the execution role and to SageMaker, needed accepting
    assert accepted == {
        "training-operator": [("PERMISSIONS_MANAGEMENT_ACTIONS", ("iam:passrole",))],
        "deployment": [("PERMISSIONS_MANAGEMENT_ACTIONS", ("iam:passrole",))],
    }
    operator = package_policies(SCOPE)["training-operator"]
    pass_role = next(s for s in operator["Statement"] if s["Action"] == ["iam:PassRole"])
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert all(s["Resource"] != "*" for s in operator["Statement"] if s["Sid"] != "ListTrainingJobs")


def test_an_admin_policy_and_typos_are_flagged() -> None:
    admin = lint_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    assert {"ADMIN_WILDCARD", "PRIVILEGE_ESCALATION", "PERMISSIONS_MANAGEMENT_ACTIONS"} <= admin.issues()
    assert admin.at_least("CRITICAL")[0].issue == "ADMIN_WILDCARD"

    sloppy = lint_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObjectt"], "Resource": "arn:aws:s3:::b/*"},
                {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"},
                {"Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": "*"},
            ],
        }
    )
    assert {"UNKNOWN_ACTION", "SERVICE_WILDCARD", "RESOURCE_STAR"} <= sloppy.issues()
    assert lint_policy("{not json").issues() == {"MALFORMED_JSON"}


def test_accepting_pass_role_does_not_hide_other_permission_management() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:PassRole", "iam:CreateUser"],
                "Resource": ["arn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:user/x"],
            }
        ],
    }
    report = lint_policy(document, accept=PACKAGE_ACCEPTED)
    assert "PERMISSIONS_MANAGEMENT_ACTIONS" in report.issues()
    broad = AcceptedFinding("PERMISSIONS_MANAGEMENT_ACTIONS", "lesson: accept everything")
    assert "PERMISSIONS_MANAGEMENT_ACTIONS" not in lint_policy(document, accept=[broad]).issues()


# ----------------------------------------------------------------------------- envelope encryption
@pytest.fixture
def envelope(clean_cloud: object) -> EnvelopeEncryption:
    key = aws_client("kms").create_key(Description="envelope test")["KeyMetadata"]["KeyId"]
    return EnvelopeEncryption(key)


def test_envelope_round_trip_with_a_fresh_data_key_each_time(envelope: EnvelopeEncryption) -> None:
    message = b"model weights \x00\x01" * 64
    first = envelope.encrypt(message, context={"purpose": "test"})
    second = envelope.encrypt(message, context={"purpose": "test"})
    assert first.ciphertext != second.ciphertext and first.encrypted_data_key != second.encrypted_data_key
    assert message not in first.to_bytes()
    assert len(first.ciphertext) == len(message) + 16  # AES-GCM tag
    assert envelope.decrypt(first) == message
    assert envelope.decrypt(first.to_bytes()) == message  # encrypted key travels with the ciphertext
    assert first.key_id.startswith("arn:aws:kms:")


def test_tampering_is_detected(envelope: EnvelopeEncryption) -> None:
    sealed = envelope.encrypt(b"secret", context={"purpose": "test"})
    flipped = bytearray(sealed.to_bytes())
    flipped[-1] ^= 0x01
    with pytest.raises(TamperDetected, match="AES-GCM"):
        envelope.decrypt(bytes(flipped))
    with pytest.raises(TamperDetected, match="InvalidCiphertextException"):
        envelope.decrypt(replace(sealed, context={"purpose": "other"}))
    key = bytearray(sealed.encrypted_data_key)
    key[-1] ^= 0x01
    with pytest.raises(TamperDetected):
        envelope.decrypt(replace(sealed, encrypted_data_key=bytes(key)))
    with pytest.raises(TamperDetected, match="AES-GCM"):  # the nonce is authenticated too
        envelope.decrypt(replace(sealed, nonce=bytes(12)))
    with pytest.raises(InvalidArgument, match="envelope marker"):
        Envelope.from_bytes(b"plain bytes")


def test_encrypted_objects_in_s3_cannot_be_moved(envelope: EnvelopeEncryption) -> None:
    storage = S3Storage()
    storage.create_bucket("sealed-objects")
    envelope.put_object(storage, "sealed-objects", "model.bin", b"weights")
    stored = storage.get_object("sealed-objects", "model.bin")
    assert stored.startswith(b"CAIENV1\n") and b"weights" not in stored
    assert envelope.get_object(storage, "sealed-objects", "model.bin") == b"weights"
    storage.put_object("sealed-objects", "copy.bin", stored)
    with pytest.raises(TamperDetected, match="copied or moved"):
        envelope.get_object(storage, "sealed-objects", "copy.bin")


# ----------------------------------------------------------------------------- S3 hardening
def test_a_new_bucket_fails_every_check_and_harden_bucket_fixes_them(clean_cloud: object) -> None:
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="raw-bucket")
    keep = {"Sid": "NoBucketDeletion", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
            "Resource": "arn:aws:s3:::raw-bucket"}  # fmt: skip
    s3.put_bucket_policy(
        Bucket="raw-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [keep]})
    )
    key = aws_client("kms").create_key()["KeyMetadata"]["Arn"]

    before = BucketHardening().audit("raw-bucket")
    assert [f.check for f in before.failed] == [
        "public_access_block",
        "default_encryption",
        "versioning",
        "tls_only_policy",
        "lifecycle",
    ]
    assert all(f.fix for f in before.failed)

    result = harden_bucket("raw-bucket", kms_key_id=key)
    assert result.applied == tuple(f.check for f in before.failed)
    assert result.after.hardened
    rule = s3.get_bucket_encryption(Bucket="raw-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    sids = [s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket="raw-bucket")["Policy"])["Statement"]]
    assert sids == ["NoBucketDeletion", "DenyInsecureTransport"]
    assert harden_bucket("raw-bucket").applied == ()  # idempotent


def test_one_missing_setting_is_reported_with_its_fix(clean_cloud: object) -> None:
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="half-bucket")
    harden_bucket("half-bucket")
    s3.put_bucket_versioning(Bucket="half-bucket", VersioningConfiguration={"Status": "Suspended"})
    audit = BucketHardening().audit("half-bucket")
    assert [f.check for f in audit.failed] == ["versioning"]
    assert audit.finding("versioning").detail == "versioning Suspended"
    assert "put_bucket_versioning" in audit.finding("versioning").fix
    assert audit.finding("default_encryption").detail == "default encryption AES256"


def test_missing_bucket_is_not_found_with_the_s3_code(clean_cloud: object) -> None:
    with pytest.raises(NotFound) as caught:
        BucketHardening().audit("no-such-bucket-here")
    assert caught.value.code == "NoSuchBucket"
