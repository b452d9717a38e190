"""AKS manifests for the model server (Deployment, Service, HorizontalPodAutoscaler), checked offline.

The checks are the provider-neutral ones in :mod:`multi_cloud.iac.k8s_validation` (the EKS lesson uses them
too); apply the YAML with ``kubectl apply -f`` after ``az aks get-credentials``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.iac.findings import Finding
from multi_cloud.iac.k8s_validation import validate_manifests
from multi_cloud.iac.k8s_yaml import DNS_LABEL, Manifest, from_yaml, to_yaml

__all__ = ["HEALTH_PATH", "aks_model_server", "check", "from_yaml", "to_yaml"]

#: the scoring server answers health on GET /
HEALTH_PATH = "/"


def aks_model_server(
    name: str,
    image: str,
    *,
    port: int = 80,
    replicas: int = 2,
    cpu: str = "500m",
    memory: str = "1Gi",
    max_replicas: int = 5,
    target_cpu_percent: int = 70,
) -> list[Manifest]:
    """Deployment + LoadBalancer Service + CPU HorizontalPodAutoscaler for a scoring image on AKS."""
    if not DNS_LABEL.match(name) or len(name) > 63:
        raise InvalidArgument(f"{name!r} is not a Kubernetes name: lowercase letters, digits and '-'")
    if not 1 <= replicas <= max_replicas:
        raise InvalidArgument(f"replicas ({replicas}) must be between 1 and max_replicas ({max_replicas})")
    labels = {"app": name}
    probe = {"httpGet": {"path": HEALTH_PATH, "port": "http"}}
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "ports": [{"name": "http", "containerPort": port}],
        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
        "readinessProbe": probe,
        "livenessProbe": probe,
    }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
                        "containers": [container],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "type": "LoadBalancer",
                "selector": labels,
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": replicas,
                "maxReplicas": max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": target_cpu_percent},
                        },
                    }
                ],
            },
        },
    ]


def check(manifests: list[Manifest] | str) -> list[Finding]:
    """Findings for the manifests (probes should call the scoring server's health route)."""
    return validate_manifests(manifests, health_path=HEALTH_PATH)
