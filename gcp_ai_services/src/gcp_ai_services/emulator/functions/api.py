"""Cloud Functions v2's REST methods as ``google-cloud-functions``' ``FunctionServiceClient`` sends them.

``POST {parent}/functions:generateUploadUrl`` answers an ``uploadUrl`` on this server (the client PUTs the
zip there, as to Google's signed URL) and the ``storageSource`` to name in ``createFunction``.
``createFunction`` (``?functionId=``) and ``deleteFunction`` are long-running operations: the build unpacks
the zip, checks ``main.py`` and the entry point, and deploys into the on-prem runtime; a failed build
leaves the function ``FAILED`` and the operation's error ``INVALID_ARGUMENT``. ``getFunction`` and
``listFunctions`` answer the stored function. ``updateFunction`` (``PATCH``, ``?updateMask=``) merges the
masked fields (all given ones without a mask) and rebuilds: each build is a new ``serviceConfig.revision``.
"""

from __future__ import annotations

import copy
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import Operation, type_url
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.functions import source
from gcp_ai_services.emulator.functions.events import EVENT_TYPES, PUBSUB_EVENT
from gcp_ai_services.emulator.functions.gateway import function_uri
from gcp_ai_services.emulator.functions.runner import DEFAULT_MEMORY, memory_mb, timeout_seconds
from gcp_ai_services.emulator.functions.state import FunctionsState
from gcp_ai_services.emulator.pubsub.state import PubSubState
from gcp_ai_services.emulator.wire import invalid

FUNCTION_TYPE = "google.cloud.functions.v2.Function"
METADATA_TYPE = "google.cloud.functions.v2.OperationMetadata"
UPLOAD_BUCKET = "gcf-v2-uploads-local"
MAX_SOURCE_BYTES = 100 * 1024 * 1024
_FUNCTION_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
NAME = "/v2/{name=projects/*/locations/*/functions/*}"
PARENT = "/v2/{parent=projects/*/locations/*}/functions"


