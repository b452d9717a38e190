"""Managed spot training settings, a local spot interruption trigger, and what spot saved at catalog prices.

SageMaker runs a spot job on spare capacity at a discount. It may reclaim the instance at any time; the job
then waits (up to ``MaxWaitTimeInSeconds``) for capacity and restarts, copying ``CheckpointConfig.S3Uri``
back into ``/opt/ml/checkpoints`` first, so a script that checkpoints each epoch resumes where it stopped.
``BillableTimeInSeconds`` is ``TrainingTimeInSeconds`` less the spot discount; AWS's own formula for the
saving is ``1 - BillableTimeInSeconds / TrainingTimeInSeconds``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument

#: the tag the local cloud reads to reclaim a spot instance mid-run
INTERRUPTION_TAG = "cloudai:spot-interruption"
#: where SageMaker mounts the checkpoint directory in the training container
DEFAULT_CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"


@dataclass(frozen=True)
class ManagedSpot:
    """``EnableManagedSpotTraining`` with its ``CheckpointConfig`` and ``MaxWaitTimeInSeconds``."""

    checkpoint_s3_uri: str
    max_wait_seconds: int = 7200
    checkpoint_local_path: str = DEFAULT_CHECKPOINT_LOCAL_PATH
    enabled: bool = True  # False: checkpoints synced to S3 on an on-demand instance

    def request_fields(self, max_runtime_seconds: int) -> dict[str, Any]:
        """The ``CreateTrainingJob`` fields (SageMaker itself checks ``MaxWaitTimeInSeconds``)."""
        if not self.checkpoint_s3_uri.startswith("s3://"):
            raise InvalidArgument(
                f"checkpoint_s3_uri {self.checkpoint_s3_uri!r} must be an s3:// prefix, "
                "e.g. s3://my-bucket/checkpoints/my-job/"
            )
        fields: dict[str, Any] = {
            "CheckpointConfig": {"S3Uri": self.checkpoint_s3_uri, "LocalPath": self.checkpoint_local_path},
        }
        if self.enabled:
            fields["EnableManagedSpotTraining"] = True
        return fields


@dataclass(frozen=True)
class SpotInterruption:
    """Ask the local cloud to reclaim the spot instance once the script wrote ``after_checkpoints`` files.

    The script's process group gets SIGTERM (SIGKILL after ``grace_seconds``), the checkpoint directory is
    synced to S3, and then either spot capacity ``comes_back`` and the same job restarts from the
    checkpoints, or it does not and the job ends ``Stopped`` (secondary status ``Interrupted``): a new job
    with the same ``checkpoint_s3_uri`` resumes the work.
    """

    after_checkpoints: int = 1
    comes_back: bool = False
    grace_seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.after_checkpoints < 1:
            raise InvalidArgument("SpotInterruption.after_checkpoints must be at least 1")

    def tag(self) -> dict[str, str]:
        """The job tag that is the local cloud's trigger (AWS ignores it and reclaims capacity on its own)."""
        value = f"after-checkpoints={self.after_checkpoints};grace-seconds={self.grace_seconds:g}"
        if self.comes_back:
            value += ";comes-back=true"
        return {"Key": INTERRUPTION_TAG, "Value": value}


@dataclass(frozen=True)
class SpotSavings:
    """What managed spot saved on one job, priced from the dated catalog."""

    instance_type: str
    training_seconds: float
    billable_seconds: float
    discount: float  # the catalog's typical saving for the instance family (0.7 = pay 30%)
    on_demand_usd: float | None  # None when the catalog has no price for the instance/region
    spot_usd: float | None
    catalog_as_of: str

    @property
    def savings_percent(self) -> float:
        """AWS's formula: ``(1 - BillableTimeInSeconds / TrainingTimeInSeconds) * 100``."""
        if not self.training_seconds:
            return 0.0
        return (1 - self.billable_seconds / self.training_seconds) * 100


def aws_seconds(seconds: float) -> int:
    """SageMaker reports whole seconds and bills at least one."""
    return max(1, math.ceil(seconds))


def billable_seconds(training_seconds: int, *, spot: bool, discount: float) -> int:
    """On-demand jobs bill their training time; spot jobs the discounted part of it."""
    if not spot:
        return training_seconds
    return max(1, round(training_seconds * (1 - discount)))


def spot_savings(
    instance_type: str, region: str, training_seconds: float, billable: float, *, discount: float
) -> SpotSavings:
    """Price one job's training and billable seconds at the catalog's on-demand rate."""
    catalog = _catalog()
    hourly: float | None = None
    as_of = ""
    if catalog is not None:
        as_of = catalog.as_of
        try:
            hourly = catalog.hourly(instance_type, use="training", region=region)
        except InvalidArgument:
            hourly = None
    return SpotSavings(
        instance_type=instance_type,
        training_seconds=training_seconds,
        billable_seconds=billable,
        discount=discount,
        on_demand_usd=None if hourly is None else training_seconds / 3600 * hourly,
        spot_usd=None if hourly is None else billable / 3600 * hourly,
        catalog_as_of=as_of,
    )


def _catalog() -> Any:
    """The infrastructure package's price catalog, if that package is present."""
    try:
        from aws_ai_services.infrastructure.price_catalog import PriceCatalog
    except ImportError:  # pragma: no cover - shipped together
        return None
    try:
        return PriceCatalog.load()
    except InvalidArgument:
        return None
