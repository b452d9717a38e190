"""Cloud Run Admin API v2's services and revisions, as ``google.cloud.run_v2``'s REST clients send them.

``createService`` (``?serviceId=``), ``updateService`` (PATCH) and ``deleteService`` are long-running
operations whose metadata and response are the ``Service``. A create, or an update that changes the
``template``, makes a revision (``{service}-{generation:05d}-{xyz}``): its source is unpacked and its process
started and probed (:mod:`.source`, :mod:`.instances`); ``traffic`` (percent per revision, or LATEST) must
add up to 100 and decides which revision answers each request to the service's ``uri``
(:mod:`.gateway`). Bad input is refused before any operation starts, with Google's codes.
"""

from __future__ import annotations

import copy
import re
import string
import uuid
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import Operation, type_url
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.run import source
from gcp_ai_services.emulator.run.gateway import service_uri, tag_uri
from gcp_ai_services.emulator.run.state import RunState
from gcp_ai_services.emulator.wire import invalid

SERVICE_TYPE = "google.cloud.run.v2.Service"
REVISION_TYPE = "google.cloud.run.v2.Revision"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
_ALLOCATION = {1: LATEST, 2: REVISION, LATEST: LATEST, REVISION: REVISION}
_SERVICE_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$")
_READY = "CONDITION_SUCCEEDED"
NAME = "/v2/{name=projects/*/locations/*/services/*}"
PARENT = "/v2/{parent=projects/*/locations/*}/services"
REVISION_NAME = "/v2/{name=projects/*/locations/*/services/*/revisions/*}"


