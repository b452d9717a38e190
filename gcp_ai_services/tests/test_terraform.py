"""The GCP Terraform module read offline (python-hcl2): structure, storage, encryption, least privilege."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from multi_cloud.iac import terraform_checks

MODULE = Path(__file__).resolve().parents[1] / "terraform"
PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}


@pytest.fixture(scope="module")
def resources() -> dict[str, dict[str, Any]]:
    """``{"type.name": body}`` of every resource of the module."""
    parsed, findings = terraform_checks.load_module(MODULE)
    assert findings == []
    blocks = terraform_checks.named_blocks(parsed, "resource", depth=2)
    return {f"{kind}.{name}": body for (kind, name), body in blocks}


def _value(body: dict[str, Any], key: str) -> Any:
    """An attribute's value; strings without python-hcl2's quotes."""
    value = terraform_checks._unwrap(body.get(key))
    return terraform_checks._scalar(value) if isinstance(value, str) else value


def _block(body: dict[str, Any], key: str) -> dict[str, Any]:
    return dict(terraform_checks._body(body.get(key)))


def test_the_module_passes_the_structure_checks() -> None:
    assert terraform_checks.check_module(MODULE) == []
    parsed, _ = terraform_checks.load_module(MODULE)
    outputs = {labels[0] for labels, _ in terraform_checks.named_blocks(parsed, "output")}
    assert {"artifact_bucket_name", "vertex_endpoint_id", "requests_topic_id", "api_uri"} <= outputs
    providers = {labels[0]: body for labels, body in terraform_checks.named_blocks(parsed, "provider")}
    assert "default_labels" in providers["google"]


def test_the_stack_has_every_service_of_the_lesson(resources: dict[str, dict[str, Any]]) -> None:
    kinds = {name.split(".")[0] for name in resources}
    assert {
        "google_storage_bucket",
        "google_storage_bucket_object",
        "google_vertex_ai_dataset",
        "google_vertex_ai_endpoint",
        "google_cloudfunctions2_function",
        "google_cloud_run_v2_service",
        "google_pubsub_topic",
        "google_pubsub_subscription",
        "google_service_account",
    } <= kinds


def test_buckets_are_uniform_versioned_private_encrypted_and_expire_old_versions(
    resources: dict[str, dict[str, Any]],
) -> None:
    buckets = {name: body for name, body in resources.items() if name.startswith("google_storage_bucket.")}
    assert set(buckets) == {"google_storage_bucket.artifacts", "google_storage_bucket.access_logs"}
    for name, body in buckets.items():
        assert _value(body, "uniform_bucket_level_access") is True, name
        assert _value(body, "public_access_prevention") == "enforced", name
        assert _value(_block(body, "versioning"), "enabled") is True, name
        assert "google_kms_crypto_key.stack" in str(_block(body, "encryption")), name
        rules = body["lifecycle_rule"]
        assert any("days_since_noncurrent_time" in str(rule) for rule in rules), name
    assert "access_logs" in str(_block(buckets["google_storage_bucket.artifacts"], "logging"))


def test_the_function_is_built_from_the_uploaded_source_object(resources: dict[str, dict[str, Any]]) -> None:
    function = resources["google_cloudfunctions2_function.predict"]
    source = str(_block(function, "build_config"))
    assert "google_storage_bucket_object.predict_source.name" in source
    assert (MODULE / "functions" / "predict" / "main.py").is_file()
    entry_point = _value(_block(function, "build_config"), "entry_point")
    assert f"def {entry_point}(" in (MODULE / "functions" / "predict" / "main.py").read_text()
    service = _block(function, "service_config")
    assert _value(service, "ingress_settings") == "ALLOW_INTERNAL_ONLY"
    assert "google_service_account.scorer" in str(service)


def test_grants_name_one_identity_and_no_primitive_role(resources: dict[str, dict[str, Any]]) -> None:
    grants = {name: body for name, body in resources.items() if "_iam_" in name.split(".")[0]}
    assert grants
    for name, body in grants.items():
        role = str(_value(body, "role"))
        assert role not in PRIMITIVE_ROLES, name
        member = str(body.get("member") or body.get("for_each"))
        assert "allUsers" not in member and "allAuthenticatedUsers" not in member, name
    custom = resources["google_project_iam_custom_role.vertex_predictor"]
    assert [terraform_checks._scalar(p) for p in custom["permissions"]] == ["aiplatform.endpoints.predict"]
    project_grants = [body for name, body in grants.items() if name.startswith("google_project_iam_member")]
    project_roles = [str(_value(body, "role")) for body in project_grants]
    assert all("vertex_predictor" in role or role == "roles/eventarc.eventReceiver" for role in project_roles)


def test_every_checkov_skip_gives_its_reason() -> None:
    skips = [
        line.strip()
        for path in MODULE.glob("*.tf")
        for line in path.read_text().splitlines()
        if "checkov:skip=" in line
    ]
    assert skips
    for skip in skips:
        check, _, reason = skip.split("checkov:skip=", 1)[1].partition(":")
        assert check.startswith("CKV") and len(reason) > 40, skip
