"""Managed spot training with checkpoints: interrupted, resumed from S3, and what spot saved."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.moto_state import MotoS3
from aws_ai_services.emulator.sagemaker_training.checkpoints import CheckpointSync
from aws_ai_services.infrastructure.price_catalog import PriceCatalog
from aws_ai_services.sagemaker.scripts import TRAIN_CHECKPOINTED
from aws_ai_services.sagemaker.training.spot_training import (
    INTERRUPTION_TAG,
    ManagedSpot,
    SpotInterruption,
    billable_seconds,
    spot_savings,
)
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import TrainingSpec
from multi_cloud.demos.scripts import iris_csv
from multi_cloud.emulation.protocols.aws.errors import ACCOUNT_ID

EPOCHS = 5
#: long enough that the interruption lands inside the third epoch, short enough for a quick test
EPOCH_SECONDS = 0.25


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def iris_spec(provider: AWSProvider) -> TrainingSpec:
    bucket = unique("data")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "train/iris.csv", iris_csv())
    return TrainingSpec(
        name=unique("spot"),
        entry_point=str(TRAIN_CHECKPOINTED),
        hyperparameters={"epochs": EPOCHS, "epoch-seconds": EPOCH_SECONDS, "learning-rate": 0.01},
        inputs={"train": f"s3://{bucket}/train/"},
    )


def _checkpoints(provider: AWSProvider, uri: str) -> list[str]:
    bucket, prefix = uri.removeprefix("s3://").split("/", 1)
    return sorted(o.key.rsplit("/", 1)[-1] for o in provider.storage.list_objects(bucket, prefix))


def test_interrupted_spot_job_resumes_from_s3_checkpoints_in_a_new_job(
    provider: AWSProvider, iris_spec: TrainingSpec, boto_client
) -> None:  # type: ignore[no-untyped-def]
    trainer = provider.models.trainer
    checkpoint_uri = f"s3://{unique('ckpt')}/iris/"
    spot = ManagedSpot(checkpoint_s3_uri=checkpoint_uri, max_wait_seconds=7200)

    first = trainer.train(iris_spec, spot=spot, simulate_interruption=SpotInterruption(after_checkpoints=2))
    assert first.status == "Stopped"
    assert first.secondary_status == "MaxWaitTimeExceeded"
    assert "Interrupted" in first.secondary_status_transitions
    assert first.failure_reason.startswith("MaxWaitTimeExceeded: the spot instance was reclaimed")
    assert first.model_artifact == ""
    interrupted_at = int(first.metrics["epoch"])
    assert 2 <= interrupted_at < EPOCHS
    saved = _checkpoints(provider, checkpoint_uri)
    assert saved == [f"checkpoint-epoch-{e:04d}.joblib" for e in range(1, interrupted_at + 1)]

    described = boto_client("sagemaker").describe_training_job(TrainingJobName=iris_spec.name)
    assert described["EnableManagedSpotTraining"] is True
    assert described["CheckpointConfig"] == {"S3Uri": checkpoint_uri, "LocalPath": "/opt/ml/checkpoints"}
    assert described["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}

    second = trainer.train(replace(iris_spec, name=iris_spec.name + "-resume"), spot=spot)
    assert second.status == "Completed", second.failure_reason
    assert second.metrics["resumed_from_epoch"] == interrupted_at
    assert second.metrics["epochs_run"] == EPOCHS - interrupted_at < EPOCHS
    assert second.metrics["epoch"] == EPOCHS
    assert second.metrics["validation:accuracy"] > 0.5
    assert len(_checkpoints(provider, checkpoint_uri)) == EPOCHS
    logs = trainer.training_logs(second.name)
    assert f"[checkpoints] restored {interrupted_at} file(s) from {checkpoint_uri}" in logs
    assert f"resumed_from_epoch={interrupted_at}" in logs

    discount = PriceCatalog.load().spot_discount("ml.m5.large").typical
    for job in (first, second):
        assert job.managed_spot and job.checkpoint_s3_uri == checkpoint_uri
        assert job.training_time_seconds and job.billable_time_seconds
        assert job.billable_time_seconds == max(1, round(job.training_time_seconds * (1 - discount)))
        savings = job.spot_savings
        assert savings is not None
        # AWS's own formula, from the seconds the service billed
        saved = 1 - job.billable_time_seconds / job.training_time_seconds
        assert savings.savings_percent == pytest.approx(saved * 100)
        assert savings.on_demand_usd and savings.spot_usd
        assert savings.spot_usd == pytest.approx(savings.on_demand_usd * (1 - saved))


def test_when_capacity_comes_back_the_same_job_restarts_from_its_checkpoints(
    provider: AWSProvider, iris_spec: TrainingSpec
) -> None:
    trainer = provider.models.trainer
    spot = ManagedSpot(checkpoint_s3_uri=f"s3://{unique('ckpt')}/same-job")
    job = trainer.train(
        iris_spec, spot=spot, simulate_interruption=SpotInterruption(after_checkpoints=1, comes_back=True)
    )
    assert job.status == "Completed", job.failure_reason
    transitions = job.secondary_status_transitions
    assert transitions[transitions.index("Interrupted") :] == (
        "Interrupted",
        "Restarting",
        "Training",
        "Uploading",
        "Completed",
    )
    resumed = int(job.metrics["resumed_from_epoch"])
    assert resumed >= 1
    assert job.metrics["epochs_run"] == EPOCHS - resumed
    assert job.model_artifact.endswith(f"{iris_spec.name}/output/model.tar.gz")
    assert "[checkpoints] restored" in trainer.training_logs(iris_spec.name)


def test_spot_requests_are_checked_like_sagemaker(provider: AWSProvider, iris_spec: TrainingSpec) -> None:
    trainer = provider.models.trainer
    too_short = ManagedSpot(checkpoint_s3_uri="s3://ckpt-bucket/ckpt/", max_wait_seconds=60)
    with pytest.raises(InvalidArgument) as caught:
        trainer.train(iris_spec, spot=too_short)
    assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    assert "MaxWaitTimeInSeconds (60)" in caught.value.message
    with pytest.raises(InvalidArgument, match="must be an s3:// prefix"):
        trainer.train(iris_spec, spot=ManagedSpot(checkpoint_s3_uri="/tmp/ckpt"))
    with pytest.raises(InvalidArgument, match="at least 1"):
        SpotInterruption(after_checkpoints=0)
    trigger = SpotInterruption(after_checkpoints=2, comes_back=True).tag()
    assert trigger == {
        "Key": INTERRUPTION_TAG,
        "Value": "after-checkpoints=2;grace-seconds=2;comes-back=true",
    }


def test_billable_time_and_savings_arithmetic() -> None:
    assert billable_seconds(100, spot=False, discount=0.7) == 100
    assert billable_seconds(100, spot=True, discount=0.7) == 30
    assert billable_seconds(1, spot=True, discount=0.9) == 1  # SageMaker bills at least a second
    catalog = PriceCatalog.load()
    hourly = catalog.hourly("ml.m5.large", use="training", region="us-east-1")
    savings = spot_savings("ml.m5.large", "us-east-1", 3600, 1080, discount=0.7)
    assert (savings.on_demand_usd, savings.spot_usd) == (pytest.approx(hourly), pytest.approx(hourly * 0.3))
    assert savings.savings_percent == pytest.approx(70.0)
    unpriced = spot_savings("ml.m5.large", "mars-north-1", 60, 18, discount=0.7)
    assert unpriced.on_demand_usd is None and unpriced.savings_percent == pytest.approx(70.0)


def test_checkpoint_sync_uploads_only_new_or_changed_files(provider: AWSProvider, tmp_path: Path) -> None:
    bucket = unique("ckpt")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "run/old.bin", b"old")
    sync = CheckpointSync(MotoS3(ACCOUNT_ID), f"s3://{bucket}/run", tmp_path / "checkpoints")
    assert sync.download() == ["old.bin"]
    (tmp_path / "checkpoints" / "new.bin").write_bytes(b"new")
    (tmp_path / "checkpoints" / "half.bin.tmp").write_bytes(b"partial")
    assert sync.upload() == ["new.bin"]
    assert sync.upload() == []
    assert sorted(o.key for o in provider.storage.list_objects(bucket, "run/")) == [
        "run/new.bin",
        "run/old.bin",
    ]
