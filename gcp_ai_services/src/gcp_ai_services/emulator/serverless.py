"""The emulator's serverless part: Pub/Sub and Cloud Functions state, push delivery and event triggers.

:meth:`Serverless.start` (when the app is built) starts Pub/Sub push delivery and connects the triggers to
Pub/Sub publishes and Cloud Storage writes; :meth:`close` (when the backend stops) undoes that and kills
every function worker. Function logs are files under ``$CLOUDAI_STATE_DIR/gcp-functions`` (:meth:`log_path`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gcp_ai_services.emulator.functions.events import EventDispatcher
from gcp_ai_services.emulator.functions.state import FunctionsState
from gcp_ai_services.emulator.pubsub.push import Pusher
from gcp_ai_services.emulator.pubsub.state import PubSubState

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Service


@dataclass
class Serverless:
    pubsub: PubSubState = field(default_factory=PubSubState)
    functions: FunctionsState = field(default_factory=FunctionsState)
    _pusher: Pusher | None = None

    def start(self) -> None:
        from gcp_ai_services.emulator import storage_events

        dispatcher = EventDispatcher(self.functions)
        self.pubsub.taps.append(dispatcher.message_published)
        storage_events.observe(dispatcher.object_finalized)
        self._dispatcher = dispatcher
        self._pusher = Pusher(self.pubsub)
        self._pusher.start()

    def services(self) -> list[Any]:
        """The Pub/Sub and Cloud Functions routes and the functions' ``/v2`` operations."""
        from gcp_ai_services.emulator.functions.api import FunctionsAPI
        from gcp_ai_services.emulator.pubsub.api import PubSubAPI

        return [
            PubSubAPI(self.pubsub).routes(),
            FunctionsAPI(self.functions, self.pubsub).routes(),
            V2Operations(self.functions),
        ]

    def mounts(self) -> dict[str, list[Service]]:
        from gcp_ai_services.emulator.functions.gateway import MOUNT, FunctionGateway

        return {MOUNT: [FunctionGateway(self.functions)]}

    def log_path(self, name: str) -> Path:
        """Where function ``projects/p/locations/l/functions/f`` writes its logs."""
        return self.functions.runner.log_path(name)

    def reset(self) -> None:
        self.pubsub.reset()
        self.functions.reset()

    def close(self) -> None:
        from gcp_ai_services.emulator import storage_events

        if self._pusher is not None:
            self._pusher.stop()
            self._pusher = None
            storage_events.forget(self._dispatcher.object_finalized)
        self.functions.close()


class V2Operations:
    """Cloud Functions' operations, at ``/v2/projects/*/locations/*/operations/*`` only."""

    def __init__(self, functions: FunctionsState) -> None:
        from multi_cloud.emulation.protocols.google.operations import OperationsService

        self._service = OperationsService(functions.operations)

    def claims(self, incoming: Any) -> bool:
        return incoming.path.startswith("/v2/") and self._service.claims(incoming)

    def handle(self, incoming: Any) -> Any:
        return self._service.handle(incoming)
