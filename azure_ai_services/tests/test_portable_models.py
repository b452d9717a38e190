"""AzureMLModelService: the ModelService conformance suite plus the Azure ML resources the adapter creates."""

from __future__ import annotations

import pytest
from azure_ai_services.client import AzureProvider
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import TrainingJob, TrainingSpec
from multi_cloud.testing.conformance.models import ModelConformance


@pytest.fixture
def provider(azure_env: dict[str, str]) -> AzureProvider:
    return AzureProvider()


class TestAzureModels(ModelConformance):
    def test_the_job_is_an_azure_ml_command_job(self, provider: AzureProvider, trained: TrainingJob) -> None:
        job = provider.models.client.jobs.get(trained.name)  # type: ignore[attr-defined]
        assert job.type == "command" and job.experiment_name == "cloudai-portable"
        assert "cloudai_script_mode.py" in job.command and "${{inputs.train}}" in job.command
        assert trained.native_status == "Completed"
        assert trained.model_artifact == f"azureml://jobs/{trained.name}/outputs/model/paths/"
        assert trained.metrics["train:samples"] > 0


def test_bad_specs_are_invalid_arguments(provider: AzureProvider) -> None:
    with pytest.raises(InvalidArgument, match="does not exist"):
        provider.models.train(TrainingSpec(name="nope", entry_point="/no/such/train.py"))
    with pytest.raises(InvalidArgument, match="identifiers"):
        provider.models.train(TrainingSpec(name="nope", entry_point=__file__, inputs={"my-data": "x"}))


def test_batch_prediction_without_csv_rows_fails_with_the_reason(provider: AzureProvider) -> None:
    from multi_cloud.core.types import JobState
    from multi_cloud.testing.conformance.models import _name

    bucket = _name("batch")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "in/readme.txt", b"no csv here")
    job = provider.models.batch_predict(
        "azureml://jobs/no-such-job/outputs/model/paths/",
        provider.storage.uri(bucket, "in/"),
        provider.storage.uri(bucket, "out/"),
    )
    assert job.state is JobState.FAILED and "no-such-job" in job.failure_reason, job.failure_reason
    assert list(provider.storage.list_objects(bucket, "out/")) == []
