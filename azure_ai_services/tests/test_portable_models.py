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