class RunAPI:
    def __init__(self, state: RunState) -> None:
        self.state = state

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", PARENT, self.create)
        routes.add("GET", PARENT, self.list_services)
        routes.add("GET", NAME, lambda request, name: self.state.service(name))
        routes.add("PATCH", "/v2/{service.name=projects/*/locations/*/services/*}", self.update)
        routes.add("DELETE", NAME, self.delete)
        routes.add("GET", "/v2/{parent=projects/*/locations/*/services/*}/revisions", self.list_revisions)
        routes.add("GET", REVISION_NAME, lambda request, name: self.state.revision(name))
        routes.add("DELETE", REVISION_NAME, self.delete_revision)
        return routes

    # ------------------------------------------------------------------ services
    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        service_id = request.args.get("serviceId", "")
        if not _SERVICE_ID.match(service_id):
            raise invalid(
                f"Invalid service id {service_id!r}: use lowercase letters, digits and hyphens, start with "
                "a letter, end with a letter or digit, at most 49 characters."
            )
        name = f"{parent}/services/{service_id}"
        if body.get("name") and body["name"] != name:
            raise invalid("service.name must be empty or match the parent and service_id.")
        with self.state.lock:
            if name in self.state.services:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
        template = _template(body)
        archive = source.read_source(source.source_uri(template["containers"][0]))
        now = _now()
        service = {
            **{k: v for k, v in body.items() if k in _MUTABLE},
            "name": name,
            "uid": str(uuid.uuid4()),
            "generation": "1",
            "createTime": now,
            "updateTime": now,
            "creator": "learner@local",
            "lastModifier": "learner@local",
            "launchStage": body.get("launchStage") or "GA",
            "ingress": body.get("ingress") or "INGRESS_TRAFFIC_ALL",
            "template": template,
            "traffic": [{"type": LATEST, "percent": 100}],
            "uri": service_uri(request.host_url, name),
            "urls": [service_uri(request.host_url, name)],
            "reconciling": True,
            "etag": _etag(),
        }
        revision = self._revision_name(name, template, 1)
        service["traffic"] = self._traffic(body.get("traffic"), name, revision)
        service["terminalCondition"] = _condition("Ready", "CONDITION_RECONCILING")
        if request.args.get("validateOnly") == "true":
            return self._done(parent, name, "create", service)
        with self.state.lock:
            if name in self.state.services:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
            self.state.services[name] = service
        host = request.host_url

        def work(operation: Operation) -> dict[str, Any]:
            try:
                self._deploy(name, revision, template, archive, 1)
            except GoogleError:
                with self.state.lock:
                    self.state.services.pop(name, None)  # a failed first deployment leaves no service
                raise
            return self._settled(name, host)

        return self._operation(parent, name, "create", work)

    def list_services(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [s for n, s in sorted(self.state.services.items()) if n.startswith(parent + "/")]
        return {"services": found} if found else {}

    def update(self, request: Any, **fields: str) -> dict[str, Any]:
        name = fields["service.name"]
        body = json_body(request)
        parent = name.rsplit("/services/", 1)[0]
        with self.state.lock:
            current = self.state.services.get(name)
            if current is None:
                raise GoogleError("NOT_FOUND", f"Resource '{name}' was not found")
            if current.get("reconciling"):
                raise GoogleError(
                    "FAILED_PRECONDITION",
                    f"Service '{name}' is being deployed: wait for its operation first.",
                )
            current = copy.deepcopy(current)
        mask = [p.strip() for p in request.args.get("updateMask", "").split(",") if p.strip()]
        changed = {k: v for k, v in body.items() if k in _MUTABLE and (not mask or _in_mask(k, mask))}
        template = _template({"template": changed.get("template", current["template"])})
        new_template = _comparable(template) != _comparable(current["template"])
        generation = int(current["generation"]) + 1
        revision = self._revision_name(name, template, generation) if new_template else ""
        archive = source.read_source(source.source_uri(template["containers"][0])) if new_template else b""
        latest = revision or str(current.get("latestReadyRevision", "")).rsplit("/", 1)[-1]
        traffic = self._traffic(changed.get("traffic", current["traffic"]), name, latest)
        updated = {**current, **changed, "template": template, "traffic": traffic}
        updated.update(generation=str(generation), updateTime=_now(), etag=_etag(), reconciling=True)
        if request.args.get("validateOnly") == "true":
            return self._done(parent, name, "update", updated)
        with self.state.lock:
            self.state.services[name] = updated
        host = request.host_url

        def work(operation: Operation) -> dict[str, Any]:
            if new_template:
                try:
                    self._deploy(name, revision, template, archive, generation)
                except GoogleError as err:
                    with self.state.lock:  # the old revisions keep serving, as on Cloud Run
                        self.state.services[name] = {
                            **current,
                            "terminalCondition": _condition("Ready", "CONDITION_FAILED", err.message),
                        }
                    raise
            return self._settled(name, host)

        return self._operation(parent, name, "update", work)

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        service = self.state.service(name)
        parent = name.rsplit("/services/", 1)[0]

        def work(operation: Operation) -> dict[str, Any]:
            for revision in self.state.revisions_of(name):
                self.state.forget_revision(revision["name"])
            with self.state.lock:
                self.state.services.pop(name, None)
            return {"@type": type_url(SERVICE_TYPE), **service, "deleteTime": _now()}

        return self._operation(parent, name, "delete", work)

    # ------------------------------------------------------------------ revisions
    def list_revisions(self, request: Any, parent: str) -> dict[str, Any]:
        self.state.service(parent)
        found = self.state.revisions_of(parent)
        return {"revisions": found} if found else {}

    def delete_revision(self, request: Any, name: str) -> dict[str, Any]:
        revision = self.state.revision(name)
        service_name = name.split("/revisions/")[0]
        serving = [t for t in self.state.service(service_name).get("trafficStatuses", []) if t.get("percent")]
        if any(t.get("revision") == name.rsplit("/", 1)[-1] for t in serving):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Revision '{name.rsplit('/', 1)[-1]}' serves traffic: move its traffic to another "
                "revision with update_service first.",
            )

        def work(operation: Operation) -> dict[str, Any]:
            self.state.forget_revision(name)
            return {"@type": type_url(REVISION_TYPE), **revision}

        return self._operation(name.rsplit("/services/", 1)[0], name, "delete", work)

    # ------------------------------------------------------------------ internals
    def _revision_name(self, service: str, template: dict[str, Any], generation: int) -> str:
        short = service.rsplit("/", 1)[-1]
        wanted = str(template.get("revision", ""))
        if wanted:
            if not wanted.startswith(short + "-"):
                raise invalid(f"template.revision {wanted!r} must start with the service name '{short}-'.")
            if f"{service}/revisions/{wanted}" in self.state.revisions:
                raise GoogleError(
                    "ALREADY_EXISTS",
                    f"Revision named '{wanted}' with different configuration "
                    "already exists: give the new template another revision name or none.",
                )
            return wanted
        suffix = "".join(self.state.rng.choice(string.ascii_lowercase) for _ in range(3))
        return f"{short}-{generation:05d}-{suffix}"

    def _traffic(self, given: Any, service: str, newest: str) -> list[dict[str, Any]]:
        """``traffic`` normalised (enum names, percent ints); INVALID_ARGUMENT unless it adds up to 100."""
        if not given:
            return [{"type": LATEST, "percent": 100}]
        if not isinstance(given, list):
            raise invalid("Invalid value at 'service.traffic': expected a list of traffic targets.")
        targets, tags = [], set()
        for index, target in enumerate(given):
            kind = _ALLOCATION.get(target.get("type") or (REVISION if target.get("revision") else LATEST))
            if kind is None:
                raise invalid(f"Invalid value at 'service.traffic[{index}].type': {target.get('type')!r}.")
            entry: dict[str, Any] = {"type": kind, "percent": int(target.get("percent") or 0)}
            if kind == REVISION:
                revision = str(target.get("revision", ""))
                known = f"{service}/revisions/{revision}" in self.state.revisions or revision == newest
                if not known:
                    raise invalid(
                        f"service.traffic[{index}].revision: Revision '{revision}' referenced in traffic "
                        f"not found. Known revisions: {self._known(service)}."
                    )
                entry["revision"] = revision
            if target.get("tag"):
                if target["tag"] in tags:
                    raise invalid(f"service.traffic: tag {target['tag']!r} is used twice.")
                tags.add(target["tag"])
                entry["tag"] = str(target["tag"])
            if not 0 <= entry["percent"] <= 100:
                raise invalid(f"service.traffic[{index}].percent must be between 0 and 100.")
            targets.append(entry)
        total = sum(t["percent"] for t in targets)
        if total != 100:
            raise invalid(f"service.traffic: the percentages add up to {total}, they must add up to 100.")
        return targets

    def _known(self, service: str) -> str:
        return ", ".join(r["name"].rsplit("/", 1)[-1] for r in self.state.revisions_of(service)) or "none"

    def _deploy(
        self, service: str, revision: str, template: dict[str, Any], archive: bytes, generation: int
    ) -> None:
        """Unpack the source, start the revision's process and wait for it to listen; record the revision."""
        name = f"{service}/revisions/{revision}"
        container = template["containers"][0]
        env = {str(e["name"]): str(e.get("value", "")) for e in container.get("env") or [] if e.get("name")}
        project, short = service.split("/")[1], service.rsplit("/", 1)[-1]
        env.update(K_SERVICE=short, K_REVISION=revision, K_CONFIGURATION=short, GOOGLE_CLOUD_PROJECT=project)
        code_dir = source.unpack(archive, self.state.code_root(name))
        argv = source.command(code_dir, container, env)
        self.state.instances.start(name, argv, code_dir, env)
        with self.state.lock:
            gone = service not in self.state.services
        if gone:  # deleted while it deployed: nothing may keep running
            self.state.instances.stop(name)
            raise GoogleError(
                "ABORTED", f"Service '{service}' was deleted while revision {revision} deployed."
            )
        now = _now()
        record = {
            "name": name,
            "uid": str(uuid.uuid4()),
            "generation": "1",
            "createTime": now,
            "updateTime": now,
            "launchStage": "GA",
            "service": service,
            "scaling": template.get("scaling", {}),
            "maxInstanceRequestConcurrency": template.get("maxInstanceRequestConcurrency", 80),
            "timeout": template.get("timeout", "300s"),
            "containers": template["containers"],
            "conditions": [
                _condition("Ready", _READY),
                _condition("ContainerHealthy", _READY),
                _condition("ResourcesAvailable", _READY),
            ],
            "observedGeneration": "1",
            "logUri": self.state.instances.log_path(name).as_uri(),
            "etag": _etag(),
            "labels": template.get("labels", {}),
            "annotations": {"run.googleapis.com/service-generation": str(generation)},
        }
        with self.state.lock:
            self.state.revisions[name] = record
            self.state.launch[name] = (argv, code_dir, env)

    def _settled(self, name: str, host: str) -> dict[str, Any]:
        """The service once its revision is up: latest revisions, traffic statuses, Ready."""
        with self.state.lock:
            service = self.state.services[name]
            revisions = self.state.revisions_of(name)
            latest = revisions[-1]["name"] if revisions else ""
            if revisions:
                latest = max(revisions, key=lambda r: r["createTime"])["name"]
            service["latestCreatedRevision"] = service["latestReadyRevision"] = latest
            statuses = []
            for target in service["traffic"]:
                status = dict(target)
                if target["type"] == LATEST:
                    status["revision"] = latest.rsplit("/", 1)[-1]
                if target.get("tag"):
                    status["uri"] = tag_uri(host, name, target["tag"])
                statuses.append(status)
            service["trafficStatuses"] = statuses
            service["observedGeneration"] = service["generation"]
            service["terminalCondition"] = _condition("Ready", _READY)
            service["conditions"] = [
                _condition("RoutesReady", _READY),
                _condition("ConfigurationsReady", _READY),
            ]
            service["reconciling"] = False
            serving = {
                f"{name}/revisions/{s['revision']}" for s in statuses if s.get("percent") or s.get("tag")
            }
            answer = {"@type": type_url(SERVICE_TYPE), **copy.deepcopy(service)}
        for revision in revisions:  # scale to zero is not emulated, but revisions that serve nothing stop
            if revision["name"] not in serving:
                self.state.instances.stop(revision["name"])
        return answer

    def _operation(self, parent: str, target: str, verb: str, work: Any) -> dict[str, Any]:
        metadata = {"@type": type_url(SERVICE_TYPE), "name": target}
        operation = self.state.operations.start(parent, metadata, work, operation_id=str(uuid.uuid4()))
        answer: dict[str, Any] = operation.to_json()
        return answer

    def _done(self, parent: str, target: str, verb: str, service: dict[str, Any]) -> dict[str, Any]:
        """validate_only: an operation already done, the service as it would be; nothing changes."""
        operation = self.state.operations.create(parent, {"@type": type_url(SERVICE_TYPE), "name": target})
        self.state.operations.succeed(operation.name, {"@type": type_url(SERVICE_TYPE), **service})
        answer: dict[str, Any] = operation.to_json()
        return answer


