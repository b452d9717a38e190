"""AWSModelService: the portable ModelService capability over SageMaker training, endpoints and transform."""

from __future__ import annotations

from collections.abc import Sequence

from multi_cloud.core.base import ModelService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import (
    BatchPredictionJob,
    Endpoint,
    JobState,
    Prediction,
    TrainingJob,
    TrainingSpec,
)

from aws_ai_services.sagemaker.batch_transform import BatchTransformer
from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
from aws_ai_services.sagemaker.training_jobs import SageMakerTrainer
from aws_ai_services.storage.s3 import S3Storage


class AWSModelService(ModelService):
    """Delegates to :class:`SageMakerTrainer`, :class:`SageMakerDeployer` and :class:`BatchTransformer`."""

    def __init__(self, provider: str, storage: S3Storage, settings: Settings | None = None) -> None:
        super().__init__(provider)
        settings = settings or get_settings()
        self.trainer = SageMakerTrainer(storage, settings, provider=provider)
        self.deployer = SageMakerDeployer(storage, settings, provider=provider)
        self.transformer = BatchTransformer(storage, settings, provider=provider)

    def train(self, spec: TrainingSpec) -> TrainingJob:
        return self.trainer.train(spec)

    def get_training_job(self, name: str) -> TrainingJob:
        return self.trainer.get_training_job(name)

    def deploy(self, job_or_artifact: TrainingJob | str, endpoint_name: str) -> Endpoint:
        if isinstance(job_or_artifact, TrainingJob):
            if job_or_artifact.state is not JobState.SUCCEEDED or not job_or_artifact.model_artifact:
                raise InvalidArgument(
                    f"training job {job_or_artifact.name!r} is {job_or_artifact.status}; only a Completed "
                    "job has a model to deploy (see its failure_reason, fix the script and train again)",
                    provider=self.provider,
                    operation="models.deploy",
                )
            artifact = job_or_artifact.model_artifact
        else:
            artifact = job_or_artifact
        return self.deployer.deploy(artifact, endpoint_name)

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction:
        return self.deployer.predict(endpoint_name, instances)

    def batch_predict(
        self, model_artifact: str, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        return self.transformer.transform(model_artifact, input_uri, output_uri, job_name=job_name)

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.deployer.delete_endpoint(endpoint_name)

    def list_endpoints(self) -> list[Endpoint]:
        return self.deployer.list_endpoints()