class FunctionsAPI:
    def __init__(self, state: FunctionsState, pubsub: PubSubState) -> None:
        self.state = state
        self.pubsub = pubsub

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", PARENT + ":generateUploadUrl", self.upload_url)
        routes.add("PUT", "/upload/cloudfunctions/{bucket}/{object}", self.receive_upload)
        routes.add("POST", PARENT, self.create)
        routes.add("GET", PARENT, self.list)
        routes.add("GET", NAME, lambda request, name: self.state.get(name))
        routes.add("PATCH", NAME, self.update)
        routes.add("DELETE", NAME, self.delete)
        return routes

    def upload_url(self, request: Any, parent: str) -> dict[str, Any]:
        name = f"{parent.replace('/', '-')}-{uuid.uuid4().hex}.zip"
        with self.state.lock:
            self.state.uploads[(UPLOAD_BUCKET, name)] = None
        return {
            "uploadUrl": f"{request.host_url.rstrip('/')}/upload/cloudfunctions/{UPLOAD_BUCKET}/{name}",
            "storageSource": {"bucket": UPLOAD_BUCKET, "object": name},
        }

    def receive_upload(self, request: Any, bucket: str, object: str) -> Any:  # noqa: A002 - the field's name
        from werkzeug.wrappers import Response

        key = (bucket, object)
        with self.state.lock:
            if key not in self.state.uploads:
                raise GoogleError("NOT_FOUND", f"No upload URL was generated for gs://{bucket}/{object}.")
            self.state.uploads[key] = request.get_data()
        return Response(b"", status=200)

    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        function_id = request.args.get("functionId", "") or str(body.get("name", "")).rsplit("/", 1)[-1]
        if not _FUNCTION_ID.match(function_id):
            raise invalid(
                f"Invalid function id {function_id!r}: use lowercase letters, digits and hyphens, "
                "start with a letter, at most 63 characters."
            )
        name = f"{parent}/functions/{function_id}"
        function = self._checked(body, name)
        function["url"] = function["serviceConfig"]["uri"] = function_uri(request.host_url, name)
        with self.state.lock:
            if name in self.state.functions:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
        archive = self._archive(function["buildConfig"]["source"])
        with self.state.lock:
            if name in self.state.functions:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
            self.state.functions[name] = function
        return self._operation(parent, name, "create", lambda op: self._build(name, archive)).to_json()

    def update(self, request: Any, name: str) -> dict[str, Any]:
        current = self.state.get(name)
        if current.get("state") in ("DEPLOYING", "DELETING"):
            raise GoogleError(
                "FAILED_PRECONDITION",
                f"Function {name} is {current['state']}: wait for that operation to end.",
            )
        mask = [path for path in request.args.get("updateMask", "").split(",") if path]
        function = self._checked(merged_update(current, json_body(request), mask), name)
        function["url"] = function["serviceConfig"]["uri"] = current["url"]
        archive = self._archive(function["buildConfig"]["source"])
        with self.state.lock:
            self.state.functions[name] = function
        parent = name.rsplit("/functions/", 1)[0]
        return self._operation(parent, name, "update", lambda op: self._build(name, archive)).to_json()

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [f for n, f in sorted(self.state.functions.items()) if n.startswith(parent + "/")]
        return {"functions": found} if found else {}

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        self.state.get(name)
        parent = name.rsplit("/functions/", 1)[0]
        with self.state.lock:
            self.state.functions[name]["state"] = "DELETING"

        def work(operation: Operation) -> None:
            self.state.runner.remove(name)
            with self.state.lock:
                self.state.functions.pop(name, None)

        return self._operation(parent, name, "delete", work).to_json()

    # ------------------------------------------------------------------ internals
    def _checked(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        """The function as stored, defaults filled; INVALID_ARGUMENT / NOT_FOUND for what cannot run."""
        build = dict(body.get("buildConfig") or {})
        runtime = str(build.get("runtime", ""))
        if not runtime.startswith("python"):
            raise invalid(
                f"Runtime {runtime or '(none)'!r} is not supported by the local cloud, which runs Python "
                "functions (python310, python311, python312); use CLOUDAI_MODE=cloud for others."
            )
        if not re.match(r"^[A-Za-z_]\w*$", str(build.get("entryPoint", ""))):
            raise invalid("build_config.entry_point is required: the name of the function in main.py.")
        storage = (build.get("source") or {}).get("storageSource") or {}
        if not storage.get("bucket") or not storage.get("object"):
            raise invalid("build_config.source.storage_source is required: use generate_upload_url first.")
        service = dict(body.get("serviceConfig") or {})
        service["availableMemory"] = str(service.get("availableMemory") or DEFAULT_MEMORY)
        memory_mb(service["availableMemory"])
        service["timeoutSeconds"] = timeout_seconds(service.get("timeoutSeconds"))
        short = name.rsplit("/", 1)[-1]
        service.setdefault("service", name.replace("/functions/", "/services/"))
        function: dict[str, Any] = {
            **body,
            "name": name,
            "buildConfig": build,
            "serviceConfig": service,
            "state": "DEPLOYING",
            "environment": "GEN_2",
            "updateTime": _now(),
        }
        trigger = body.get("eventTrigger")
        if trigger:
            function["eventTrigger"] = self._trigger(dict(trigger), name, short)
        return function

    def _trigger(self, trigger: dict[str, Any], name: str, short: str) -> dict[str, Any]:
        kind = trigger.get("eventType", "")
        if kind not in EVENT_TYPES:
            raise invalid(
                f"Invalid event_trigger.event_type {kind!r}: the local cloud delivers "
                f"{', '.join(EVENT_TYPES)}."
            )
        project, location = name.split("/")[1], name.split("/")[3]
        if kind == PUBSUB_EVENT:
            topic = str(trigger.get("pubsubTopic", ""))
            if topic not in self.pubsub.topics:
                raise GoogleError(
                    "NOT_FOUND", f"Topic '{topic}' was not found: create it before the trigger."
                )
        else:
            buckets = [f for f in trigger.get("eventFilters") or [] if f.get("attribute") == "bucket"]
            if not buckets:
                raise invalid("A Cloud Storage trigger needs event_filters with attribute 'bucket'.")
        suffix = uuid.uuid4().hex[:6]
        trigger.setdefault("trigger", f"projects/{project}/locations/{location}/triggers/{short}-{suffix}")
        trigger.setdefault("retryPolicy", "RETRY_POLICY_DO_NOT_RETRY")
        return trigger

    def _archive(self, source_config: dict[str, Any]) -> bytes:
        """The uploaded zip; FAILED_PRECONDITION if its upload URL was never PUT to."""
        storage = source_config["storageSource"]
        key = (str(storage["bucket"]), str(storage["object"]))
        with self.state.lock:
            if key in self.state.uploads:
                data = self.state.uploads[key]
                if data is None:
                    raise GoogleError(
                        "FAILED_PRECONDITION",
                        f"The source gs://{key[0]}/{key[1]} was never uploaded: PUT the zip to the uploadUrl "
                        "that generate_upload_url answered, then create the function.",
                    )
                return data
        from gcp_ai_services.emulator.gcs_objects import read_object

        return read_object(f"gs://{key[0]}/{key[1]}", MAX_SOURCE_BYTES)

    def _build(self, name: str, archive: bytes) -> dict[str, Any]:
        function = self.state.get(name)
        entry_point = str(function["buildConfig"]["entryPoint"])
        target = self.state.root / "code" / name.replace("/", "_")
        function["serviceConfig"]["revision"] = next_revision(function)
        try:
            code_dir = source.build(archive, entry_point, target)
            signature = "cloudevent" if function.get("eventTrigger") else "http"
            self.state.runner.deploy(name, code_dir, function, signature)
        except GoogleError as err:
            with self.state.lock:
                function["state"] = "FAILED"
                function["stateMessages"] = [
                    {"severity": "ERROR", "type": "BuildFailed", "message": err.message}
                ]
            raise
        with self.state.lock:
            function["state"] = "ACTIVE"
            function["updateTime"] = _now()
            function["buildConfig"]["build"] = f"{name.split('/functions/')[0]}/builds/{uuid.uuid4()}"
        return {"@type": type_url(FUNCTION_TYPE), **function}

    def _operation(self, parent: str, target: str, verb: str, work: Any) -> Operation:
        metadata = {
            "@type": type_url(METADATA_TYPE),
            "createTime": _now(),
            "target": target,
            "verb": verb,
            "apiVersion": "v2",
        }
        return self.state.operations.start(
            parent, metadata, work, operation_id=f"operation-{uuid.uuid4().hex}"
        )


def next_revision(function: dict[str, Any]) -> str:
    """``name-00002-xyz`` after ``name-00001-abc``: the Cloud Run revision each build creates."""
    short = str(function["name"]).rsplit("/", 1)[-1]
    current = str(function["serviceConfig"].get("revision", ""))
    number = int(current.split("-")[-2]) if re.fullmatch(rf"{re.escape(short)}-\d{{5}}-\w+", current) else 0
    return f"{short}-{number + 1:05d}-{uuid.uuid4().hex[:3]}"


def merged_update(current: dict[str, Any], body: dict[str, Any], mask: list[str]) -> dict[str, Any]:
    """``current`` with the fields ``mask`` names (snake or camel case) taken from ``body``; every field
    ``body`` gives when there is no mask. Output-only fields are recomputed by the build."""
    merged = copy.deepcopy(current)
    if not mask:
        merged.update({key: value for key, value in body.items() if key not in ("name", "state", "url")})
        return merged
    for path in mask:
        keys = [_camel(part) for part in path.strip().split(".")]
        source_node: Any = body
        for key in keys:
            source_node = source_node.get(key) if isinstance(source_node, dict) else None
        target = merged
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        if source_node is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = source_node
    return merged


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
