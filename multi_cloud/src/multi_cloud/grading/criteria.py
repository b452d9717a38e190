"""The curriculum's 16 assessment criteria in four groups of 25 % (outline, "Assessment Criteria")."""

from __future__ import annotations

from dataclasses import dataclass

from multi_cloud.grading.errors import GradingError


@dataclass(frozen=True)
class Group:
    """One of the four criterion groups and its weight (percent of the overall grade)."""

    id: str
    title: str
    weight: float


@dataclass(frozen=True)
class Criterion:
    """One assessment criterion: a stable id (``aws.sagemaker``), its title and its group id."""

    id: str
    title: str
    group: str


GROUPS: tuple[Group, ...] = (
    Group("aws", "AWS AI Services", 25.0),
    Group("gcp", "Google Cloud AI", 25.0),
    Group("azure", "Azure AI Services", 25.0),
    Group("multi", "Multi-Cloud and Hybrid", 25.0),
)

CRITERIA: tuple[Criterion, ...] = (
    Criterion("aws.sagemaker", "SageMaker platform proficiency", "aws"),
    Criterion("aws.ai_services", "AWS AI services integration", "aws"),
    Criterion("aws.serverless", "Serverless AI implementation", "aws"),
    Criterion("aws.cost", "Cost optimization strategies", "aws"),
    Criterion("gcp.vertex_ai", "Vertex AI platform usage", "gcp"),
    Criterion("gcp.automl_ai_apis", "AutoML and AI APIs integration", "gcp"),
    Criterion("gcp.cloud_functions", "Cloud Functions for AI", "gcp"),
    Criterion("gcp.tpu", "TPU optimization techniques", "gcp"),
    Criterion("azure.ml", "Azure ML platform proficiency", "azure"),
    Criterion("azure.cognitive_services", "Cognitive Services integration", "azure"),
    Criterion("azure.serverless", "Serverless AI implementation", "azure"),
    Criterion("azure.containers", "Container orchestration", "azure"),
    Criterion("multi.architecture", "Multi-cloud architecture design", "multi"),
    Criterion("multi.hybrid", "Hybrid cloud integration", "multi"),
    Criterion("multi.cost", "Cost optimization across platforms", "multi"),
    Criterion("multi.disaster_recovery", "Disaster recovery planning", "multi"),
)

CRITERIA_BY_ID: dict[str, Criterion] = {criterion.id: criterion for criterion in CRITERIA}
GROUPS_BY_ID: dict[str, Group] = {group.id: group for group in GROUPS}


def criterion(criterion_id: str) -> Criterion:
    """The criterion with that id, or a GradingError listing the valid ids."""
    try:
        return CRITERIA_BY_ID[criterion_id]
    except KeyError:
        raise GradingError(
            f"unknown criterion {criterion_id!r}",
            f"use one of: {', '.join(CRITERIA_BY_ID)}",
        ) from None
