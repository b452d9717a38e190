"""Conformance tests for FunctionService: deploy real handler code, invoke it, get errors back as results."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import NotFound

HANDLER_SOURCE = """
import os
import time


def handler(event, context):
    print("handling", event.get("token", ""))
    if event.get("fail"):
        raise ValueError("bad input " + str(event["fail"]))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {
        "sum": sum(event.get("numbers", [])),
        "function": context.function_name,
        "greeting": os.environ.get("GREETING", ""),
        "version": VERSION,
    }


VERSION = "first"
"""


def _name() -> str:
    return f"conf-fn-{uuid.uuid4().hex[:8]}"


def write_handler(directory: Path, version: str = "first") -> Path:
    """A source folder holding ``app.py`` with ``handler`` (the version string is part of the code)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(HANDLER_SOURCE.replace('"first"', repr(version)))
    return directory


class FunctionConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_invoke_runs_the_handler_code(self, provider: CloudProvider, tmp_path: Path) -> None:
        name = _name()
        info = provider.functions.deploy(
            name, str(write_handler(tmp_path / "src")), "app.handler", environment={"GREETING": "hola"}
        )
        assert info.name == name and info.handler == "app.handler"
        result = provider.functions.invoke(name, {"numbers": [3, 4, 5.5], "token": "t-81"})
        assert result.ok, result.error_message
        assert result.status_code == 200
        assert result.payload == {"sum": 12.5, "function": name, "greeting": "hola", "version": "first"}
        assert "t-81" in result.logs

    def test_handler_exception_comes_back_in_the_result(
        self, provider: CloudProvider, tmp_path: Path
    ) -> None:
        name = _name()
        provider.functions.deploy(name, str(write_handler(tmp_path / "src")), "app.handler")
        result = provider.functions.invoke(name, {"fail": 42})
        assert not result.ok
        assert result.error_type == "ValueError"
        assert "bad input 42" in result.error_message
        assert "ValueError" in result.traceback and "app.py" in result.traceback
        assert provider.functions.invoke(name, {"numbers": [1]}).payload["sum"] == 1  # still usable

    def test_timeout_is_reported_not_raised(self, provider: CloudProvider, tmp_path: Path) -> None:
        name = _name()
        provider.functions.deploy(
            name, str(write_handler(tmp_path / "src")), "app.handler", timeout_seconds=1
        )
        started = time.monotonic()
        result = provider.functions.invoke(name, {"sleep": 30})
        assert time.monotonic() - started < 15
        assert not result.ok
        assert "timed out" in result.error_message.lower()

    def test_redeploy_serves_the_new_code_as_a_new_version(
        self, provider: CloudProvider, tmp_path: Path
    ) -> None:
        name = _name()
        first = provider.functions.deploy(name, str(write_handler(tmp_path / "v1")), "app.handler")
        assert provider.functions.invoke(name, {}).payload["version"] == "first"
        second = provider.functions.deploy(name, str(write_handler(tmp_path / "v2", "second")), "app.handler")
        assert second.version != first.version
        assert provider.functions.invoke(name, {}).payload["version"] == "second"

    def test_list_delete_and_unknown_function(self, provider: CloudProvider, tmp_path: Path) -> None:
        name = _name()
        provider.functions.deploy(name, str(write_handler(tmp_path / "src")), "app.handler")
        assert name in {f.name for f in provider.functions.list_functions()}
        provider.functions.delete(name)
        assert name not in {f.name for f in provider.functions.list_functions()}
        with pytest.raises(NotFound):
            provider.functions.invoke(name, {})
        with pytest.raises(NotFound):
            provider.functions.delete(name)
