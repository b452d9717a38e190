"""Azure Functions' state in the emulator: the function apps, the host that runs them, their pollers."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from azure_ai_services.emulator.functions import storage_bindings
from azure_ai_services.emulator.functions.host import FunctionsHost, Outcome
from azure_ai_services.emulator.functions.sites import FunctionApp, FunctionApps
from azure_ai_services.emulator.functions.storage_triggers import StoragePoller


class AzureFunctions:
    """Apps (ARM), deployments (Kudu), invocations (HTTP, storage and Event Grid triggers)."""

    def __init__(self, root: Path | None = None, log_root: Path | None = None) -> None:
        self.apps = FunctionApps()
        self.host = FunctionsHost(root, log_root)
        self.pollers: dict[str, StoragePoller] = {}
        self._lock = threading.Lock()

    def deploy(self, app: FunctionApp, archive: bytes, host_url: str) -> dict[str, Any]:
        """Zip deploy: build, index, (re)start the app's triggers; the Kudu deployment record."""
        started = datetime.now(timezone.utc).isoformat()
        deployment: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "status": 3,  # Failed, until it succeeds
            "status_text": "",
            "author": "cloudai",
            "deployer": "ZipDeploy",
            "message": "Created via a push deployment",
            "start_time": started,
            "complete": True,
            "active": False,
            "site_name": app.name,
        }
        try:
            functions, settings = self.host.deploy(app, archive, host_url)
        except Exception as exc:
            deployment["status_text"] = str(getattr(exc, "message", exc))
            deployment["end_time"] = datetime.now(timezone.utc).isoformat()
            app.deployments.append(deployment)
            raise
        self._stop_poller(app.name)
        app.functions = functions
        app.settings = settings
        for previous in app.deployments:
            previous["active"] = False
        deployment.update(
            status=4, status_text="", active=True, end_time=datetime.now(timezone.utc).isoformat()
        )
        app.deployments.append(deployment)
        if any(_trigger(f)["type"] in ("blobTrigger", "queueTrigger") for f in functions):
            poller = StoragePoller(app, self.run, self.host.log)
            with self._lock:
                self.pollers[app.name.lower()] = poller
            poller.start()
        return deployment

    def run(
        self,
        app: FunctionApp,
        function: dict[str, Any],
        reason: str,
        event: dict[str, Any],
        values: dict[str, str],
    ) -> bool:
        """Invoke a non-HTTP function and write its outputs; True when it succeeded."""
        outcome = self.invoke(app, function, reason, event, values)
        return outcome.ok

    def invoke(
        self,
        app: FunctionApp,
        function: dict[str, Any],
        reason: str,
        event: dict[str, Any],
        values: dict[str, str],
    ) -> Outcome:
        outcome = self.host.invoke(app, function["name"], reason, event)
        if outcome.ok and outcome.answer.get("outputs"):
            try:
                written = storage_bindings.write_outputs(
                    app, function["bindings"], outcome.answer["outputs"], values
                )
                self.host.log(app.name, "".join(f"  output written to {place}\n" for place in written))
            except Exception as exc:  # noqa: BLE001 - a failed output binding fails the invocation
                self.host.log(app.name, f"  output binding failed: {type(exc).__name__}: {exc}\n")
                outcome.invocation.status = "Failed"
                outcome.invocation.error = f"output binding: {exc}"
                return Outcome(outcome.invocation, {}, _failed(outcome, exc))
        return outcome

    def delete(self, app: FunctionApp) -> None:
        self._stop_poller(app.name)
        self.apps.remove(app.name)
        self.host.remove(app.name)

    def reset(self) -> None:
        for app in self.apps.all():
            self.delete(app)

    def close(self) -> None:
        with self._lock:
            pollers, self.pollers = list(self.pollers.values()), {}
        for poller in pollers:
            poller.stop()
        self.host.close()

    def _stop_poller(self, name: str) -> None:
        with self._lock:
            poller = self.pollers.pop(name.lower(), None)
        if poller is not None:
            poller.stop()


def _trigger(function: dict[str, Any]) -> dict[str, Any]:
    return next((b for b in function["bindings"] if str(b["type"]).endswith("Trigger")), {"type": ""})


def trigger_type(function: dict[str, Any]) -> str:
    return str(_trigger(function)["type"])


def trigger_binding(function: dict[str, Any]) -> dict[str, Any]:
    return _trigger(function)


def _failed(outcome: Outcome, exc: Exception) -> Any:
    from dataclasses import replace

    return replace(outcome.result, error_type="OutputBindingError", error_message=str(exc))
