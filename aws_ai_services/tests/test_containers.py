"""Model server over HTTP, the image build context and its lint, and an ECS service run as local tasks."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil
import pytest
from aws_ai_services.containers.ecs_deployment import EcsDeployer, run_service_locally
from aws_ai_services.containers.image_build import push_commands, write_build_context
from aws_ai_services.containers.image_lint import lint_build_context, lint_dockerfile, lint_requirements
from aws_ai_services.containers.model_server import ModelHolder, ModelServer, create_app
from multi_cloud.core.errors import InvalidArgument, Unavailable
from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
from multi_cloud.emulation.http.ports import free_port, wait_for_port
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.emulation.jobs.script_mode import ContainerLayout, pack_model_dir, run_script
from multi_cloud.iac.findings import errors, rules

SETOSA, VIRGINICA = [5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An iris classifier trained once for this module by the demo script, under the script-mode contract."""
    layout = ContainerLayout(tmp_path_factory.mktemp("training"))
    layout.create(["train"])
    (layout.channel("train") / "iris.csv").write_bytes(iris_csv())
    result = run_script(SKLEARN_CLASSIFIER, layout, hyperparameters={"n-estimators": 10}, channels=["train"])
    assert result.succeeded, result.failure_reason
    return result.model_dir


@pytest.fixture(scope="module")
def server(model_dir: Path) -> Iterator[str]:
    app = ThreadedWSGIServer(create_app(str(model_dir)))
    app.start()
    yield app.url
    app.stop()


def call(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        url, data=body, headers=headers or {}, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


# ----------------------------------------------------------------------------- the model server
def test_ping_reports_the_loaded_model(server: str) -> None:
    status, _, body = call(server + "/ping")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "model": "RandomForestClassifier", "features": 4}


def test_csv_invocations_predict_one_class_per_line(server: str) -> None:
    rows = "\n".join(",".join(map(str, row)) for row in (SETOSA, VIRGINICA)).encode()
    status, content_type, body = call(server + "/invocations", rows, {"Content-Type": "text/csv"})
    assert (status, content_type) == (200, "text/csv")
    assert body.decode().splitlines() == ["0", "2"]


@pytest.mark.parametrize(
    "payload", [[SETOSA, VIRGINICA], {"instances": [SETOSA, VIRGINICA]}], ids=["rows", "instances"]
)
def test_json_invocations_answer_a_json_list(server: str, payload: Any) -> None:
    status, _, body = call(
        server + "/invocations", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    assert status == 200
    assert json.loads(body) == [0, 2]


def test_a_single_json_row_and_accept_csv(server: str) -> None:
    headers = {"Content-Type": "application/json", "Accept": "text/csv"}
    status, content_type, body = call(server + "/invocations", json.dumps(VIRGINICA).encode(), headers)
    assert (status, content_type.split(";")[0], body) == (200, "text/csv", b"2\n")


def test_other_content_types_get_415(server: str) -> None:
    status, _, body = call(server + "/invocations", b"5.1 3.5 1.4 0.2", {"Content-Type": "text/plain"})
    assert status == 415
    assert "text/plain" in json.loads(body)["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"5.1,3.5,1.4,0.2\n6.7,abc,5.2,2.3", "text/csv", "row 2, column 2: 'abc' is not a number"),
        (b"sepal_length,a,b,c\n5.1,3.5,1.4,0.2", "text/csv", "(send rows without a header line)"),
        (b"5.1,3.5,1.4", "text/csv", "row 1 has 3 values but the model expects 4"),
        (b"[[5.1, 3.5, 1.4, 0.2], [1, 2]]", "application/json", "row 2 has 2 values but the model expects 4"),
        (b"[[5.1, 3.5, 1.4, NaN]]", "application/json", "row 1, column 4: nan is not a finite number"),
        (b'{"rows": []}', "application/json", '"instances"'),
        (b"[[5.1, 3.5", "application/json", "not valid JSON"),
        (b"\n\n", "text/csv", "no rows"),
    ],
)
def test_bad_rows_get_400_naming_the_problem(
    server: str, body: bytes, content_type: str, message: str
) -> None:
    status, _, answer = call(server + "/invocations", body, {"Content-Type": content_type})
    assert status == 400
    assert message in json.loads(answer)["error"]


def test_unknown_routes_and_methods(server: str) -> None:
    assert call(server + "/predict")[0] == 404
    assert call(server + "/invocations")[0] == 405
    status, _, body = call(server + "/execution-parameters")
    assert status == 200 and json.loads(body)["MaxPayloadInMB"] == 6


