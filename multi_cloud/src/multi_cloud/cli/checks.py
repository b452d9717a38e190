"""The individual checks behind ``cloudai doctor``."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Level = Literal["ok", "warn", "error", "info"]


@dataclass(frozen=True)
class Check:
    area: str
    name: str
    level: Level
    detail: str
    fix: str = ""


def run_checks() -> list[Check]:
    from multi_cloud.core.errors import ConfigurationError
    from multi_cloud.core.settings import load_settings

    try:
        settings = load_settings()
    except ConfigurationError as err:
        return [Check("settings", "cloudai settings", "error", str(err), "fix the named setting")]
    checks = [Check("settings", "mode", "ok", f"{settings.mode} (state dir {settings.state_dir})")]
    checks += provider_checks(settings.mode)
    checks += local_cloud_checks()
    checks += engine_checks()
    return checks


def provider_checks(mode: str) -> list[Check]:
    from multi_cloud.core.registry import known_providers, provider_spec

    checks = []
    sdk_modules = {
        "aws": "boto3",
        "gcp": "google.cloud.aiplatform",
        "azure": "azure.ai.ml",
        "onprem": "sklearn",
    }
    for name in known_providers():
        spec = provider_spec(name)
        module = sdk_modules.get(name, "")
        installed = _module_installed(module)
        level: Level = "ok" if installed else "warn"
        checks.append(
            Check(
                name,
                "SDK installed",
                level,
                module if installed else f"{module} missing",
                "" if installed else spec.install_hint,
            )
        )
        if name == "onprem":
            continue
        found, where, fix = credentials(name)
        if mode == "local":
            checks.append(Check(name, "credentials", "info", "local mode uses fake credentials", ""))
        else:
            checks.append(Check(name, "credentials", "ok" if found else "error", where, "" if found else fix))
    return checks


def _module_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def credentials(provider: str) -> tuple[bool, str, str]:
    """Whether credentials for ``provider`` can be found, where, and how to add them (never their values)."""
    env = os.environ
    home = Path.home()
    if provider == "aws":
        if env.get("AWS_ACCESS_KEY_ID"):
            return True, "AWS_ACCESS_KEY_ID in the environment", ""
        if env.get("AWS_PROFILE") or (home / ".aws" / "credentials").exists():
            return True, "AWS profile / ~/.aws/credentials", ""
        return False, "no AWS credentials", "run `aws configure` or set AWS_PROFILE"
    if provider == "gcp":
        adc = home / ".config" / "gcloud" / "application_default_credentials.json"
        if env.get("GOOGLE_APPLICATION_CREDENTIALS") or adc.exists():
            return True, "application default credentials", ""
        return False, "no Google credentials", "run `gcloud auth application-default login`"
    if provider == "azure":
        if env.get("AZURE_CLIENT_ID") or (home / ".azure").is_dir():
            return True, "service principal env or `az login` cache", ""
        return False, "no Azure credentials", "run `az login` or set AZURE_CLIENT_ID/SECRET/TENANT_ID"
    return True, "", ""


def local_cloud_checks() -> list[Check]:
    from multi_cloud.local_cloud import control
    from multi_cloud.local_cloud.registry import backend_targets, load_backend

    checks = []
    for name, target in backend_targets().items():
        try:
            reason = load_backend(target).available()
        except ImportError as exc:
            reason = str(exc)
        checks.append(
            Check(
                "local cloud",
                f"backend {name}",
                "ok" if reason is None else "warn",
                reason or "installed",
                "" if reason is None else (reason.split(": ")[-1]),
            )
        )
    current = control.status()
    if current.running:
        checks.append(Check("local cloud", "background", "ok", f"running, pid {current.pid}"))
    else:
        checks.append(
            Check(
                "local cloud",
                "background",
                "info",
                "not running (tests and notebooks start their own)",
                "cloudai local up",
            )
        )
    return checks


def engine_checks() -> list[Check]:
    from multi_cloud.onprem.engines.availability import engine_report

    checks = []
    for name, status in engine_report().items():
        level: Level = "ok" if status.present else ("info" if status.optional else "warn")
        detail = status.used_for
        if status.system_package and not status.present:
            detail += " - needs a system package" + ("" if status.optional else ", pip cannot install it")
        checks.append(Check("engines", name, level, detail, "" if status.present else status.install))
    return checks
