"""Azure Container Instances over the wire: azure-mgmt-containerinstance against the local cloud."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SUB, GROUP, LOCATION = "00000000-0000-0000-0000-000000000000", "rg-aci", "westeurope"
SERVER = (
    "import http.server, json, os\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_POST(self):\n"
    "        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))\n"
    "        out = json.dumps({'sum': sum(body['x']), 'model': os.environ['MODEL']}).encode()\n"
    "        print('scored', body['x'], flush=True)\n"
    "        self.send_response(200); self.end_headers(); self.wfile.write(out)\n"
    "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n"
)


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"nothing after {seconds} s")


def code(error: Any) -> str:
    assert error.error is not None, error
    return str(error.error.code)


@pytest.fixture
def aci(azure_env: dict[str, str]) -> Any:
    from azure.identity import DefaultAzureCredential
    from azure.mgmt.containerinstance import ContainerInstanceManagementClient

    return ContainerInstanceManagementClient(
        DefaultAzureCredential(), SUB, base_url=azure_env["CLOUDAI_AZURE_ENDPOINT"]
    )


@pytest.fixture
def names(aci: Any) -> Iterator[list[str]]:
    created: list[str] = []
    yield created
    for name in created:
        aci.container_groups.begin_delete(GROUP, name).result()


def group(
    command: list[str],
    *,
    image: str = "python:3.11-slim",
    policy: str = "Never",
    cpu: float = 0.5,
    port: int | None = None,
    env: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
) -> Any:
    from azure.mgmt.containerinstance import models as m

    variables = [m.EnvironmentVariable(name=k, value=v) for k, v in (env or {}).items()]
    variables += [m.EnvironmentVariable(name=k, secure_value=v) for k, v in (secrets or {}).items()]
    container = m.Container(
        name="app",
        image=image,
        command=command,
        resources=m.ResourceRequirements(requests=m.ResourceRequests(cpu=cpu, memory_in_gb=1.0)),
        environment_variables=variables,
        ports=[m.ContainerPort(port=port)] if port else None,
    )
    address = m.IpAddress(type="Public", ports=[m.Port(port=port)], dns_name_label="scorer") if port else None
    return m.ContainerGroup(
        location=LOCATION, containers=[container], os_type="Linux", restart_policy=policy, ip_address=address
    )


def create(aci: Any, names: list[str], definition: Any) -> Any:
    name = f"cg-{uuid.uuid4().hex[:8]}"
    names.append(name)
    return name, aci.container_groups.begin_create_or_update(GROUP, name, definition).result()


def test_model_server_group_serves_and_logs(aci: Any, names: list[str]) -> None:
    definition = group(
        ["python", "-c", SERVER], policy="Always", port=80, env={"MODEL": "adder"}, secrets={"TOKEN": "s3"}
    )
    name, created = create(aci, names, definition)
    assert created.provisioning_state == "Succeeded"
    assert created.instance_view.state == "Running"
    address = created.ip_address
    assert address.fqdn == f"scorer.{LOCATION}.azurecontainer.io" and address.ip == "127.0.0.1"
    request = urllib.request.Request(
        f"http://{address.ip}:{address.ports[0].port}/score", data=json.dumps({"x": [1, 2, 3]}).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        assert json.loads(answer.read()) == {"sum": 6, "model": "adder"}
    logs = wait_for(lambda: aci.containers.list_logs(GROUP, name, "app").content)
    assert "scored [1, 2, 3]" in logs
    got = aci.container_groups.get(GROUP, name)
    env = {e.name: (e.value, e.secure_value) for e in got.containers[0].environment_variables}
    assert env == {"MODEL": ("adder", None), "TOKEN": (None, None)}  # secure values never come back
    assert got.containers[0].instance_view.current_state.state == "Running"
    assert got.containers[0].resources.requests.cpu == 0.5
    assert name in {g.name for g in aci.container_groups.list_by_resource_group(GROUP)}
    assert name in {g.name for g in aci.container_groups.list()}


def test_never_policy_job_terminates_with_its_exit_code(aci: Any, names: list[str]) -> None:
    name, _ = create(aci, names, group(["python", "-c", "print('done'); raise SystemExit(3)"]))

    def finished() -> Any:
        got = aci.container_groups.get(GROUP, name)
        return got if got.containers[0].instance_view.current_state.state == "Terminated" else None

    got = wait_for(finished)
    state = got.containers[0].instance_view.current_state
    assert state.exit_code == 3 and state.detail_status == "Error"
    assert got.containers[0].instance_view.restart_count == 0
    assert got.instance_view.state == "Failed"
    assert aci.containers.list_logs(GROUP, name, "app", tail=1).content.strip() == "done"


def test_on_failure_restarts_a_crashing_container(aci: Any, names: list[str]) -> None:
    name, _ = create(aci, names, group(["python", "-c", "import sys; sys.exit(1)"], policy="OnFailure"))

    def restarted() -> Any:
        got = aci.container_groups.get(GROUP, name)
        return got if got.containers[0].instance_view.restart_count >= 1 else None

    got = wait_for(restarted)
    view = got.containers[0].instance_view
    assert view.previous_state.exit_code == 1
    assert any(e.name == "BackOff" and e.type == "Warning" for e in view.events)


def test_on_failure_leaves_a_clean_exit_alone(aci: Any, names: list[str]) -> None:
    name, _ = create(aci, names, group(["python", "-c", "print('ok')"], policy="OnFailure"))
    got = wait_for(
        lambda: (g := aci.container_groups.get(GROUP, name)).instance_view.state == "Succeeded" and g
    )
    assert got.containers[0].instance_view.restart_count == 0
    assert got.containers[0].instance_view.current_state.exit_code == 0


def test_stop_start_and_restart(aci: Any, names: list[str]) -> None:
    name, _ = create(aci, names, group(["python", "-c", "import time; print('up'); time.sleep(600)"]))
    aci.container_groups.stop(GROUP, name)
    stopped = aci.container_groups.get(GROUP, name)
    assert stopped.instance_view.state == "Stopped"
    assert stopped.containers[0].instance_view.current_state.exit_code == 137
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as not_running:
        aci.container_groups.begin_restart(GROUP, name).result()
    assert not_running.value.status_code == 409 and code(not_running.value) == "Conflict"
    aci.container_groups.begin_start(GROUP, name).result()
    assert aci.container_groups.get(GROUP, name).instance_view.state == "Running"
    aci.container_groups.begin_restart(GROUP, name).result()
    got = aci.container_groups.get(GROUP, name)
    assert got.instance_view.state == "Running" and got.containers[0].instance_view.restart_count == 1
    assert wait_for(lambda: "up" in aci.containers.list_logs(GROUP, name, "app").content)


def test_image_that_cannot_be_pulled_fails_the_group(aci: Any, names: list[str]) -> None:
    from azure.core.exceptions import HttpResponseError

    name = f"cg-{uuid.uuid4().hex[:8]}"
    names.append(name)
    poller = aci.container_groups.begin_create_or_update(GROUP, name, group(["nginx"], image="nginx:1.25"))
    with pytest.raises(HttpResponseError) as failed:
        poller.result()
    assert "InaccessibleImage" in str(failed.value) and "nginx:1.25" in str(failed.value)
    got = aci.container_groups.get(GROUP, name)
    assert got.provisioning_state == "Failed" and got.instance_view.state == "Failed"
    event = got.containers[0].instance_view.events[0]
    assert event.name == "Failed" and "nginx:1.25" in event.message


def test_regional_core_quota(aci: Any, names: list[str]) -> None:
    from azure.core.exceptions import HttpResponseError

    create(aci, names, group(["python", "-c", "import time; time.sleep(600)"], cpu=3))
    with pytest.raises(HttpResponseError) as refused:
        create(aci, names, group(["python", "-c", "pass"], cpu=2))
    assert refused.value.status_code == 409
    assert code(refused.value) == "ContainerGroupQuotaReached"
    assert "StandardCores" in str(refused.value) and "Requested: '2'" in str(refused.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"location": None}, "LocationRequired"),
        ({"restart_policy": "Sometimes"}, "InvalidRequestContent"),
        ({"os_type": None}, "InvalidRequestContent"),
    ],
)
def test_bad_definitions_are_400(aci: Any, change: dict[str, Any], expected: str) -> None:
    from azure.core.exceptions import HttpResponseError

    definition = group(["python", "-c", "pass"])
    for attribute, value in change.items():
        setattr(definition, attribute, value)
    with pytest.raises(HttpResponseError) as refused:
        aci.container_groups.begin_create_or_update(GROUP, "cg-bad", definition).result()
    assert refused.value.status_code == 400 and code(refused.value) == expected


def test_bad_name_missing_group_and_container(aci: Any, names: list[str]) -> None:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    with pytest.raises(HttpResponseError) as bad_name:
        aci.container_groups.begin_create_or_update(GROUP, "Bad_Name", group(["python"])).result()
    assert code(bad_name.value) == "InvalidResourceName"
    with pytest.raises(ResourceNotFoundError) as missing:
        aci.container_groups.get(GROUP, "cg-missing")
    assert code(missing.value) == "ResourceNotFound"
    name, _ = create(aci, names, group(["python", "-c", "pass"]))
    with pytest.raises(ResourceNotFoundError) as no_container:
        aci.containers.list_logs(GROUP, name, "sidecar")
    assert code(no_container.value) == "ContainerNotFound"


def test_delete_kills_the_process(aci: Any, names: list[str]) -> None:
    name, created = create(
        aci, names, group(["python", "-c", SERVER], policy="Always", port=8080, env={"MODEL": "m"})
    )
    port = created.ip_address.ports[0].port
    aci.container_groups.begin_delete(GROUP, name).result()
    names.remove(name)
    from multi_cloud.emulation.http.ports import port_is_free

    assert wait_for(lambda: port_is_free(port), 10)
    assert name not in {g.name for g in aci.container_groups.list_by_resource_group(GROUP)}


def test_lesson_module_deploys_scores_and_prices(azure_env: dict[str, str]) -> None:
    from azure_ai_services.containers.container_instances import (
        ContainerGroups,
        group_cost,
        group_url,
        model_server_group,
        score,
    )

    groups = ContainerGroups(SUB, "rg-aci-lesson")
    model = {"name": "linear", "weights": [2.0, -1.0], "bias": 0.5}
    deployed = groups.deploy("scorer", model_server_group(model, cpu=1.0, memory_gb=1.5, dns_label="scorer"))
    try:
        assert score(group_url(deployed), [[1.0, 1.0], [3.0, 0.0]]) == {"predictions": [1.5, 6.5]}
        assert groups.state("scorer") == {
            "group": "Running",
            "container": "Running",
            "exit_code": None,
            "restarts": 0,
        }
        assert "scored 2 rows" in wait_for(lambda: groups.logs("scorer", tail=5))
        assert groups.names() == ["scorer"]
    finally:
        groups.delete("scorer")
    assert groups.names() == []
    cost = group_cost(1.0, 1.5, 3600)
    assert cost.vcpu_seconds == 3600 and cost.gb_seconds == 5400
    assert cost.usd == pytest.approx(3600 * 0.0000113 + 5400 * 0.0000012)


@pytest.fixture
def arm(azure_env: dict[str, str]) -> Any:
    import requests
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token("https://management.azure.com/.default").token
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.params = {"api-version": "2023-05-01"}
    base = f"{azure_env['CLOUDAI_AZURE_ENDPOINT']}/subscriptions/{SUB}/resourceGroups/{GROUP}"
    session.base = f"{base}/providers/Microsoft.ContainerInstance/containerGroups"  # type: ignore[attr-defined]
    return session


def body(**container: Any) -> dict[str, Any]:
    properties = {
        "image": "python:3.11",
        "command": ["python", "-c", "pass"],
        "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}},
        **container,
    }
    return {
        "location": LOCATION,
        "properties": {"osType": "Linux", "containers": [{"name": "app", "properties": properties}]},
    }


@pytest.mark.parametrize(
    "hostile",
    [
        body(command="python -c pass"),
        body(command=[]),
        body(ports=[{"port": "eighty"}]),
        body(ports=[{"port": 70000}]),
        body(environmentVariables={"A": "1"}),
        body(environmentVariables=[{"name": "A", "value": "1", "secureValue": "2"}]),
        body(resources={"requests": {"cpu": "lots", "memoryInGB": 1}}),
        {"location": LOCATION, "properties": {"osType": "Linux", "containers": {"app": {}}}},
        {**body(), "properties": {**body()["properties"], "ipAddress": "public"}},
        {
            **body(),
            "properties": {**body()["properties"], "ipAddress": {"type": "Public", "ports": [{"port": 80}]}},
        },
    ],
)
def test_hostile_definitions_get_400_in_azure_shape(arm: Any, hostile: dict[str, Any]) -> None:
    answer = arm.put(f"{arm.base}/cg-hostile", json=hostile)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent" and error["message"]
    assert arm.get(f"{arm.base}/cg-hostile").status_code == 404


def running(text: str) -> list[int]:
    """PIDs whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_delete_while_provisioning_leaves_no_process(arm: Any) -> None:
    marker = f"hasty-{uuid.uuid4().hex}"
    sleeper = body(command=["python", "-c", f"import time; time.sleep(600)  # {marker}"])
    created = arm.put(f"{arm.base}/cg-hasty", json=sleeper)
    assert created.status_code == 201 and "Azure-AsyncOperation" in created.headers
    assert arm.delete(f"{arm.base}/cg-hasty").status_code == 200
    status = wait_for(
        lambda: (s := arm.get(created.headers["Azure-AsyncOperation"]).json())["status"] != "InProgress" and s
    )
    assert status["status"] in ("Succeeded", "Failed")
    assert arm.get(f"{arm.base}/cg-hasty").status_code == 404
    time.sleep(1.0)  # a process started by a late provisioning thread would be up by now
    assert wait_for(lambda: not running(marker), 10)


def test_emulator_shutdown_kills_every_container() -> None:
    from azure_ai_services.emulator.container_instances.service import ContainerInstances

    marker = f"shutdown-{uuid.uuid4().hex}"
    instances = ContainerInstances()
    group, _ = instances.groups.put(
        SUB, GROUP, "cg-shutdown", body(command=["python", "-c", f"import time; time.sleep(600)  # {marker}"])
    )
    operation = instances.operations.wait(instances.provision(group).id, 30)
    assert operation.status == "Succeeded" and wait_for(lambda: running(marker))
    instances.close()
    assert wait_for(lambda: not running(marker), 10)
