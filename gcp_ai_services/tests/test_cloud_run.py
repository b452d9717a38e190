"""Cloud Run v2 with the plain ServicesClient: services from uploaded source, revisions, traffic, errors."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from typing import Any

import pytest
import requests
from google.api_core import exceptions as gx
from google.cloud import run_v2

from .conftest import status_of

PARENT = "projects/learner-project/locations/us-central1"
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST

FLASK_APP = """
import os
from flask import Flask, request

app = Flask(__name__)


@app.post("/predict")
def predict():
    rows = request.get_json()["instances"]
    return {"predictions": [sum(row) * {factor} for row in rows], "revision": os.environ["K_REVISION"]}


@app.get("/")
def about():
    keys = ("K_SERVICE", "K_REVISION", "K_CONFIGURATION", "PORT", "GREETING")
    return {key: os.environ.get(key) for key in keys}
"""

ASGI_APP = """
import json
import os


async def app(scope, receive, send):
    body = json.dumps({"revision": os.environ["K_REVISION"], "kind": "asgi"}).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
"""


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return run_v2.ServicesClient(**endpoint)


@pytest.fixture
def revisions(endpoint: dict[str, Any]) -> Any:
    return run_v2.RevisionsClient(**endpoint)


@pytest.fixture
def bucket(clean_google: Any) -> Any:
    from gcp_ai_services.session import storage_client

    return storage_client().create_bucket("sources")


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _tgz(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"app/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _upload(bucket: Any, name: str, data: bytes) -> dict[str, str]:
    bucket.blob(name).upload_from_string(data)
    return {"bucket": bucket.name, "object_": name}


def _service(source: dict[str, str], **container: Any) -> dict[str, Any]:
    return {"template": {"containers": [{"source_code": {"cloud_storage_source": source}, **container}]}}


def test_a_service_from_source_serves_its_revision_at_its_uri(
    client: Any, revisions: Any, bucket: Any, emulator: Any
) -> None:
    source = _upload(bucket, "model-v1.zip", _zip({"main.py": FLASK_APP.replace("{factor}", "2")}))
    env = [{"name": "GREETING", "value": "hello"}]
    operation = client.create_service(parent=PARENT, service_id="scorer", service=_service(source, env=env))
    service = operation.result(timeout=60)
    assert service.name == f"{PARENT}/services/scorer" and service.uri.startswith("http://127.0.0.1:")
    assert service.terminal_condition.state == run_v2.Condition.State.CONDITION_SUCCEEDED
    revision = service.latest_ready_revision.rsplit("/", 1)[-1]
    assert revision.startswith("scorer-00001-") and service.traffic_statuses[0].revision == revision
    about = requests.get(service.uri, timeout=30).json()
    assert about["K_SERVICE"] == "scorer" and about["K_REVISION"] == revision
    assert about["K_CONFIGURATION"] == "scorer" and about["GREETING"] == "hello" and int(about["PORT"]) > 0
    answer = requests.post(f"{service.uri}/predict", json={"instances": [[1, 2], [3, 4]]}, timeout=30)
    assert answer.json() == {"predictions": [6, 14], "revision": revision}
    assert [r.name for r in revisions.list_revisions(parent=service.name)] == [service.latest_ready_revision]
    assert [s.name for s in client.list_services(parent=PARENT)] == [service.name]
    log = emulator.state.run.instances.log_path(service.latest_ready_revision)
    assert "POST /predict" in log.read_text()
    deleted = client.delete_service(name=service.name).result(timeout=60)
    assert deleted.name == service.name
    assert emulator.state.run.instances.running() == []
    assert requests.get(service.uri, timeout=10).status_code == 404
    with pytest.raises(gx.NotFound) as gone:
        client.get_service(name=service.name)
    assert status_of(gone.value) == "NOT_FOUND"


def test_traffic_splits_between_two_revisions_and_a_tag_pins_one(
    client: Any, revisions: Any, bucket: Any, emulator: Any
) -> None:
    first = _upload(bucket, "v1.zip", _zip({"main.py": FLASK_APP.replace("{factor}", "2")}))
    service = client.create_service(parent=PARENT, service_id="split", service=_service(first)).result(
        timeout=60
    )
    old = service.latest_ready_revision.rsplit("/", 1)[-1]
    service.template.containers[0].source_code.cloud_storage_source.object_ = _upload(
        bucket, "v2.tar.gz", _tgz({"main.py": ASGI_APP})
    )["object_"]
    service.traffic = [
        run_v2.TrafficTarget(type_=REVISION, revision=old, percent=50),
        run_v2.TrafficTarget(type_=LATEST, percent=50, tag="canary"),
    ]
    updated = client.update_service(service=service).result(timeout=60)
    new = updated.latest_ready_revision.rsplit("/", 1)[-1]
    assert new.startswith("split-00002-") and updated.generation == 2
    assert [(t.revision, t.percent) for t in updated.traffic_statuses] == [(old, 50), (new, 50)]
    seen = Counter(_revision_of(updated.uri) for _ in range(60))
    assert set(seen) == {old, new} and min(seen.values()) >= 12, seen
    canary = updated.traffic_statuses[1].uri
    assert canary.endswith("/canary---split")
    assert {requests.get(canary, timeout=30).json()["kind"] for _ in range(5)} == {"asgi"}
    assert len(list(revisions.list_revisions(parent=updated.name))) == 2
    # all traffic back to the first revision: no new revision, the second stops serving
    updated.traffic = [run_v2.TrafficTarget(type_=REVISION, revision=old, percent=100)]
    final = client.update_service(service=updated).result(timeout=60)
    assert final.latest_ready_revision == updated.latest_ready_revision
    assert {_revision_of(final.uri) for _ in range(10)} == {old}
    assert emulator.state.run.instances.running() == [f"{final.name}/revisions/{old}"]
    removed = revisions.delete_revision(name=f"{final.name}/revisions/{new}").result(timeout=60)
    assert removed.name.endswith(new)
    with pytest.raises(gx.BadRequest) as serving:
        revisions.delete_revision(name=f"{final.name}/revisions/{old}")
    assert status_of(serving.value) == "FAILED_PRECONDITION" and "serves traffic" in serving.value.message


def _revision_of(uri: str) -> str:
    answer = requests.get(uri, timeout=30).json()
    return str(answer.get("K_REVISION") or answer["revision"])


def test_any_program_listening_on_port_runs_from_a_procfile(client: Any, bucket: Any, emulator: Any) -> None:
    server = (
        "import http.server, os\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200); self.end_headers(); self.wfile.write(self.path.encode())\n"
        "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n"
    )
    files = {"server.py": server, "Procfile": "web: python server.py\n"}
    source = _upload(bucket, "plain.tgz", _tgz(files))
    service = client.create_service(parent=PARENT, service_id="plain", service=_service(source)).result(
        timeout=60
    )
    assert requests.get(f"{service.uri}/a/b?q=1", timeout=30).text == "/a/b?q=1"


def test_a_revision_that_never_listens_fails_the_deployment_with_its_log(client: Any, bucket: Any) -> None:
    source = _upload(bucket, "crash.zip", _zip({"main.py": "raise SystemExit('model file missing')\n"}))
    operation = client.create_service(parent=PARENT, service_id="crash", service=_service(source))
    with pytest.raises(gx.FailedPrecondition) as failed:
        operation.result(timeout=60)
    assert "failed to start and listen on the port" in str(failed.value)
    assert "model file missing" in str(failed.value)
    assert list(client.list_services(parent=PARENT)) == []


def test_bad_requests_get_googles_codes(client: Any, bucket: Any) -> None:
    with pytest.raises(gx.BadRequest) as image:
        client.create_service(
            parent=PARENT,
            service_id="img",
            service={"template": {"containers": [{"image": "us-docker.pkg.dev/cloudrun/container/hello"}]}},
        )
    assert status_of(image.value) == "FAILED_PRECONDITION"
    assert "us-docker.pkg.dev/cloudrun/container/hello" in image.value.message
    source = _upload(bucket, "ok.zip", _zip({"main.py": FLASK_APP.replace("{factor}", "1")}))
    with pytest.raises(gx.BadRequest) as name:
        client.create_service(parent=PARENT, service_id="Bad_Name", service=_service(source))
    assert status_of(name.value) == "INVALID_ARGUMENT"
    with pytest.raises(gx.NotFound) as missing:
        client.create_service(
            parent=PARENT, service_id="nosrc", service=_service({**source, "object_": "no.zip"})
        )
    assert status_of(missing.value) == "NOT_FOUND"
    service = client.create_service(parent=PARENT, service_id="ok", service=_service(source)).result(
        timeout=60
    )
    with pytest.raises(gx.Conflict) as twice:
        client.create_service(parent=PARENT, service_id="ok", service=_service(source))
    assert status_of(twice.value) == "ALREADY_EXISTS"
    service.traffic = [run_v2.TrafficTarget(type_=LATEST, percent=60)]
    with pytest.raises(gx.BadRequest) as sums:
        client.update_service(service=service)
    assert status_of(sums.value) == "INVALID_ARGUMENT" and "add up to 60" in sums.value.message
    service.traffic = [run_v2.TrafficTarget(type_=REVISION, revision="ok-99999-zzz", percent=100)]
    with pytest.raises(gx.BadRequest) as unknown:
        client.update_service(service=service)
    assert "ok-99999-zzz" in unknown.value.message and "not found" in unknown.value.message
    with pytest.raises(gx.NotFound):
        client.get_service(name=f"{PARENT}/services/absent")


def test_the_lesson_wrapper_deploys_a_folder_splits_traffic_and_cleans_up(
    clean_google: Any, tmp_path: Any
) -> None:
    from gcp_ai_services.serverless.cloud_run import CloudRun
    from multi_cloud.core.errors import InvalidArgument

    (tmp_path / "main.py").write_text(FLASK_APP.replace("{factor}", "3"))
    run = CloudRun()
    first = run.deploy("lesson", tmp_path)
    assert run.call("lesson", {"instances": [[1, 1]]}, path="/predict")["predictions"] == [6]
    (tmp_path / "main.py").write_text(FLASK_APP.replace("{factor}", "5"))
    second = run.deploy("lesson", tmp_path)
    assert second.traffic == {second.latest_revision: 100} and run.revisions("lesson") == sorted(
        [first.latest_revision, second.latest_revision]
    )
    split = run.split("lesson", {first.latest_revision: 30, "LATEST": 70})
    assert split.traffic == {first.latest_revision: 30, second.latest_revision: 70}
    with pytest.raises(InvalidArgument, match="add up to 90"):
        run.split("lesson", {first.latest_revision: 90})
    run.delete("lesson")
    assert run.services() == []


EMULATOR_THAT_DIES = """
import io, os, sys, time, zipfile
from multi_cloud.local_cloud.cloud import LocalCloud

