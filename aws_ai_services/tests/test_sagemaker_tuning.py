"""Hyperparameter tuning jobs whose trials are real (tiny) training jobs, recorded in SageMaker."""

from __future__ import annotations

import math
import textwrap
import uuid
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.sagemaker_tuning.ranges import parse_ranges, random_points
from aws_ai_services.sagemaker.training.tuning_ranges import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    parameter_ranges_request,
)
from aws_ai_services.sagemaker.tuning import HyperparameterTuner
from multi_cloud.core.errors import AlreadyExists, InvalidArgument
from multi_cloud.core.types import TrainingSpec

#: "trains" in microseconds: the loss is a known function of the hyperparameters; "crash" fails
QUADRATIC_SCRIPT = textwrap.dedent(
    """
    import math, os, sys
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    kind = args.get("--kind", "plain")
    if kind == "crash":
        sys.exit("diverged: loss is nan")
    x = float(args.get("--x", 0))
    rate = float(args.get("--rate", 1))
    loss = (x - 3) ** 2 + (0.0 if kind == "smooth" else 1.0) + abs(math.log10(rate) + 2)
    rows = len(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))
    print(f"epoch 1 finished, validation loss {loss:.6f} (files={rows})")
    open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(str(loss))
    """
)
METRICS = {"validation:loss": r"validation loss ([0-9.]+)"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def expected_loss(x: float, kind: str, rate: float) -> float:
    return (x - 3) ** 2 + (0.0 if kind == "smooth" else 1.0) + abs(math.log10(rate) + 2)


@pytest.fixture
def base_spec(provider: AWSProvider, tmp_path: Path) -> TrainingSpec:
    script = tmp_path / "code" / "quadratic.py"
    script.parent.mkdir()
    script.write_text(QUADRATIC_SCRIPT)
    bucket = unique("tune-data")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "train/a.csv", b"1,2\n")
    return TrainingSpec(
        name="unused",
        entry_point=script.name,
        source_dir=str(script.parent),
        hyperparameters={"rate": 0.01},
        inputs={"train": f"s3://{bucket}/train/"},
    )


def test_grid_search_runs_every_combination_and_picks_the_minimum(
    provider: AWSProvider, base_spec: TrainingSpec, boto_client
) -> None:  # type: ignore[no-untyped-def]
    tuner = HyperparameterTuner(
        provider.models.trainer,
        objective_metric_name="validation:loss",
        objective_type="Minimize",
        metric_definitions=METRICS,
        hyperparameter_ranges={
            "x": CategoricalParameter([1, 3, 4]),
            "kind": CategoricalParameter(["plain", "smooth"]),
        },
        strategy="Grid",
        max_parallel_jobs=2,
    )
    name = unique("grid")
    job = tuner.tune(name, base_spec)
    assert job.status == "Completed"
    assert len(job.trials) == 6
    assert {(t.hyperparameters["x"], t.hyperparameters["kind"]) for t in job.trials} == {
        (x, k) for x in ("1", "3", "4") for k in ("plain", "smooth")
    }
    for trial in job.trials:
        hp = trial.hyperparameters
        assert trial.objective_value == pytest.approx(
            expected_loss(float(hp["x"]), hp["kind"], 0.01), abs=1e-6
        )
    assert job.best is not None and job.best.hyperparameters == {"kind": "smooth", "x": "3"}
    assert job.best.objective_value == pytest.approx(0.0, abs=1e-6)
    assert job.status_counters["Completed"] == 6

    sagemaker = boto_client("sagemaker")
    described = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    config = described["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Grid"
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2}
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Minimize", "MetricName": "validation:loss"}
    assert [r["Name"] for r in config["ParameterRanges"]["CategoricalParameterRanges"]] == ["x", "kind"]
    definition = described["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"]["rate"] == "0.01"
    assert definition["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "validation:loss", "Regex": METRICS["validation:loss"]}
    ]
    best = sagemaker.describe_training_job(TrainingJobName=job.best_training_job)
    assert best["HyperParameters"]["x"] == "3" and best["HyperParameters"]["rate"] == "0.01"
    assert job.best_training_job.startswith(f"{name}-") and len(job.best_training_job) == len(name) + 13
    assert tuner.describe(name) == job


