"""AWSProvider: the AWS services composed behind the multi-cloud provider interface."""

from __future__ import annotations

from typing import Any

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import aws_client


class AWSProvider(CloudProvider):
    """Amazon Web Services through boto3: S3 storage and SageMaker models (more capabilities follow).

    In local mode (the default) every client talks to the local cloud (moto); set
    ``CLOUDAI_MODE=cloud`` to use your AWS account with the same code.
    """

    name = "aws"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def _make_storage(self) -> Any:
        from aws_ai_services.storage.s3 import S3Storage

        return S3Storage(self.name, self.settings)

    def _make_models(self) -> Any:
        from aws_ai_services.sagemaker.model_service import AWSModelService

        return AWSModelService(self.name, self.storage, self.settings)  # type: ignore[arg-type]

    def health(self) -> Health:
        """Whether S3 (ListBuckets) and SageMaker (ListTrainingJobs) answer."""
        probes = {
            "s3": ("s3", lambda client: client.list_buckets()),
            "sagemaker": ("sagemaker", lambda client: client.list_training_jobs(MaxResults=1)),
        }
        checks: dict[str, bool] = {}
        problems: list[str] = []
        for check, (service, probe) in probes.items():
            try:
                with aws_errors(f"health.{check}"):
                    probe(aws_client(service, self.settings))
                checks[check] = True
            except CloudError as exc:
                checks[check] = False
                problems.append(f"{check}: {exc}")
        where = "local cloud" if self.settings.mode == "local" else f"AWS {self.settings.aws.region}"
        detail = f"{where}: all services answer" if not problems else "; ".join(problems)
        return Health(provider=self.name, ok=not problems, detail=detail, checks=checks)