cloud = LocalCloud(["gcp", "gcs"], preferred_ports=False).start()
cloud.apply_env()
from google.auth.credentials import AnonymousCredentials
from google.cloud import run_v2, storage

endpoint = {"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]}
bucket = storage.Client(project="p", credentials=AnonymousCredentials()).create_bucket("orphans")
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    archive.writestr("Procfile", "web: sleep 300 & exec python -m http.server --bind 127.0.0.1 $PORT\\n")
bucket.blob("app.zip").upload_from_string(buffer.getvalue())
client = run_v2.ServicesClient(transport="rest", client_options=endpoint, credentials=AnonymousCredentials())
service = {"template": {"containers": [{"image": "gs://orphans/app.zip"}]}}
created = client.create_service(parent="projects/p/locations/l", service_id="orphan", service=service)
revision = created.result(timeout=60).latest_ready_revision
print(cloud.backends[0].state.run.instances.get(revision).mark, flush=True)
time.sleep(300)
"""


def _marked(mark: str) -> int:
    from pathlib import Path

    found = 0
    for entry in Path("/proc").iterdir():
        try:
            found += f"CLOUDAI_WORKER_MARK={mark}".encode() in (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_emulator_takes_its_revision_processes_with_it(tmp_path: Any) -> None:
    script = tmp_path / "emulator.py"
    script.write_text(EMULATOR_THAT_DIES)
    emulator = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert emulator.stdout is not None
        mark = emulator.stdout.readline().strip()
        assert mark and _marked(mark) >= 3  # the supervisor, the shell's server and its `sleep`
    finally:
        emulator.kill()
        emulator.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked(mark) == 0
