"""EKS cluster and node group in the local cloud, Kubernetes manifests and their validation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from aws_ai_services.containers.eks_deployment import EksCluster, EksDeployer
from aws_ai_services.containers.k8s_manifests import from_yaml, model_server_manifests, to_yaml
from aws_ai_services.containers.k8s_validation import validate_manifests
from aws_ai_services.containers.sizing import TASK_SIZES
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.iac.findings import errors, rules
from multi_cloud.iac.k8s_quantities import parse_quantity

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-server:0123456789ab"


@pytest.fixture
def manifests() -> list[dict[str, Any]]:
    return model_server_manifests("iris", IMAGE, model_s3_uri="s3://models/iris/model.tar.gz", max_replicas=8)


@pytest.fixture
def eks(clean_cloud: Any) -> EksDeployer:
    return EksDeployer()


@pytest.fixture
def cluster(eks: EksDeployer) -> EksCluster:
    return eks.create_cluster("ai-serving")


# ----------------------------------------------------------------------------- manifests
def test_generated_manifests_are_valid_and_round_trip_through_yaml(manifests: list[dict[str, Any]]) -> None:
    text = to_yaml(manifests)
    assert from_yaml(text) == manifests
    assert "&id" not in text and "*id" not in text  # no YAML anchors: each probe spelled out
    assert [m["kind"] for m in from_yaml(text)] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    assert validate_manifests(text) == []


def test_requests_come_from_the_size_table_and_probes_call_ping(manifests: list[dict[str, Any]]) -> None:
    container = manifests[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "1024Mi"}  # the "medium" tier
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1024Mi"}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "http"}
    assert manifests[0]["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    assert manifests[2]["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 60


def test_a_bad_manifest_is_flagged(manifests: list[dict[str, Any]]) -> None:
    bad = copy.deepcopy(manifests)
    container = bad[0]["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "iris-server:latest"
    container["resources"]["requests"]["memory"] = "4Gi"
    del container["livenessProbe"]
    container["readinessProbe"]["httpGet"]["port"] = 9090
    bad[1]["spec"]["selector"] = {"app": "something-else"}
    bad[2]["spec"]["minReplicas"] = 10
    findings = validate_manifests(bad)
    assert rules(errors(findings)) == {
        "image-unpinned",
        "requests-exceed-limits",
        "probe-missing",
        "probe-port",
        "service-selects-nothing",
        "hpa-range",
    }
    assert all(
        f.message and f.where.startswith(("Deployment/iris", "Service/iris", "HorizontalPodAutoscaler/iris"))
        for f in findings
    )


def test_an_hpa_on_cpu_needs_cpu_requests(manifests: list[dict[str, Any]]) -> None:
    del manifests[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"]
    assert {"requests-missing", "hpa-needs-requests"} <= rules(errors(validate_manifests(manifests)))


def test_structural_errors_missing_fields_selectors_old_apis_and_targets(
    manifests: list[dict[str, Any]],
) -> None:
    broken = copy.deepcopy(manifests)
    broken[0]["spec"]["selector"]["matchLabels"] = {"app.kubernetes.io/name": "other"}
    broken[1]["spec"]["ports"][0]["targetPort"] = "grpc"
    broken[2]["apiVersion"] = "autoscaling/v2beta2"
    assert rules(errors(validate_manifests(broken))) >= {
        "selector-mismatch",
        "service-target-port",
        "api-version",
    }
    nameless = [{"apiVersion": "v1", "kind": "Service", "metadata": {}}]
    assert rules(validate_manifests(nameless)) == {"missing-field"}
    orphan = [manifests[2]]
    assert rules(errors(validate_manifests(orphan))) == {"hpa-target-missing"}
    assert rules(validate_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")) == {
        "invalid-name",
        "unchecked-kind",
    }


def test_invalid_yaml_and_names_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="not valid YAML"):
        validate_manifests("kind: [unclosed")
    with pytest.raises(InvalidArgument, match="not a valid Kubernetes name"):
        model_server_manifests("Iris_Server", IMAGE)


@pytest.mark.parametrize(
    ("quantity", "value"),
    [("250m", 0.25), ("1", 1.0), (2, 2.0), ("512Mi", 512 * 2**20), ("1G", 1e9), ("1.5Gi", 1.5 * 2**30)],
)
def test_kubernetes_quantities(quantity: str | int, value: float) -> None:
    assert parse_quantity(quantity) == value


def test_a_bad_quantity_is_a_finding_not_a_crash(manifests: list[dict[str, Any]]) -> None:
    manifests[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "lots"
    assert "bad-quantity" in rules(validate_manifests(manifests))


# ----------------------------------------------------------------------------- EKS
def test_cluster_and_spot_node_group_read_back(
    eks: EksDeployer, cluster: EksCluster, boto_client: Callable[..., Any]
) -> None:
    group = eks.create_nodegroup(
        cluster, "cpu", instance_types=("m5.large", "m5a.large"), capacity_type="SPOT"
    )
    client = boto_client("eks")
    described = client.describe_cluster(name="ai-serving")["cluster"]
    assert (
        described["status"] == "ACTIVE" == eks.cluster_status("ai-serving") and described["version"] == "1.32"
    )
    assert described["roleArn"].endswith("role/ai-serving-cluster")
    assert set(described["resourcesVpcConfig"]["subnetIds"]) == set(cluster.network.subnet_ids)
    node = client.describe_nodegroup(clusterName="ai-serving", nodegroupName="cpu")["nodegroup"]
    assert node["capacityType"] == "SPOT" and node["instanceTypes"] == ["m5.large", "m5a.large"]
    assert node["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 2}
    assert node["labels"]["workload"] == "model-serving"
    assert (group.min_size, group.desired_size, group.max_size) == (1, 2, 3)
    # AWS managed policies exist in the local cloud as in every account: the node role has them attached
    assert group.missing_managed_policies == ()
    attached = boto_client("iam").list_attached_role_policies(RoleName="ai-serving-cpu-node")
    assert "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" in {
        p["PolicyArn"] for p in attached["AttachedPolicies"]
    }


def test_capacity_is_computed_from_the_instance_types(
    eks: EksDeployer, cluster: EksCluster, manifests: list[dict[str, Any]]
) -> None:
    node = eks.node_capacity("m5.large")
    assert (node.vcpus, node.memory_mib) == (2, 8192)  # from EC2 DescribeInstanceTypes
    group = eks.create_nodegroup(cluster, "cpu", max_size=2)
    findings = eks.capacity_findings(manifests, group)  # 500m pods: 3 per node, 8 replicas need 3 nodes
    assert [(f.rule, f.severity) for f in findings] == [("max-replicas-exceed-nodes", "warning")]
    assert "8 replicas need 3 nodes" in findings[0].message
    huge = model_server_manifests("iris", IMAGE, size=TASK_SIZES["2xlarge"])
    assert rules(eks.capacity_findings(huge, group)) == {"pod-does-not-fit"}


def test_eks_errors_carry_aws_codes(eks: EksDeployer, cluster: EksCluster) -> None:
    with pytest.raises(AlreadyExists) as duplicate:
        eks.create_cluster("ai-serving")
    assert duplicate.value.code == "ResourceInUseException"
    with pytest.raises(InvalidArgument) as unknown:
        eks.node_capacity("m5.enormous")
    assert unknown.value.code == "InvalidInstanceType"
    with pytest.raises(NotFound) as missing:
        eks.cluster_status("nope")
    assert missing.value.code == "ResourceNotFoundException"
    with pytest.raises(InvalidArgument, match="capacity_type"):
        eks.create_nodegroup(cluster, "gpu", capacity_type="RESERVED")


def test_teardown_removes_node_groups_cluster_and_roles(
    eks: EksDeployer, cluster: EksCluster, boto_client: Callable[..., Any]
) -> None:
    eks.create_nodegroup(cluster, "cpu")
    deleted = eks.teardown(cluster)
    assert deleted[:2] == ["eks node group cpu", "iam role ai-serving-cpu-node"]
    assert "eks cluster ai-serving" in deleted
    assert boto_client("eks").list_clusters()["clusters"] == []
    roles = {r["RoleName"] for r in boto_client("iam").list_roles()["Roles"]}
    assert not roles & {"ai-serving-cluster", "ai-serving-cpu-node"}
    with pytest.raises(NotFound):
        eks.cluster_status("ai-serving")
