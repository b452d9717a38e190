"""Kubernetes manifests for the model server (Deployment, Service, HPA) as dicts and YAML.

Apply them with ``kubectl apply -f``; check them offline with ``k8s_validation.validate_manifests``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.iac.k8s_yaml import DNS_LABEL, Manifest, from_yaml, to_yaml

from aws_ai_services.containers.image_build import APP_UID, CONTAINER_PORT
from aws_ai_services.containers.sizing import TASK_SIZES, TaskSize

__all__ = ["DNS_LABEL", "HEALTH_PATH", "Manifest", "from_yaml", "model_server_manifests", "to_yaml"]

HEALTH_PATH = "/ping"


def model_server_manifests(
    name: str,
    image: str,
    *,
    model_s3_uri: str = "",
    replicas: int = 2,
    size: TaskSize = TASK_SIZES["medium"],
    cpu_limit_factor: int = 2,
    min_replicas: int = 2,
    max_replicas: int = 6,
    target_cpu_percent: int = 60,
    namespace: str = "default",
    service_account: str = "",
    port: int = CONTAINER_PORT,
) -> list[Manifest]:
    """Deployment + Service + HorizontalPodAutoscaler for the model-server image.

    Requests come from the same size table as the ECS task (``size``); memory limit = request (a pod
    that outgrows it is killed rather than starving its neighbours), CPU limit = ``cpu_limit_factor`` x
    request (bursts allowed). ``service_account`` should be bound to an IAM role (IRSA) that may read
    ``model_s3_uri``.
    """
    if not DNS_LABEL.match(name) or len(name) > 63:
        raise InvalidArgument(f"{name!r} is not a valid Kubernetes name: lowercase letters, digits and '-'")
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "model-server"}
    cpu_limit = TaskSize(size.cpu * cpu_limit_factor, size.memory).kubernetes_cpu
    container: dict[str, Any] = {
        "name": "model-server",
        "image": image,
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [{"name": "SAGEMAKER_BIND_TO_PORT", "value": str(port)}],
        "resources": {
            "requests": {"cpu": size.kubernetes_cpu, "memory": size.kubernetes_memory},
            "limits": {"cpu": cpu_limit, "memory": size.kubernetes_memory},
        },
        "startupProbe": {**_ping_probe(), "periodSeconds": 2, "failureThreshold": 60},
        "readinessProbe": {**_ping_probe(), "periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 3},
        "livenessProbe": {**_ping_probe(), "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    if model_s3_uri:
        container["env"].append({"name": "MODEL_S3_URI", "value": model_s3_uri})
    pod_spec: dict[str, Any] = {
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": 30,
        "containers": [container],
    }
    if service_account:
        pod_spec["serviceAccountName"] = service_account
    metadata = {"name": name, "namespace": namespace, "labels": labels}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": dict(metadata),
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    autoscaler = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": dict(metadata),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": min_replicas,
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
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }
    return [deployment, service, autoscaler]


def _ping_probe() -> dict[str, Any]:
    return {"httpGet": {"path": HEALTH_PATH, "port": "http"}}