def test_ping_is_503_until_loaded_and_says_why_loading_failed(tmp_path: Path, model_dir: Path) -> None:
    holder = ModelHolder(str(tmp_path))
    server = ThreadedWSGIServer(ModelServer(holder))
    server.start()
    try:
        assert call(server.url + "/ping")[0] == 503  # still loading
        holder.load()  # the directory is empty
        status, _, body = call(server.url + "/ping")
        assert status == 503 and "no model.joblib or model.pkl" in json.loads(body)["reason"]
        assert call(server.url + "/invocations", b"1,2,3,4", {"Content-Type": "text/csv"})[0] == 503
        (tmp_path / "model.tar.gz").write_bytes(pack_model_dir(model_dir))
        holder.load()  # a SageMaker artifact is unpacked first
        status, _, body = call(server.url + "/ping")
        assert status == 200 and "reason" not in json.loads(body)
    finally:
        server.stop()


def test_the_model_can_come_from_s3(
    clean_cloud: Any, boto_client: Callable[..., Any], tmp_path: Path, model_dir: Path
) -> None:
    boto_client("s3").create_bucket(Bucket="models")
    boto_client("s3").put_object(Bucket="models", Key="iris/model.tar.gz", Body=pack_model_dir(model_dir))
    holder = ModelHolder(str(tmp_path / "model"), "s3://models/iris/model.tar.gz")
    holder.load()
    assert holder.state == "ready", holder.reason
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["model.joblib", "model.tar.gz"]


# ----------------------------------------------------------------------------- the build context and its lint
def test_build_context_pins_everything_and_lints_clean(tmp_path: Path, model_dir: Path) -> None:
    context = write_build_context(tmp_path / "ctx", model_dir=model_dir)
    assert context.files == (
        ".dockerignore",
        "Dockerfile",
        "model/model.joblib",
        "model_server.py",
        "requirements.txt",
    )
    pins = dict(line.split("==") for line in context.requirements)
    for package in ("scikit-learn", "joblib", "numpy"):
        assert pins[package] == version(package)
    assert pins["Werkzeug"] == version("werkzeug")
    assert "scipy" in pins and "boto3" not in pins  # sklearn's own dependency; no S3 client for a baked model
    major, minor, micro = sys.version_info[:3]
    assert context.base_image == f"python:{major}.{minor}.{micro}-slim-bookworm"
    findings = lint_build_context(context.path)
    assert errors(findings) == [] and {f.severity for f in findings} <= {"info"}, findings


def test_the_image_tag_is_the_content_hash(tmp_path: Path, model_dir: Path) -> None:
    first = write_build_context(tmp_path / "a", model_dir=model_dir)
    second = write_build_context(tmp_path / "b", model_dir=model_dir)
    from_s3 = write_build_context(tmp_path / "c", model_s3_uri="s3://models/iris/model.tar.gz")
    assert first.image_tag == second.image_tag and len(first.image_tag) == 12
    assert from_s3.image_tag != first.image_tag
    assert any(r.startswith("boto3==") for r in from_s3.requirements)
    assert "chown 10001 /opt/ml/model" in from_s3.dockerfile and "COPY model/" not in from_s3.dockerfile
    commands = push_commands(first, "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris", "us-east-1")
    assert commands[-1] == f"docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:{first.image_tag}"


