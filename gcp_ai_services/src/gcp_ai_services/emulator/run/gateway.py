"""Each service's ``uri``: ``{emulator}/cloudrun/{project}/{location}/{service}``, proxied to a revision.

Mounted at ``/cloudrun`` in the emulator app. A request to the URI (plus any path and query) goes to one
revision's process, chosen by the service's traffic split (:func:`~multi_cloud.emulation.serving.
traffic_split.choose_variant` over the percentages), with the path below the URI; a tagged target's own URI is
``.../{tag}---{service}`` (Cloud Run's ``https://{tag}---{service}-...run.app``) and always reaches its
revision. A revision whose process has exited is started again (a cold start). An unknown service is 404, as
Cloud Run answers; a process that does not answer is 503.
"""

from __future__ import annotations

import http.client
import threading
from typing import TYPE_CHECKING

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.serving.traffic_split import RequestRejected, choose_variant

from gcp_ai_services.emulator.run.state import RunState

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response

MOUNT = "/cloudrun"
_DROPPED = frozenset({"host", "content-length", "connection", "transfer-encoding", "keep-alive"})
#: the longest a request may run (Cloud Run's maximum request timeout is 3600 s)
MAX_REQUEST_SECONDS = 3600.0


def service_uri(host_url: str, name: str) -> str:
    _, project, _, location, _, short = name.split("/")
    return f"{host_url.rstrip('/')}{MOUNT}/{project}/{location}/{short}"


def tag_uri(host_url: str, name: str, tag: str) -> str:
    _, project, _, location, _, short = name.split("/")
    return f"{host_url.rstrip('/')}{MOUNT}/{project}/{location}/{tag}---{short}"


class RunGateway:
    """An ``EmulatorApp`` service for the ``/cloudrun`` mount."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self._starting = threading.Lock()

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        parts = incoming.path.lstrip("/").split("/", 3)
        if len(parts) < 3:
            return _not_found(incoming.path)
        tag, _, short = parts[2].rpartition("---")
        name = f"projects/{parts[0]}/locations/{parts[1]}/services/{short}"
        try:
            revision = self._choose(name, tag)
        except (GoogleError, RequestRejected):
            return _not_found(incoming.path)
        if revision is None:
            return _not_found(incoming.path)
        try:
            port, timeout = self._port(revision)
        except GoogleError as err:
            return Response(err.message + "\n", status=503, content_type="text/plain")
        request = incoming.request
        path = "/" + (parts[3] if len(parts) > 3 else "")
        query = request.query_string.decode("latin-1")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request(
                request.method,
                path + (f"?{query}" if query else ""),
                body=request.get_data(),
                headers=headers,
            )
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError:
            return Response("upstream request timeout", status=504, content_type="text/plain")
        except OSError as exc:
            return Response(
                f"The revision {revision.rsplit('/', 1)[-1]} did not answer ({exc}); its log is "
                f"{self.state.instances.log_path(revision)}\n",
                status=503,
                content_type="text/plain",
            )
        finally:
            connection.close()
        kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _DROPPED]
        return Response(body, status=answer.status, headers=kept)

    def _choose(self, name: str, tag: str) -> str | None:
        """The full name of the revision that takes this request, or None if the service cannot serve."""
        with self.state.lock:
            service = self.state.services.get(name)
            statuses = list(service.get("trafficStatuses", [])) if service else []
        if tag:
            chosen = [s["revision"] for s in statuses if s.get("tag") == tag]
            return f"{name}/revisions/{chosen[0]}" if chosen else None
        weights: dict[str, float] = {}
        for status in statuses:
            weights[status["revision"]] = weights.get(status["revision"], 0.0) + float(
                status.get("percent", 0)
            )
        if not weights:
            return None
        return f"{name}/revisions/{choose_variant(weights, self.state.rng)}"

    def _port(self, revision: str) -> tuple[int, float]:
        """The port of the revision's process, started again (a cold start) if it is not running."""
        record = self.state.revision(revision)
        timeout = min(float(str(record.get("timeout", "300s")).rstrip("s") or 300), MAX_REQUEST_SECONDS)
        with self._starting:
            return self._started(revision), timeout

    def _started(self, revision: str) -> int:
        instance = self.state.instances.get(revision)
        if instance is None:
            with self.state.lock:
                launch = self.state.launch.get(revision)
            if launch is None:
                raise GoogleError("NOT_FOUND", f"Revision '{revision}' was not found")
            argv, code_dir, env = launch
            instance = self.state.instances.start(revision, argv, code_dir, env)
        return instance.port


def _not_found(path: str) -> Response:
    from werkzeug.wrappers import Response

    return Response(
        f"Error: Page not found. The requested URL {MOUNT}{path} was not found on this server.\n",
        status=404,
        content_type="text/html; charset=UTF-8",
    )