#: the Service fields a learner sets (the rest are output only)
_MUTABLE = frozenset(
    {
        "description",
        "labels",
        "annotations",
        "client",
        "clientVersion",
        "ingress",
        "launchStage",
        "template",
        "traffic",
        "scaling",
        "invokerIamDisabled",
        "defaultUriDisabled",
        "customAudiences",
        "buildConfig",
    }
)


def _template(body: dict[str, Any]) -> dict[str, Any]:
    template = body.get("template")
    if not isinstance(template, dict) or not template.get("containers"):
        raise invalid("service.template.containers is required: one container, naming its source.")
    containers = template["containers"]
    if len(containers) > 1:
        raise GoogleError(
            "UNIMPLEMENTED",
            "the local emulator does not run sidecars: it runs one container per revision "
            f"(this template has {len(containers)}); use CLOUDAI_MODE=cloud for multi-container services.",
        )
    container = dict(containers[0])
    container.setdefault("ports", [{"name": "http1", "containerPort": 8080}])
    container.setdefault("resources", {"limits": {"cpu": "1000m", "memory": "512Mi"}, "cpuIdle": True})
    return {**template, "containers": [container]}


def _comparable(value: Any) -> Any:
    """The template without its revision name and empty values (clients send proto defaults or omit them)."""
    if isinstance(value, dict):
        pruned = {k: _comparable(v) for k, v in value.items() if k != "revision"}
        return {k: v for k, v in pruned.items() if v not in (None, "", 0, False, [], {})}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _in_mask(field: str, mask: list[str]) -> bool:
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), field)
    return any(p.split(".")[0] in (field, snake) for p in mask)


def _condition(kind: str, state: str, message: str = "") -> dict[str, Any]:
    condition: dict[str, Any] = {"type": kind, "state": state, "lastTransitionTime": _now()}
    if message:
        condition["message"] = message
        condition["severity"] = "ERROR"
    return condition


def _etag() -> str:
    return f'"{uuid.uuid4().hex[:16]}"'


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
