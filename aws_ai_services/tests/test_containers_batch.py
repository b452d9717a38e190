"""AWS Batch training in the local cloud: compute environments, queue, job definition, a job's lifecycle."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_ai_services.containers.batch_local_run import split_command
from aws_ai_services.containers.batch_training import (
    BatchTraining,
    ComputeEnvironment,
    JobDefinition,
    JobQueue,
    container_exit_code,
    resolve_command,
)
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound, Unsupported
from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-train:1.0"


@pytest.fixture
def batch(clean_cloud: Any, boto_client: Callable[..., Any]) -> BatchTraining:
    boto_client("s3").create_bucket(Bucket="training")
    boto_client("s3").put_object(Bucket="training", Key="iris/train/iris.csv", Body=iris_csv())
    return BatchTraining()


@pytest.fixture
def infra(batch: BatchTraining) -> tuple[ComputeEnvironment, JobQueue, JobDefinition]:
    spot = batch.create_compute_environment("train-spot", capacity="SPOT", bid_percentage=60)
    queue = batch.create_job_queue("training", [spot.name])
    definition = batch.register_training_job(
        "iris-train",
        IMAGE,
        script=SKLEARN_CLASSIFIER.name,
        train_data_uri="s3://training/iris/train/",
        model_output_uri="s3://training/models/",
        hyperparameters={"n-estimators": 20, "model": "random_forest"},
    )
    return spot, queue, definition


def test_spot_and_on_demand_environments_read_back(
    batch: BatchTraining, boto_client: Callable[..., Any]
) -> None:
    batch.create_compute_environment(
        "train-spot", capacity="SPOT", instance_types=("c5.large", "m5.large"), bid_percentage=60
    )
    batch.create_compute_environment("train-ec2", capacity="EC2", instance_types=("c5.xlarge",), max_vcpus=8)
    found = {
        ce["computeEnvironmentName"]: ce["computeResources"]
        for ce in boto_client("batch").describe_compute_environments()["computeEnvironments"]
    }
    assert found["train-spot"]["type"] == "SPOT" and found["train-spot"]["bidPercentage"] == 60
    assert found["train-spot"]["allocationStrategy"] == "SPOT_PRICE_CAPACITY_OPTIMIZED"
    assert found["train-spot"]["instanceTypes"] == ["c5.large", "m5.large"]
    assert (
        found["train-ec2"]["type"] == "EC2"
        and found["train-ec2"]["allocationStrategy"] == "BEST_FIT_PROGRESSIVE"
    )
    assert (found["train-ec2"]["minvCpus"], found["train-ec2"]["maxvCpus"]) == (
        0,
        8,
    )  # nothing runs while idle
    profile = boto_client("iam").get_instance_profile(InstanceProfileName="train-ec2-instance")[
        "InstanceProfile"
    ]
    assert [r["RoleName"] for r in profile["Roles"]] == ["train-ec2-instance"]


def test_environment_arguments_are_checked(batch: BatchTraining) -> None:
    with pytest.raises(InvalidArgument, match="capacity"):
        batch.create_compute_environment("train-x", capacity="FARGATE_GPU")
    with pytest.raises(InvalidArgument, match="min_vcpus <= max_vcpus"):
        batch.create_compute_environment("train-x", min_vcpus=8, max_vcpus=4)


def test_job_definition_takes_hyperparameters_as_parameters(
    infra: tuple[ComputeEnvironment, JobQueue, JobDefinition], boto_client: Callable[..., Any]
) -> None:
    definition = boto_client("batch").describe_job_definitions(jobDefinitionName="iris-train")[
        "jobDefinitions"
    ][0]
    container = definition["containerProperties"]
    assert container["command"] == [
        "python",
        "/opt/ml/code/train_sklearn.py",
        "--n-estimators",
        "Ref::n_estimators",
        "--model",
        "Ref::model",
    ]
    assert definition["parameters"] == {"n_estimators": "20", "model": "random_forest"}
    assert {r["type"]: r["value"] for r in container["resourceRequirements"]} == {
        "VCPU": "2",
        "MEMORY": "4096",
    }
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["SM_CHANNEL_TRAIN"] == "/opt/ml/input/data/train" and env["SM_MODEL_DIR"] == "/opt/ml/model"
    assert definition["retryStrategy"]["attempts"] == 3
    spot_rule = definition["retryStrategy"]["evaluateOnExit"][0]  # Batch compares actions case-insensitively
    assert (spot_rule["onStatusReason"], spot_rule["action"].upper()) == ("Host EC2*", "RETRY")


def test_a_job_that_no_container_ran_is_run_locally_and_its_model_uploaded(
    batch: BatchTraining,
    infra: tuple[ComputeEnvironment, JobQueue, JobDefinition],
    boto_client: Callable[..., Any],
    tmp_path: Path,
) -> None:
    _, queue, definition = infra
    outcome = batch.submit_and_run(
        "iris-run-1", queue.name, definition, SKLEARN_CLASSIFIER.parent, hyperparameters={"n-estimators": 5}
    )
    job = outcome.job
    assert job.status in ("SUCCEEDED", "FAILED") and not job.container_ran  # moto ran no container
    assert job.command == (
        "python",
        "/opt/ml/code/train_sklearn.py",
        "--n-estimators",
        "5",
        "--model",
        "random_forest",
    )
    assert job.environment["AWS_BATCH_JOB_ID"] == job.job_id
    local = outcome.local_run
    assert local is not None and local.succeeded and local.returncode == 0
    assert local.metrics["train:samples"] == 150.0 and local.metrics["validation:accuracy"] > 0.85
    assert local.model_uri == f"s3://training/models/{job.job_id}/model.tar.gz"
    archive = (
        boto_client("s3")
        .get_object(Bucket="training", Key=f"models/{job.job_id}/model.tar.gz")["Body"]
        .read()
    )
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        assert tar.getnames() == ["model.joblib"]
    assert "no container ran" in outcome.note and "succeeded" in outcome.note


def test_a_failing_training_command_is_reported_as_failed(
    batch: BatchTraining, infra: tuple[ComputeEnvironment, JobQueue, JobDefinition], tmp_path: Path
) -> None:
    _, queue, _ = infra
    failing = batch.register_training_job(
        "iris-train-failing",
        IMAGE,
        script=SKLEARN_CLASSIFIER.name,
        train_data_uri="s3://training/iris/train/",
        model_output_uri="s3://training/models/",
        hyperparameters={"fail": "true"},
    )
    outcome = batch.submit_and_run("iris-run-2", queue.name, failing, SKLEARN_CLASSIFIER.parent)
    assert outcome.local_run is not None and not outcome.local_run.succeeded
    assert "training failed on purpose" in outcome.local_run.failure_reason
    assert outcome.local_run.model_uri == ""


def test_unknown_hyperparameters_are_refused_at_submit(
    batch: BatchTraining, infra: tuple[ComputeEnvironment, JobQueue, JobDefinition]
) -> None:
    _, queue, definition = infra
    with pytest.raises(InvalidArgument, match=r"no parameter\(s\) \['learning_rate'\]"):
        batch.submit("iris-run-3", queue.name, definition, hyperparameters={"learning-rate": 0.1})


def test_batch_errors_carry_aws_codes(
    batch: BatchTraining, infra: tuple[ComputeEnvironment, JobQueue, JobDefinition]
) -> None:
    spot, queue, definition = infra
    with pytest.raises(NotFound) as missing_queue:
        batch.submit("iris-run-4", "no-such-queue", definition)
    assert missing_queue.value.code == "ClientException"
    with pytest.raises(AlreadyExists) as duplicate:
        batch.create_job_queue("training", [spot.name])
    assert duplicate.value.code == "ClientException"
    with pytest.raises(AlreadyExists) as duplicate_env:
        batch.create_compute_environment("train-spot")
    assert duplicate_env.value.code == "InvalidParameterValue"
    with pytest.raises(InvalidArgument) as bad_type:
        batch.create_compute_environment("train-odd", instance_types=("c5.enormous",))
    assert bad_type.value.code == "InvalidParameterValue"


def test_commands_resolve_like_batch_and_only_python_scripts_run_locally() -> None:
    assert resolve_command(["python", "t.py", "--a", "Ref::a", "--b", "Ref::b"], {"a": "1"}) == (
        "python",
        "t.py",
        "--a",
        "1",
        "--b",
        "Ref::b",
    )
    assert split_command(["python3", "/opt/ml/code/t.py", "--a", "1"]) == ("t.py", {"a": "1"})
    with pytest.raises(InvalidArgument, match="have no value"):
        split_command(["python", "t.py", "--b", "Ref::b"])
    with pytest.raises(Unsupported):
        split_command(["bash", "-c", "train"])


def test_a_container_ran_when_batch_reports_an_exit_code() -> None:
    assert container_exit_code({"container": {"exitCode": 0}}) == 0
    assert container_exit_code({"container": {}, "attempts": [{"container": {"exitCode": 137}}]}) == 137
    assert container_exit_code({"container": {"command": ["python"]}, "attempts": []}) is None


def test_teardown_deletes_queue_environment_definition_and_roles(
    batch: BatchTraining,
    infra: tuple[ComputeEnvironment, JobQueue, JobDefinition],
    boto_client: Callable[..., Any],
) -> None:
    spot, queue, definition = infra
    deleted = batch.teardown(queue, [spot], [definition])
    assert deleted[:2] == ["job queue training", "compute environment train-spot"]
    client = boto_client("batch")
    assert client.describe_job_queues()["jobQueues"] == []
    assert client.describe_compute_environments()["computeEnvironments"] == []
    statuses = [
        d["status"] for d in client.describe_job_definitions(jobDefinitionName="iris-train")["jobDefinitions"]
    ]
    assert statuses == ["INACTIVE"]
    roles = {r["RoleName"] for r in boto_client("iam").list_roles()["Roles"]}
    assert not roles & {"train-spot-service", "train-spot-instance", "iris-train-job"}
    assert boto_client("iam").list_instance_profiles()["InstanceProfiles"] == []
