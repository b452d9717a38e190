"""Everything Vertex remembers: jobs, pipelines, models, endpoints, their operations and running work."""

from __future__ import annotations

import random
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.jobs.store import JobStore
from multi_cloud.emulation.protocols.google.operations import OperationStore

if TYPE_CHECKING:  # pragma: no cover
    from gcp_ai_services.emulator.vertex.dataset_records import DatasetRecord
    from gcp_ai_services.emulator.vertex.endpoint_records import EndpointRecord
    from gcp_ai_services.emulator.vertex.job_records import JobRecord
    from gcp_ai_services.emulator.vertex.metadata_store import MetadataStore
    from gcp_ai_services.emulator.vertex.model_registry import ModelRecord

JOBS = JobStore("vertex")


@dataclass
class VertexState:
    """Resources by full name; ``scope`` groups this state's running jobs for a reset."""

    custom_jobs: dict[str, JobRecord] = field(default_factory=dict)
    pipelines: dict[str, JobRecord] = field(default_factory=dict)
    models: dict[str, ModelRecord] = field(default_factory=dict)
    endpoints: dict[str, EndpointRecord] = field(default_factory=dict)
    datasets: dict[str, DatasetRecord] = field(default_factory=dict)
    evaluations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by model version name
    batch_jobs: dict[str, JobRecord] = field(default_factory=dict)
    pipeline_jobs: dict[str, JobRecord] = field(default_factory=dict)
    metadata: dict[str, MetadataStore] = field(default_factory=dict)
    tensorboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: OperationStore = field(default_factory=OperationStore)
    lock: threading.RLock = field(default_factory=threading.RLock)
    rng: random.Random = field(default_factory=random.Random)
    work_root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="vertex-jobs-")))

    def __post_init__(self) -> None:
        weakref.finalize(self, shutil.rmtree, self.work_root, True)  # the job folders go with the state

    @property
    def scope(self) -> str:
        return f"vertex-{id(self)}"

    def reset(self) -> None:
        JOBS.cancel_scope(self.scope)
        with self.lock:
            self.custom_jobs.clear()
            self.pipelines.clear()
            self.models.clear()
            self.endpoints.clear()
            self.datasets.clear()
            self.evaluations.clear()
            self.batch_jobs.clear()
            self.pipeline_jobs.clear()
            self.metadata.clear()
            self.tensorboards.clear()
            self.operations.clear()
        shutil.rmtree(self.work_root, ignore_errors=True)
        self.work_root.mkdir(parents=True, exist_ok=True)