def test_the_context_is_self_contained_its_server_serves_the_baked_model(
    tmp_path: Path, model_dir: Path
) -> None:
    """What the image would run: the copied model_server.py, outside this package, on the baked model."""
    context = write_build_context(tmp_path / "ctx", model_dir=model_dir)
    tree = ast.parse((context.path / "model_server.py").read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party == {"werkzeug", "numpy", "joblib", "boto3"}  # what requirements.txt installs
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-I", "model_server.py", "serve", "--model-dir", "model", "--port", str(port)],
        cwd=context.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_port(port, timeout=20)
        deadline = time.monotonic() + 30
        while call(f"http://127.0.0.1:{port}/ping")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        status, _, body = call(
            f"http://127.0.0.1:{port}/invocations", b"6.7,3.0,5.2,2.3", {"Content-Type": "text/csv"}
        )
        assert (status, body) == (200, b"2\n")
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0  # SIGTERM is a clean stop


def test_lint_flags_a_bad_dockerfile() -> None:
    findings = lint_dockerfile(
        "FROM python:latest AS build\nRUN pip install flask\nFROM build\nENV AWS_SECRET_ACCESS_KEY=abc\n"
        "ADD https://example.com/model.bin /m\nUSER root\nHEALTHCHECK NONE\nCMD python app.py\n"
    )
    assert rules(errors(findings)) == {"base-latest", "secret-in-image", "user-root", "healthcheck-none"}
    assert {"pip-cache", "add-url", "shell-form", "expose-missing"} <= rules(findings)
    untagged = lint_dockerfile('FROM python\nUSER 1000\nHEALTHCHECK CMD ["true"]\n')
    assert rules(errors(untagged)) == {"base-unpinned"}
    assert rules(lint_dockerfile('FROM python:3.11-slim\nHEALTHCHECK CMD ["true"]\n')) >= {"user-missing"}


def test_lint_flags_unpinned_requirements_and_missing_copy_sources(tmp_path: Path) -> None:
    assert [f.rule for f in lint_requirements("numpy==2.0\nscikit-learn>=1.5\n# comment\njoblib\n")] == [
        "requirement-unpinned",
        "requirement-unpinned",
    ]
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.11.7-slim\nCOPY app.py /app/\nUSER 10001\nEXPOSE 8080\nHEALTHCHECK CMD ["true"]\n'
    )
    assert rules(errors(lint_build_context(tmp_path))) == {"copy-missing"}
    (tmp_path / "app.py").write_text("print('hi')\n")
    assert errors(lint_build_context(tmp_path)) == []


def test_write_build_context_refuses_ambiguous_or_empty_models(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="exactly one of"):
        write_build_context(tmp_path / "x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidArgument, match="no model in"):
        write_build_context(tmp_path / "y", model_dir=tmp_path / "empty")


# ----------------------------------------------------------------------------- an ECS service run locally
@pytest.fixture
def deployed(clean_cloud: Any, boto_client: Callable[..., Any], model_dir: Path) -> EcsDeployer:
    boto_client("s3").create_bucket(Bucket="models")
    boto_client("s3").put_object(Bucket="models", Key="iris/model.tar.gz", Body=pack_model_dir(model_dir))
    deployer = EcsDeployer()
    deployer.deploy(
        "iris", "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:abc", "s3://models/iris/model.tar.gz"
    )
    return deployer


def test_service_tasks_run_locally_round_robin_and_stop_completely(
    deployed: EcsDeployer, boto_client: Callable[..., Any]
) -> None:
    with run_service_locally("iris", "iris") as service:
        pids = service.pids
        assert len(pids) == 2 and all(psutil.pid_exists(pid) for pid in pids)  # the service's desiredCount
        environ = psutil.Process(pids[0]).environ()  # from the task definition
        assert environ["MODEL_S3_URI"] == "s3://models/iris/model.tar.gz"
        assert environ["MODEL_SERVER_HOST"] == "127.0.0.1"
        listening = {c.laddr.ip for c in psutil.Process(pids[0]).net_connections() if c.status == "LISTEN"}
        assert listening == {"127.0.0.1"}
        assert set(service.ping().values()) == {200}
        answers = [service.predict([SETOSA, VIRGINICA]) for _ in range(4)]
        assert answers == [[0, 2]] * 4
        assert sorted(service.requests_per_task.values()) == [2, 2]  # round robin
        bad = service.invoke(b"1,2,3", "text/csv")
        assert bad.status == 400 and "expects 4" in bad.json()["error"]
        with pytest.raises(InvalidArgument, match="answered 400"):
            service.predict([[1.0, 2.0]])
        task_ids = [task.task_id for task in service.tasks]
    assert not any(psutil.pid_exists(pid) for pid in pids)
    assert not service.work_dir.exists()
    streams = boto_client("logs").describe_log_streams(logGroupName="/ecs/iris")["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == sorted(f"ecs/model-server/{t}" for t in task_ids)
    events = boto_client("logs").get_log_events(
        logGroupName="/ecs/iris", logStreamName=streams[0]["logStreamName"]
    )
    assert any("model ready" in e["message"] for e in events["events"])
    with pytest.raises(Unavailable, match="stopped"):
        service.invoke(b"1,2,3,4", "text/csv")


def test_a_task_that_cannot_load_its_model_fails_the_start_and_leaves_nothing(
    deployed: EcsDeployer, boto_client: Callable[..., Any]
) -> None:
    boto_client("s3").delete_object(Bucket="models", Key="iris/model.tar.gz")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(Unavailable, match="404|Not Found|NoSuchKey"):
        run_service_locally("iris", "iris", desired_count=1)
    assert {p.pid for p in psutil.Process().children(recursive=True)} - before == set()
