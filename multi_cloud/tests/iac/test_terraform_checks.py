"""The offline Terraform structure checker on small modules written here, and on the AWS package's module."""

from __future__ import annotations

from pathlib import Path

import pytest
from multi_cloud.iac import terraform_checks
from multi_cloud.iac.fmt import main as fmt_main
from multi_cloud.iac.taggable_types import tag_argument
from multi_cloud.iac.terraform_checks import check_module, check_modules, main

REPO = Path(__file__).resolve().parents[3]

GOOD = """
provider "aws" {
  region = var.region

  default_tags {
    tags = { project = "demo" }
  }
}

variable "region" {
  type        = string
  description = "Region."
  default     = "us-east-1"
}

resource "aws_s3_bucket" "data" {
  bucket = "demo-data"
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

output "bucket" {
  description = "Bucket name."
  value       = aws_s3_bucket.data.bucket
}
"""


def write(directory: Path, text: str, name: str = "main.tf") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def rules(findings: list[terraform_checks.Finding]) -> list[tuple[str, str]]:
    return sorted((f.rule, f.block) for f in findings)


def test_a_well_formed_module_has_no_findings(tmp_path: Path) -> None:
    assert check_module(write(tmp_path / "good", GOOD)) == []


def test_untyped_and_undescribed_variables_are_flagged(tmp_path: Path) -> None:
    module = write(tmp_path / "m", GOOD + 'variable "bare" {}\nvariable "typed" {\n  type = number\n}\n')
    assert rules(check_module(module)) == [
        ("variable-description", "variable.bare"),
        ("variable-description", "variable.typed"),
        ("variable-type", "variable.bare"),
    ]


def test_outputs_must_exist_and_be_described(tmp_path: Path) -> None:
    no_outputs = GOOD.split('output "bucket"')[0]
    assert rules(check_module(write(tmp_path / "a", no_outputs))) == [("outputs-missing", "module")]
    bare_output = no_outputs + 'output "bucket" {\n  value = aws_s3_bucket.data.bucket\n}\n'
    assert rules(check_module(write(tmp_path / "b", bare_output))) == [
        ("output-description", "output.bucket")
    ]


def test_taggable_resources_need_tags_without_provider_default_tags(tmp_path: Path) -> None:
    without_defaults = GOOD.replace('default_tags {\n    tags = { project = "demo" }\n  }', "")
    extra = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  tags = {}\n}\n'
    extra += 'resource "aws_kms_key" "k" {\n  description = "k"\n  tags = { owner = "me" }\n}\n'
    findings = check_module(write(tmp_path / "m", without_defaults + extra))
    # the versioning sub-resource takes no tags and the tagged key passes; an empty map is no tags
    assert rules(findings) == [
        ("resource-tags", "resource.aws_s3_bucket.data"),
        ("resource-tags", "resource.aws_sqs_queue.q"),
    ]
    assert "default_tags" in findings[0].message


def test_google_labels_and_default_labels_and_azure_tags(tmp_path: Path) -> None:
    text = """
provider "google" {
  default_labels = { project = "demo" }
}
resource "google_storage_bucket" "covered" {
  name = "a"
}
resource "azurerm_resource_group" "untagged" {
  name     = "rg"
  location = "westeurope"
}
resource "azurerm_resource_group" "tagged" {
  name     = "rg2"
  location = "westeurope"
  tags     = { project = "demo" }
}
output "o" {
  description = "bucket"
  value       = google_storage_bucket.covered.name
}
"""
    assert rules(check_module(write(tmp_path / "m", text))) == [
        ("resource-tags", "resource.azurerm_resource_group.untagged")
    ]
    no_default = text.replace('default_labels = { project = "demo" }', 'project = "p"')
    found = rules(check_module(write(tmp_path / "n", no_default)))
    assert ("resource-tags", "resource.google_storage_bucket.covered") in found


def test_blocks_merge_across_files_and_parse_errors_are_findings(tmp_path: Path) -> None:
    module = tmp_path / "split"
    top, outputs = GOOD.split('output "bucket"')
    write(module, top, "main.tf")
    write(module, 'output "bucket"' + outputs, "outputs.tf")
    assert check_module(module) == []
    write(module, 'resource "aws_s3_bucket" {{{ nonsense', "broken.tf")
    assert [(f.rule, f.block) for f in check_module(module)] == [("parse-error", "broken.tf")]


def test_main_prints_findings_and_exits_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good", GOOD)
    bad = write(tmp_path / "bad", 'variable "x" {}\n')
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    printed = capsys.readouterr().out
    assert "variable-type: variable.x" in printed
    assert "2 module(s), 2 finding(s)" in printed
    assert main([]) == 2
    assert rules(check_modules([tmp_path / "missing"])) == [("parse-error", "module")]


def test_tag_argument_knows_the_providers() -> None:
    assert tag_argument("aws_sagemaker_endpoint") == "tags"
    assert tag_argument("google_vertex_ai_endpoint") == "labels"
    assert tag_argument("azurerm_machine_learning_workspace") == "tags"
    assert tag_argument("aws_kms_alias") is None


def test_the_aws_package_terraform_module_is_clean() -> None:
    module = REPO / "aws_ai_services" / "terraform"
    assert sorted(p.name for p in module.glob("*.tf")) == [
        "main.tf",
        "outputs.tf",
        "variables.tf",
        "versions.tf",
    ]
    assert check_module(module) == []
    parsed, _ = terraform_checks.load_module(module)
    outputs = {labels[0] for labels, _ in terraform_checks.named_blocks(parsed, "output")}
    assert {"endpoint_name", "artifact_bucket_name", "sagemaker_role_arn", "state_machine_arn"} <= outputs


def test_fmt_usage_without_directories() -> None:
    assert fmt_main([]) == 2