def test_random_search_is_reproducible_within_ranges_and_skips_failed_trials(
    provider: AWSProvider, base_spec: TrainingSpec
) -> None:
    ranges = {
        "x": IntegerParameter(0, 6),
        "rate": ContinuousParameter(0.0001, 1.0, scaling="Logarithmic"),
        "kind": CategoricalParameter(["plain", "smooth", "crash"]),
    }
    spec = TrainingSpec(**{**base_spec.__dict__, "hyperparameters": {}})
    tuner = HyperparameterTuner(
        provider.models.trainer,
        objective_metric_name="validation:loss",
        objective_type="Minimize",
        metric_definitions=METRICS,
        hyperparameter_ranges=ranges,
        strategy="Random",
        max_jobs=5,
        max_parallel_jobs=2,
        random_seed=11,
    )
    job = tuner.tune(unique("random"), spec)
    assert len(job.trials) == 5
    again = tuner.tune(unique("random"), spec)  # the same RandomSeed draws the same configurations
    assert [t.hyperparameters for t in again.trials] == [t.hyperparameters for t in job.trials]
    for trial in job.trials:
        hp = trial.hyperparameters
        assert 0 <= int(hp["x"]) <= 6 and 0.0001 <= float(hp["rate"]) <= 1.0
        if hp["kind"] == "crash":
            assert trial.status == "Failed" and trial.objective_value is None
            assert "diverged: loss is nan" in trial.failure_reason
        else:
            assert trial.objective_value == pytest.approx(
                expected_loss(float(hp["x"]), hp["kind"], float(hp["rate"])), abs=1e-5
            )
    completed = [t for t in job.trials if t.objective_value is not None]
    assert job.best == min(completed, key=lambda t: t.objective_value or 0.0)
    crashed = sum(t.hyperparameters["kind"] == "crash" for t in job.trials)
    assert job.status_counters["NonRetryableError"] == crashed > 0


def test_log_scaling_samples_each_decade_alike() -> None:
    ranges = parse_ranges(
        parameter_ranges_request({"rate": ContinuousParameter(1e-4, 1.0, scaling="Logarithmic")})
    )
    draws = random_points(ranges, 4000, seed=3)
    decades = [min(int(-math.log10(float(d["rate"]))), 3) for d in draws]
    shares = [decades.count(k) / len(decades) for k in range(4)]
    assert all(0.2 < share < 0.3 for share in shares)  # linear sampling would put ~90% in the top decade


def test_bad_tuning_requests_fail_like_sagemaker(provider: AWSProvider, base_spec: TrainingSpec) -> None:
    def tuner(**overrides):  # type: ignore[no-untyped-def]
        arguments = {
            "objective_metric_name": "validation:loss",
            "metric_definitions": METRICS,
            "hyperparameter_ranges": {"x": CategoricalParameter([1, 2])},
        } | overrides
        return HyperparameterTuner(provider.models.trainer, **arguments)

    for overrides, phrase in (
        ({"objective_metric_name": "validation:auc"}, "not defined in MetricDefinitions"),
        (
            {"strategy": "Grid", "hyperparameter_ranges": {"x": IntegerParameter(1, 3)}},
            "only supports categorical",
        ),
        ({"hyperparameter_ranges": {"x": IntegerParameter(5, 1)}}, "greater than MaxValue"),
        ({"hyperparameter_ranges": {"lr": ContinuousParameter(0.0, 1.0, "Logarithmic")}}, "MinValue > 0"),
        ({"strategy": "Sideways"}, "enum value set"),
    ):
        with pytest.raises(InvalidArgument, match=phrase) as caught:
            tuner(**overrides).tune(unique("bad"), base_spec)
        assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="MaxNumberOfTrainingJobs, value: 0, valid min value: 1"):
        tuner(max_jobs=0).tune(unique("bad"), base_spec)  # botocore's own check, before any request
    with pytest.raises(InvalidArgument, match="both static and tuned"):
        tuner(hyperparameter_ranges={"rate": ContinuousParameter(0.1, 0.2)}).tune(unique("bad"), base_spec)
    with pytest.raises(InvalidArgument, match="length less than or equal to 32"):  # the service model's limit
        tuner().tune("a-name-that-is-far-too-long-for-tuning", base_spec)
    with pytest.raises(InvalidArgument, match="Hyperband strategy is not emulated"):
        tuner(strategy="Hyperband").tune(unique("band"), base_spec)
    name = unique("twice")
    tuner(hyperparameter_ranges={"x": CategoricalParameter([3])}, strategy="Grid").tune(name, base_spec)
    with pytest.raises(AlreadyExists):
        tuner(hyperparameter_ranges={"x": CategoricalParameter([3])}, strategy="Grid").tune(name, base_spec)


