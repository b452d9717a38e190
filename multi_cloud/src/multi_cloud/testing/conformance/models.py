"""Conformance tests for ModelService: real training, serving, batch prediction and failures."""

from __future__ import annotations

import uuid

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import NotFound
from multi_cloud.core.types import EndpointState, JobState, TrainingJob, TrainingSpec
from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv

IRIS_ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]
IRIS_CLASSES = [0, 2, 1]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def upload_training_data(provider: CloudProvider) -> str:
    bucket = _name("train")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "iris/train.csv", iris_csv(), content_type="text/csv")
    return provider.storage.uri(bucket, "iris/")


class ModelConformance:
    """Mix in and provide a ``provider`` fixture."""

    @pytest.fixture
    def trained(self, provider: CloudProvider) -> TrainingJob:
        spec = TrainingSpec(
            name=_name("job"),
            entry_point=str(SKLEARN_CLASSIFIER),
            hyperparameters={"n-estimators": 20},
            inputs={"train": upload_training_data(provider)},
        )
        return provider.models.train(spec)

    def test_training_really_runs_and_reports(self, provider: CloudProvider, trained: TrainingJob) -> None:
        assert trained.state is JobState.SUCCEEDED, trained.failure_reason
        assert trained.native_status, "the provider's own status word is kept"
        assert trained.model_artifact
        assert 0.8 < trained.metrics["validation:accuracy"] <= 1.0
        again = provider.models.get_training_job(trained.name)
        assert again.state is JobState.SUCCEEDED and again.native_status == trained.native_status
        assert again.model_artifact == trained.model_artifact

    def test_deployed_model_predicts_from_the_artifact(
        self, provider: CloudProvider, trained: TrainingJob
    ) -> None:
        endpoint = provider.models.deploy(trained, _name("ep"))
        assert endpoint.state is EndpointState.READY
        assert endpoint.name in {e.name for e in provider.models.list_endpoints()}
        prediction = provider.models.predict(endpoint.name, IRIS_ROWS)
        assert [int(v) for v in prediction.values] == IRIS_CLASSES
        provider.models.delete_endpoint(endpoint.name)
        assert endpoint.name not in {e.name for e in provider.models.list_endpoints()}
        with pytest.raises(NotFound):
            provider.models.predict(endpoint.name, IRIS_ROWS)

    def test_batch_prediction_writes_one_line_per_row(
        self, provider: CloudProvider, trained: TrainingJob
    ) -> None:
        bucket = _name("batch")
        provider.storage.create_bucket(bucket)
        rows = "\n".join(",".join(str(v) for v in row) for row in IRIS_ROWS) + "\n"
        provider.storage.put_object(bucket, "in/rows.csv", rows.encode(), content_type="text/csv")
        job = provider.models.batch_predict(
            trained.model_artifact, provider.storage.uri(bucket, "in/"), provider.storage.uri(bucket, "out/")
        )
        assert job.state is JobState.SUCCEEDED, job.failure_reason
        assert job.records == len(IRIS_ROWS)
        outputs = [o for o in provider.storage.list_objects(bucket, "out/")]
        assert outputs, "batch prediction wrote nothing"
        lines = provider.storage.get_object(bucket, outputs[0].key).decode().split()
        assert [int(float(v)) for v in lines] == IRIS_CLASSES

    def test_failing_script_reports_failed_with_its_error(self, provider: CloudProvider) -> None:
        spec = TrainingSpec(
            name=_name("bad"),
            entry_point=str(SKLEARN_CLASSIFIER),
            hyperparameters={"fail": "true"},
            inputs={"train": upload_training_data(provider)},
        )
        job = provider.models.train(spec)
        assert job.state is JobState.FAILED
        assert "failed on purpose" in job.failure_reason
        assert provider.models.get_training_job(spec.name).state is JobState.FAILED

    def test_unknown_job_and_endpoint_raise_not_found(self, provider: CloudProvider) -> None:
        with pytest.raises(NotFound):
            provider.models.get_training_job(_name("missing"))
        with pytest.raises(NotFound):
            provider.models.predict(_name("missing"), IRIS_ROWS)
