"""Clusters: PENDING while they start, RUNNING after ``startup_seconds``, TERMINATED when deleted.

State is computed from the clock when read (no thread): a cluster created or started at ``t`` is PENDING
until ``t + startup_seconds``. Tasks run on the emulator's machine whatever the cluster's size; the cluster
record is what a job's run points at (``cluster_instance``) and what costs are computed from.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from azure_ai_services.emulator.databricks import catalog
from azure_ai_services.emulator.databricks.errors import invalid, invalid_state, not_found

#: how long a created or restarted cluster stays PENDING
STARTUP_SECONDS = 1.0
_PASSED_THROUGH = (
    "spark_conf",
    "custom_tags",
    "spark_env_vars",
    "autotermination_minutes",
    "autoscale",
    "data_security_mode",
    "runtime_engine",
    "single_user_name",
)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Cluster:
    cluster_id: str
    spec: dict[str, Any]
    started_ms: int
    source: str = "API"
    terminated_ms: int | None = None
    termination_reason: dict[str, Any] = field(default_factory=dict)

    def state(self) -> str:
        if self.terminated_ms is not None:
            return "TERMINATED"
        if now_ms() - self.started_ms < STARTUP_SECONDS * 1000:
            return "PENDING"
        return "RUNNING"

    def to_json(self) -> dict[str, Any]:
        state = self.state()
        body: dict[str, Any] = {
            **self.spec,
            "cluster_id": self.cluster_id,
            "state": state,
            "state_message": {"PENDING": "Starting Spark", "RUNNING": "", "TERMINATED": "Terminated"}[state],
            "start_time": self.started_ms,
            "cluster_source": self.source,
            "creator_user_name": "local-user@cloudai.local",
            "driver_node_type_id": self.spec.get("driver_node_type_id", self.spec["node_type_id"]),
            "default_tags": {"Vendor": "Databricks", "Creator": "local-user", "ClusterId": self.cluster_id},
        }
        if self.terminated_ms is not None:
            body["terminated_time"] = self.terminated_ms
            body["termination_reason"] = self.termination_reason
        return body


def validate_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A cluster spec (``clusters/create`` or a job's ``new_cluster``), checked against the catalog."""
    version = spec.get("spark_version")
    if not version:
        raise invalid("Missing required field: spark_version")
    if version not in catalog.SPARK_VERSIONS:
        raise invalid(f"Invalid spark version {version}. Choose one of clusters/spark-versions.")
    node_type = spec.get("node_type_id") or spec.get("instance_pool_id")
    if not node_type:
        raise invalid("Missing required field: node_type_id")
    if node_type not in catalog.NODE_TYPES:
        raise invalid(f"Node type {node_type} is not supported. Choose one of clusters/list-node-types.")
    workers = spec.get("num_workers", 0)
    if "autoscale" not in spec and (not isinstance(workers, int) or workers < 0):
        raise invalid(f"num_workers must be a non-negative integer, got {workers!r}")
    kept = {key: spec[key] for key in _PASSED_THROUGH if key in spec}
    return {
        "cluster_name": str(spec.get("cluster_name", "")),
        "spark_version": version,
        "node_type_id": node_type,
        "num_workers": workers,
        **kept,
    }


class Clusters:
    """The workspace's clusters by id."""

    def __init__(self) -> None:
        self._clusters: dict[str, Cluster] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._clusters.clear()

    def create(self, spec: dict[str, Any], source: str = "API") -> Cluster:
        checked = validate_spec(spec)
        cluster_id = f"{time.strftime('%m%d')}-{next(self._ids):06d}-local{len(self._clusters):03d}"
        cluster = Cluster(cluster_id, checked, now_ms(), source)
        with self._lock:
            self._clusters[cluster_id] = cluster
        return cluster

    def get(self, cluster_id: str) -> Cluster:
        if not cluster_id:
            raise invalid("Missing required field: cluster_id")
        with self._lock:
            found = self._clusters.get(cluster_id)
        if found is None:
            raise not_found(f"Cluster {cluster_id} does not exist")
        return found

    def list(self) -> list[Cluster]:
        with self._lock:
            return list(self._clusters.values())

    def terminate(self, cluster_id: str, reason: str = "USER_REQUEST") -> Cluster:
        cluster = self.get(cluster_id)
        if cluster.terminated_ms is None:
            cluster.terminated_ms = now_ms()
            cluster.termination_reason = {"code": reason, "type": "SUCCESS", "parameters": {}}
        return cluster

    def start(self, cluster_id: str) -> Cluster:
        cluster = self.get(cluster_id)
        if cluster.terminated_ms is None:
            raise invalid_state(f"Cluster {cluster_id} is in unexpected state {cluster.state()}.")
        cluster.terminated_ms = None
        cluster.termination_reason = {}
        cluster.started_ms = now_ms()
        return cluster

    def permanent_delete(self, cluster_id: str) -> None:
        self.get(cluster_id)
        with self._lock:
            del self._clusters[cluster_id]

    def wait_running(self, cluster: Cluster) -> None:
        """Block until ``cluster`` has started (a job's task waits for its cluster)."""
        while cluster.state() == "PENDING":
            time.sleep(0.1)
