"""Structural validation of Kubernetes manifests: what a cluster would reject, or what breaks at run time.

Checked offline and against each other: required fields, names, current API versions, selectors that select
nothing, probes on ports the container does not have, requests above limits, an HPA on CPU without CPU
requests, unpinned images. Provider-neutral: the AWS (EKS) and Azure (AKS) lessons check their manifests here;
``health_path`` is the model server's health route when probes should call it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.iac.findings import Finding
from multi_cloud.iac.k8s_quantities import parse_quantity
from multi_cloud.iac.k8s_yaml import DNS_LABEL, from_yaml

#: the API version each kind is served as today (autoscaling/v2beta2 went away in Kubernetes 1.26)
CURRENT_API = {"Deployment": "apps/v1", "Service": "v1", "HorizontalPodAutoscaler": "autoscaling/v2"}


def validate_manifests(
    manifests: Sequence[Mapping[str, Any]] | str, *, health_path: str = ""
) -> list[Finding]:
    """Findings for a set of manifests (YAML text or dicts), checked against each other.

    With ``health_path``, a probe calling another path is a warning (the server answers health there).
    """
    docs = from_yaml(manifests) if isinstance(manifests, str) else [dict(m) for m in manifests]
    findings: list[Finding] = []
    complete = []
    for index, doc in enumerate(docs):
        problems = _check_common(doc, index)
        findings += problems
        if not any(f.rule in ("missing-field", "not-an-object") for f in problems):
            complete.append(doc)
    deployments = {d["metadata"]["name"]: d for d in complete if d["kind"] == "Deployment"}
    for doc in complete:
        if doc["kind"] == "Deployment":
            findings += _check_deployment(doc, health_path)
        elif doc["kind"] == "Service":
            findings += _check_service(doc, list(deployments.values()))
        elif doc["kind"] == "HorizontalPodAutoscaler":
            findings += _check_autoscaler(doc, deployments)
        else:
            findings.append(
                Finding("info", "unchecked-kind", f"{doc['kind']} is not checked here", _where(doc))
            )
    return findings


def _where(doc: Mapping[str, Any], path: str = "") -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}{' ' + path if path else ''}"


def _check_common(doc: Any, index: int) -> list[Finding]:
    if not isinstance(doc, Mapping):
        return [
            Finding("error", "not-an-object", "each YAML document must be a mapping", f"document {index + 1}")
        ]
    missing = [key for key in ("apiVersion", "kind") if not doc.get(key)]
    name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), Mapping) else None
    if not name:
        missing.append("metadata.name")
    if missing:
        where = f"document {index + 1} ({doc.get('kind', 'unknown kind')})"
        return [Finding("error", "missing-field", f"missing {', '.join(missing)}", where)]
    findings = []
    if not DNS_LABEL.match(str(name)) or len(str(name)) > 63:
        findings.append(
            Finding("error", "invalid-name", f"{name!r}: use lowercase letters, digits and '-'", _where(doc))
        )
    current = CURRENT_API.get(doc["kind"])
    if current and doc["apiVersion"] != current:
        findings.append(
            Finding(
                "error",
                "api-version",
                f"{doc['kind']} is served as {current}, not {doc['apiVersion']}",
                _where(doc),
            )
        )
    return findings


def _containers(deployment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = (((deployment.get("spec") or {}).get("template") or {}).get("spec")) or {}
    return list(spec.get("containers") or [])


def _check_deployment(doc: Mapping[str, Any], health_path: str) -> list[Finding]:
    findings: list[Finding] = []
    spec = doc.get("spec") or {}
    match_labels = ((spec.get("selector") or {}).get("matchLabels")) or {}
    template = spec.get("template") or {}
    pod_labels = ((template.get("metadata") or {}).get("labels")) or {}
    if not match_labels:
        findings.append(
            Finding("error", "missing-field", "spec.selector.matchLabels is required", _where(doc))
        )
    elif any(pod_labels.get(k) != v for k, v in match_labels.items()):
        findings.append(
            Finding(
                "error",
                "selector-mismatch",
                f"selector {match_labels} does not match the pod labels {pod_labels}: "
                "the Deployment would be rejected",
                _where(doc),
            )
        )
    containers = _containers(doc)
    if not containers:
        findings.append(
            Finding("error", "missing-field", "spec.template.spec.containers is empty", _where(doc))
        )
    for index, container in enumerate(containers):
        findings += _check_container(doc, index, container, health_path)
    pod_security = ((template.get("spec") or {}).get("securityContext")) or {}
    if not pod_security.get("runAsNonRoot"):
        findings.append(
            Finding("warning", "root-allowed", "set securityContext.runAsNonRoot: true", _where(doc))
        )
    return findings


def _check_container(
    doc: Mapping[str, Any], index: int, container: Mapping[str, Any], health_path: str
) -> list[Finding]:
    where = _where(doc, f"containers[{index}]")
    findings: list[Finding] = []
    for key in ("name", "image"):
        if not container.get(key):
            findings.append(Finding("error", "missing-field", f"container {key} is required", where))
    image = str(container.get("image", ""))
    last = image.rsplit("/", 1)[-1]
    if image and "@" not in image and (":" not in last or last.endswith(":latest")):
        findings.append(
            Finding("error", "image-unpinned", f"{image} floats (:latest); use an immutable tag", where)
        )
    findings += _check_resources(container.get("resources") or {}, where)
    ports = {p.get("name") for p in container.get("ports") or []} | {
        p.get("containerPort") for p in container.get("ports") or []
    }
    for probe_name in ("readinessProbe", "livenessProbe"):
        probe = container.get(probe_name)
        if not probe:
            findings.append(
                Finding(
                    "error",
                    "probe-missing",
                    f"no {probe_name}: add an httpGet on {health_path or 'the health route'}",
                    where,
                )
            )
            continue
        http = probe.get("httpGet") or {}
        if http and http.get("port") not in ports:
            findings.append(
                Finding(
                    "error",
                    "probe-port",
                    f"{probe_name} port {http.get('port')!r} is not a container port "
                    f"({sorted(map(str, ports - {None}))})",
                    where,
                )
            )
        if http and health_path and http.get("path") != health_path:
            findings.append(
                Finding(
                    "warning",
                    "probe-path",
                    f"{probe_name} calls {http.get('path')!r}; the model server's "
                    f"health route is {health_path}",
                    where,
                )
            )
    return findings


def _check_resources(resources: Mapping[str, Any], where: str) -> list[Finding]:
    findings: list[Finding] = []
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    for resource in ("cpu", "memory"):
        if resource not in requests:
            findings.append(
                Finding(
                    "error",
                    "requests-missing",
                    f"no {resource} request: the scheduler cannot "
                    "place the pod sensibly and an HPA cannot compute utilization",
                    where,
                )
            )
    if "memory" not in limits:
        findings.append(
            Finding("warning", "limits-missing", "no memory limit: one pod can starve its node", where)
        )
    for resource in sorted(set(requests) & set(limits)):
        try:
            requested, limit = parse_quantity(requests[resource]), parse_quantity(limits[resource])
        except InvalidArgument as exc:
            findings.append(Finding("error", "bad-quantity", exc.message, where))
            continue
        if requested > limit:
            findings.append(
                Finding(
                    "error",
                    "requests-exceed-limits",
                    f"{resource} request {requests[resource]} is above its "
                    f"limit {limits[resource]}: Kubernetes rejects the pod",
                    where,
                )
            )
    return findings


def _check_service(doc: Mapping[str, Any], deployments: list[Mapping[str, Any]]) -> list[Finding]:
    spec = doc.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector:
        return [
            Finding(
                "warning",
                "service-no-selector",
                "a Service without a selector needs manual endpoints",
                _where(doc),
            )
        ]
    targets = [
        d
        for d in deployments
        if all(
            (((d["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}).get(k) == v
            for k, v in selector.items()
        )
    ]
    if deployments and not targets:
        return [
            Finding(
                "error",
                "service-selects-nothing",
                f"selector {selector} matches no Deployment's pods",
                _where(doc),
            )
        ]
    findings = []
    container_ports = {
        value
        for d in targets
        for c in _containers(d)
        for p in c.get("ports") or []
        for value in (p.get("name"), p.get("containerPort"))
    }
    for port in spec.get("ports") or []:
        target = port.get("targetPort", port.get("port"))
        if targets and target not in container_ports:
            findings.append(
                Finding(
                    "error",
                    "service-target-port",
                    f"targetPort {target!r} is not a port of the selected containers",
                    _where(doc),
                )
            )
    return findings


def _check_autoscaler(doc: Mapping[str, Any], deployments: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    spec = doc.get("spec") or {}
    findings: list[Finding] = []
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if not isinstance(high, int) or not isinstance(low, int) or not 1 <= low <= high:
        findings.append(
            Finding(
                "error", "hpa-range", f"need 1 <= minReplicas <= maxReplicas, got {low}..{high}", _where(doc)
            )
        )
    ref = spec.get("scaleTargetRef") or {}
    target = deployments.get(ref.get("name", "")) if ref.get("kind") == "Deployment" else None
    if target is None:
        return findings + [
            Finding(
                "error",
                "hpa-target-missing",
                f"scaleTargetRef {ref.get('kind')}/{ref.get('name')} is not in these manifests",
                _where(doc),
            )
        ]
    uses_cpu = any(
        (m.get("resource") or {}).get("name") == "cpu"
        and ((m.get("resource") or {}).get("target") or {}).get("type") == "Utilization"
        for m in spec.get("metrics") or []
    )
    lacking = [
        c.get("name")
        for c in _containers(target)
        if "cpu" not in ((c.get("resources") or {}).get("requests") or {})
    ]
    if uses_cpu and lacking:
        findings.append(
            Finding(
                "error",
                "hpa-needs-requests",
                f"CPU utilization is measured against requests, and containers "
                f"{lacking} have no cpu request: the HPA would never scale",
                _where(doc),
            )
        )
    replicas = (target.get("spec") or {}).get("replicas")
    if (
        isinstance(replicas, int)
        and isinstance(high, int)
        and isinstance(low, int)
        and not low <= replicas <= high
    ):
        findings.append(
            Finding(
                "warning",
                "replicas-outside-hpa",
                f"the Deployment asks for {replicas} replicas; the HPA will move it into {low}..{high}",
                _where(doc),
            )
        )
    return findings
