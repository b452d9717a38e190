"""Cloud TPU v2 over the wire: ``tpu_v2.TpuClient(transport="rest")`` against the emulator, Google's codes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import status_of

ZONE = "us-central1-a"  # offers v3, v5litepod, v5p in the catalog
PARENT = f"projects/tpu-tests/locations/{ZONE}"


@pytest.fixture
def tpu(endpoint: dict[str, Any]) -> Any:
    from google.cloud import tpu_v2

    return tpu_v2.TpuClient(**endpoint)


def _node(accelerator: str = "v5litepod-4", **extra: Any) -> Any:
    from google.cloud import tpu_v2

    extra.setdefault("runtime_version", "v2-alpha-tpuv5-lite")
    return tpu_v2.Node(accelerator_type=accelerator, **extra)


def test_accelerator_types_and_runtimes_come_from_the_zone(tpu: Any) -> None:
    types = {t.type_: t for t in tpu.list_accelerator_types(parent=PARENT)}
    assert {"v5litepod-1", "v5litepod-4", "v5litepod-8", "v5p-8", "v3-8"} <= set(types)
    assert "v6e-8" not in types  # us-central1-a offers no v6e
    assert types["v5litepod-8"].accelerator_configs[0].topology == "2x4"
    assert types["v5litepod-8"].accelerator_configs[0].type_.name == "V5LITE_POD"
    one = tpu.get_accelerator_type(name=f"{PARENT}/acceleratorTypes/v5p-8")
    assert one.type_ == "v5p-8"
    runtimes = [r.version for r in tpu.list_runtime_versions(parent=PARENT)]
    assert "v2-alpha-tpuv5-lite" in runtimes and "tpu-ubuntu2204-base" in runtimes
    page = tpu.list_accelerator_types(request={"parent": PARENT, "page_size": 2})
    assert len(list(page)) == len(types)  # the pager follows nextPageToken


def test_node_lifecycle_create_stop_start_delete(tpu: Any) -> None:
    from google.cloud import tpu_v2

    created = tpu.create_node(parent=PARENT, node_id="lab-node", node=_node()).result(timeout=30)
    assert created.state == tpu_v2.Node.State.READY
    assert created.accelerator_config.topology == "2x2"
    assert created.network_endpoints[0].ip_address == "127.0.0.1"  # a placeholder: no TPU host runs
    name = f"{PARENT}/nodes/lab-node"
    assert [n.name for n in tpu.list_nodes(parent=PARENT)] == [name]
    assert tpu.stop_node(request={"name": name}).result(timeout=30).state == tpu_v2.Node.State.STOPPED
    assert tpu.get_node(name=name).state == tpu_v2.Node.State.STOPPED
    assert tpu.start_node(request={"name": name}).result(timeout=30).state == tpu_v2.Node.State.READY
    tpu.delete_node(name=name).result(timeout=30)
    assert list(tpu.list_nodes(parent=PARENT)) == []
    listed = tpu.list_operations(request={"name": PARENT})  # the zonal operations, done, with their verbs
    verbs = [op.metadata.value for op in listed.operations]
    assert len(listed.operations) == 4 and all(op.done for op in listed.operations) and verbs


def test_accelerator_config_names_the_type(tpu: Any) -> None:
    from google.cloud import tpu_v2

    node = tpu_v2.Node(
        accelerator_config=tpu_v2.AcceleratorConfig(type_="V5LITE_POD", topology="1x1"),
        runtime_version="v2-alpha-tpuv5-lite",
    )
    created = tpu.create_node(parent=PARENT, node_id="by-config", node=node).result(timeout=30)
    assert created.accelerator_type == "v5litepod-1"


def test_quota_of_tpu_cores_is_resource_exhausted_with_error_info(tpu: Any) -> None:
    from google.api_core import exceptions

    tpu.create_node(parent=PARENT, node_id="first", node=_node("v5litepod-4")).result(timeout=30)
    with pytest.raises(exceptions.TooManyRequests) as caught:  # 4 + 8 cores > the default 8
        tpu.create_node(parent=PARENT, node_id="second", node=_node("v5litepod-8"))
    assert status_of(caught.value) == "RESOURCE_EXHAUSTED"
    assert "TPUV5sLitepodPerProjectPerZoneForTPUAPI" in caught.value.message
    details = caught.value.response.json()["error"]["details"]
    info = next(d for d in details if d["@type"].endswith("ErrorInfo"))
    assert info["metadata"]["quota_limit_value"] == "8" and info["metadata"]["quota_location"] == ZONE
    # spot capacity is a separate quota: the same type fits there
    spot = _node("v5litepod-8", scheduling_config={"spot": True})
    assert tpu.create_node(parent=PARENT, node_id="spot", node=spot).result(timeout=30).scheduling_config.spot


def test_raised_quota_admits_the_node(tpu: Any, emulator: Any) -> None:
    emulator.state.tpu.set_quota("tpu-tests", ZONE, "v5litepod", 16)
    tpu.create_node(parent=PARENT, node_id="big", node=_node("v5litepod-8")).result(timeout=30)
    tpu.create_node(parent=PARENT, node_id="big2", node=_node("v5litepod-8")).result(timeout=30)


def test_bad_input_gets_google_codes_naming_it(tpu: Any) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.BadRequest) as caught:
        tpu.create_node(parent=PARENT, node_id="wrong-zone", node=_node("v6e-8"))
    assert status_of(caught.value) == "INVALID_ARGUMENT" and "v6e-8" in caught.value.message
    assert "v5litepod-8" in caught.value.message  # what the zone offers instead
    with pytest.raises(exceptions.BadRequest) as caught:
        bad_runtime = _node(runtime_version="tpu-vm-tf-9.9")
        tpu.create_node(parent=PARENT, node_id="bad-runtime", node=bad_runtime)
    assert "tpu-vm-tf-9.9" in caught.value.message
    with pytest.raises(exceptions.NotFound) as caught:
        tpu.list_accelerator_types(parent="projects/tpu-tests/locations/mars-north1-a").pages.__next__()
    assert "mars-north1-a" in caught.value.message
    with pytest.raises(exceptions.NotFound):
        tpu.get_accelerator_type(name=f"{PARENT}/acceleratorTypes/v9-8")
    with pytest.raises(exceptions.NotFound) as caught:
        tpu.get_runtime_version(name=f"{PARENT}/runtimeVersions/tpu-vm-tf-9.9")
    assert "tpu-vm-tf-9.9" in caught.value.message
    with pytest.raises(exceptions.NotFound):
        tpu.get_node(name=f"{PARENT}/nodes/never-made")
    with pytest.raises(exceptions.BadRequest):
        tpu.create_node(parent=PARENT, node_id="Bad_Id", node=_node())


def test_duplicate_node_is_already_exists_and_stop_needs_ready(tpu: Any) -> None:
    from google.api_core import exceptions

    tpu.create_node(parent=PARENT, node_id="twice", node=_node("v5litepod-1")).result(timeout=30)
    with pytest.raises(exceptions.Conflict) as caught:
        tpu.create_node(parent=PARENT, node_id="twice", node=_node("v5litepod-1"))
    assert status_of(caught.value) == "ALREADY_EXISTS"
    with pytest.raises(exceptions.BadRequest) as caught:  # HTTP 400 carries FAILED_PRECONDITION
        tpu.start_node(request={"name": f"{PARENT}/nodes/twice"})  # READY, not STOPPED
    assert status_of(caught.value) == "FAILED_PRECONDITION" and "READY" in caught.value.message


def test_unemulated_methods_are_unimplemented(tpu: Any) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.MethodNotImplemented):
        tpu.list_queued_resources(parent=PARENT).pages.__next__()


def test_the_same_packaged(clean_google: object) -> None:
    from gcp_ai_services.tpu.nodes import TpuNodes
    from multi_cloud.core.errors import Throttled

    nodes = TpuNodes(ZONE)
    assert "v5litepod-8" in nodes.accelerator_types()
    ready = nodes.create("packaged", "v5litepod-8")
    assert ready.runtime_version == "v2-alpha-tpuv5-lite" and ready.state.name == "READY"
    with pytest.raises(Throttled) as caught:
        nodes.create("too-many", "v5litepod-1")
    assert caught.value.code == "RESOURCE_EXHAUSTED"
    assert nodes.stop("packaged").state.name == "STOPPED"
    nodes.delete("packaged")
    assert nodes.list() == []
