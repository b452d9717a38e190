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


def test_azure_scheme_channels_and_outputs_are_blob_urls(provider: AzureProvider) -> None:
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
    from multi_cloud.testing.conformance.models import IRIS_ROWS, _name

    bucket = _name("scheme")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "iris/train.csv", iris_csv(), content_type="text/csv")
    spec = TrainingSpec(
        name=_name("job"),
        entry_point=str(SKLEARN_CLASSIFIER),
        hyperparameters={"n-estimators": 5},
        inputs={"train": f"azure://{bucket}/iris/"},
    )
    job = provider.models.train(spec)
    assert job.metrics["train:samples"] == 150, job.failure_reason
    rows = "".join(",".join(map(str, row)) + "\n" for row in IRIS_ROWS).encode()
    provider.storage.put_object(bucket, "in/rows.csv", rows)
    batch = provider.models.batch_predict(
        job.model_artifact, f"azure://{bucket}/in/", f"azure://{bucket}/out/"
    )
    assert batch.records == len(IRIS_ROWS) and batch.output_uri.endswith(f"/{bucket}/out/predictions.csv")
    with pytest.raises(InvalidArgument, match="names no container"):
        provider.models.batch_predict(job.model_artifact, "azure:///in/", f"azure://{bucket}/out/")