def test_bayesian_search_homes_in_on_the_optimum(provider: AWSProvider, base_spec: TrainingSpec) -> None:
    spec = TrainingSpec(**{**base_spec.__dict__, "hyperparameters": {"kind": "smooth"}})
    tuner = HyperparameterTuner(
        provider.models.trainer,
        objective_metric_name="validation:loss",
        objective_type="Minimize",
        metric_definitions=METRICS,
        hyperparameter_ranges={
            "x": ContinuousParameter(0.0, 6.0),
            "rate": ContinuousParameter(0.001, 0.1, "Logarithmic"),
        },
        strategy="Bayesian",
        max_jobs=8,
        max_parallel_jobs=1,
        random_seed=5,
    )
    job = tuner.tune(unique("bayes"), spec)
    assert job.status == "Completed" and len(job.trials) == 8
    explored = [t.objective_value for t in job.trials[:3]]  # the random start
    modelled = [t.objective_value for t in job.trials[3:]]
    assert all(v is not None for v in explored + modelled)
    assert min(modelled) < min(explored)  # type: ignore[type-var]  # the model found better points
    assert job.best is not None and job.best.objective_value is not None and job.best.objective_value < 0.5


def test_plain_boto3_tuning_job_runs_its_trials(
    provider: AWSProvider, base_spec: TrainingSpec, boto_client
) -> None:  # type: ignore[no-untyped-def]
    import time

    trainer = provider.models.trainer
    staged = trainer.training_request(
        TrainingSpec(**{**base_spec.__dict__, "name": unique("plain")}), metric_definitions=METRICS
    )
    definition = {k: v for k, v in staged.items() if k not in ("TrainingJobName", "HyperParameters")}
    definition["StaticHyperParameters"] = staged["HyperParameters"]
    sagemaker = boto_client("sagemaker")
    name = unique("plain")
    sagemaker.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Grid",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:loss"},
            "ResourceLimits": {"MaxParallelTrainingJobs": 2},
            "ParameterRanges": {"CategoricalParameterRanges": [{"Name": "x", "Values": ["2", "3"]}]},
        },
        TrainingJobDefinition=definition,
    )
    assert (
        sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
            "HyperParameterTuningJobStatus"
        ]
        == "InProgress"
    )
    deadline = time.monotonic() + 120
    while (d := sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))[
        "HyperParameterTuningJobStatus"
    ] == "InProgress":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"]["Completed"] == 2
    summaries = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
        "TrainingJobSummaries"
    ]
    assert sorted(s["TunedHyperParameters"]["x"] for s in summaries) == ["2", "3"]
    assert d["BestTrainingJob"]["TunedHyperParameters"] == {"x": "3"}
    best = sagemaker.describe_training_job(TrainingJobName=d["BestTrainingJob"]["TrainingJobName"])
    assert best["TuningJobArn"] == d["HyperParameterTuningJobArn"]


def test_bayesian_proposals_do_not_warn_on_a_noiseless_objective() -> None:
    """The GP's noise level reaching its bound is expected; no ConvergenceWarning may leak to the caller
    (in-process, the local cloud shares a notebook's output)."""
    import warnings

    from aws_ai_services.emulator.sagemaker_tuning.bayesian import next_point

    ranges = parse_ranges(
        parameter_ranges_request({"gamma": ContinuousParameter(0.001, 1000, scaling="Logarithmic")})
    )
    history = [
        ({"gamma": "0.0877"}, 0.8),
        ({"gamma": "0.008"}, 0.585),
        ({"gamma": "8.04"}, 0.7875),
        ({"gamma": "0.0752"}, 0.795),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proposal = next_point(ranges, history, maximize=True, seed=7, tried=len(history))
    assert [str(w.message) for w in caught] == []
    assert 0.001 <= float(proposal["gamma"]) <= 1000
