"""SageMakerTrainingJob: the portable TrainingJob plus SageMaker's own fields (billed time, spot, status)."""

from __future__ import annotations

from dataclasses import dataclass

from multi_cloud.core.types import TrainingJob

from aws_ai_services.sagemaker.training.spot_training import SpotSavings


@dataclass(frozen=True)
class SageMakerTrainingJob(TrainingJob):
    """A :class:`TrainingJob` (so it works wherever one is expected) with SageMaker's own fields."""

    secondary_status: str = ""
    #: SecondaryStatusTransitions, oldest first (e.g. Starting, Downloading, Training, Interrupted, ...)
    secondary_status_transitions: tuple[str, ...] = ()
    training_time_seconds: int | None = None  # TrainingTimeInSeconds
    billable_time_seconds: int | None = None  # BillableTimeInSeconds
    managed_spot: bool = False  # EnableManagedSpotTraining
    checkpoint_s3_uri: str = ""  # CheckpointConfig.S3Uri
    spot_savings: SpotSavings | None = None
