"""Vertex AI's REST surface for the emulator app: every resource's routes (v1 and v1beta1) and operations."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.operations import OperationsService

from gcp_ai_services.emulator.vertex.automl_api import AutoMLAPI
from gcp_ai_services.emulator.vertex.batch_prediction_api import BatchPredictionAPI
from gcp_ai_services.emulator.vertex.datasets_api import DatasetsAPI
from gcp_ai_services.emulator.vertex.endpoints_api import EndpointsAPI
from gcp_ai_services.emulator.vertex.metadata_api import MetadataAPI
from gcp_ai_services.emulator.vertex.models_api import ModelsAPI
from gcp_ai_services.emulator.vertex.pipeline_jobs_api import PipelineJobsAPI
from gcp_ai_services.emulator.vertex.projects_api import ProjectsAPI
from gcp_ai_services.emulator.vertex.state import VertexState
from gcp_ai_services.emulator.vertex.tensorboards_api import TensorboardsAPI
from gcp_ai_services.emulator.vertex.training_api import TrainingAPI

VERSIONS = ("v1", "v1beta1")


def vertex_services(state: VertexState) -> list[Any]:
    """The ``EmulatorApp`` services of Vertex AI, operations last (they claim ``**/operations/*``)."""
    services: list[Any] = []
    training = TrainingAPI(state)
    for api in (
        AutoMLAPI(state, training),
        DatasetsAPI(state),
        training,
        ModelsAPI(state),
        EndpointsAPI(state),
    ):
        services += [api.routes(version) for version in VERSIONS]
    for more in (
        BatchPredictionAPI(state),
        PipelineJobsAPI(state),
        MetadataAPI(state),
        TensorboardsAPI(state),
    ):
        services += [more.routes(version) for version in VERSIONS]
    services.append(ProjectsAPI().routes())
    return [*services, OperationsService(state.operations)]
