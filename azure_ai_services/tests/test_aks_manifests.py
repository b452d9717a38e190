"""AKS manifests for the scoring server, checked by the provider-neutral multi_cloud.iac validation."""

from __future__ import annotations

import copy

import pytest
from azure_ai_services.containers.aks_manifests import aks_model_server, check, from_yaml, to_yaml
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.iac.findings import errors, rules

IMAGE = "myregistry.azurecr.io/scorer:1.0.0"


def test_model_server_manifests_are_clean_and_round_trip_yaml() -> None:
    manifests = aks_model_server("scorer", IMAGE)
    assert [m["kind"] for m in manifests] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    text = to_yaml(manifests)
    assert from_yaml(text) == manifests
    assert check(text) == []


def test_broken_manifests_name_their_problems() -> None:
    deployment, service, autoscaler = copy.deepcopy(aks_model_server("scorer", "scorer:latest"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    del container["resources"]["requests"]["cpu"]
    container["readinessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}
    service["spec"]["selector"] = {"app": "other"}
    autoscaler["apiVersion"] = "autoscaling/v2beta2"
    found = check([deployment, service, autoscaler])
    assert {"image-unpinned", "probe-port", "hpa-needs-requests"} <= rules(errors(found))
    assert "probe-path" in rules(found)
    assert len(rules(found)) >= 5, [str(f) for f in found]


def test_hpa_must_target_an_existing_deployment() -> None:
    _, _, autoscaler = aks_model_server("scorer", IMAGE)
    assert "hpa-target-missing" in rules(errors(check([autoscaler])))


@pytest.mark.parametrize(("name", "replicas"), [("Bad_Name", 2), ("scorer", 9)])
def test_bad_arguments_are_refused(name: str, replicas: int) -> None:
    with pytest.raises(InvalidArgument):
        aks_model_server(name, IMAGE, replicas=replicas)
