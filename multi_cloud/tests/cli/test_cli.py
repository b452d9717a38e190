"""The cloudai command line, run as a user runs it (a subprocess)."""

import os
import subprocess
import sys

import pytest


def cloudai(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "multi_cloud.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def isolated_env(tmp_path):
    return {"CLOUDAI_STATE_DIR": str(tmp_path / "state"), "CLOUDAI_MODE": "local"}


def test_help_lists_the_commands():
    result = cloudai("--help")
    assert result.returncode == 0
    for command in ("doctor", "demo", "local"):
        assert command in result.stdout


def test_doctor_reports_mode_backends_and_engines(isolated_env):
    result = cloudai("doctor", env=isolated_env)
    assert result.returncode == 0, result.stderr
    assert "local" in result.stdout
    assert "backend moto" in result.stdout
    assert "espeak-ng" in result.stdout


def test_doctor_in_cloud_mode_without_credentials_fails_with_the_fix(isolated_env, tmp_path):
    env = {**isolated_env, "CLOUDAI_MODE": "cloud", "HOME": str(tmp_path)}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CLIENT_ID"):
        env[key] = ""
    result = cloudai("doctor", env=env)
    assert result.returncode == 1
    assert "aws configure" in result.stdout


def test_bad_settings_exit_non_zero_with_one_line(isolated_env):
    result = cloudai("doctor", env={**isolated_env, "CLOUDAI_MODE": "sideways"})
    assert result.returncode == 1
    assert "mode" in result.stdout + result.stderr


def test_unknown_demo_is_one_line_and_non_zero():
    result = cloudai("demo", "no-such-demo")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "available: " in result.stderr and "tour" in result.stderr


def test_demo_list_includes_the_tour():
    result = cloudai("demo")
    assert result.returncode == 0 and "tour" in result.stdout


def test_local_lifecycle_through_the_cli(isolated_env):
    assert cloudai("local", "status", env=isolated_env).returncode == 3
    up = cloudai("local", "up", env=isolated_env)
    try:
        assert up.returncode == 0, up.stderr
        again = cloudai("local", "up", env=isolated_env)
        assert again.returncode == 1 and "already running" in again.stderr
        exports = cloudai("local", "env", env=isolated_env).stdout
        assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in exports
        assert "answering" in cloudai("local", "status", env=isolated_env).stdout
    finally:
        down = cloudai("local", "down", env=isolated_env)
    assert down.returncode == 0
    missing = cloudai("local", "env", env=isolated_env)
    assert missing.returncode == 1 and "cloudai local up" in missing.stderr


def test_doctor_names_what_still_needs_a_system_package(monkeypatch):
    from multi_cloud.cli.checks import engine_checks

    monkeypatch.setenv("CLOUDAI_DISABLE_BINARIES", "all")
    checks = {check.name: check for check in engine_checks()}
    assert checks["apertium"].level == "warn"
    assert "needs a system package" in checks["apertium"].detail
    assert checks["apertium"].fix == "apt-get install -y apertium apertium-en-es"
    # the binaries that only stand in for a wheel are informational, the wheels themselves are present
    assert checks["espeak-ng"].level == checks["tesseract"].level == "info"
    assert checks["espeakng-loader"].level == checks["rapidocr"].level == "ok"
