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

        return AWSModelService(self.name, self.service("storage"), self.settings)

    def _make_vision(self) -> Any:
        from aws_ai_services.ai_services.vision_service import AWSVision

        return AWSVision(self.name, self.settings)

    def _make_language(self) -> Any:
        from aws_ai_services.ai_services.language_service import AWSLanguage

        return AWSLanguage(self.name, self.settings)

    def _make_speech(self) -> Any:
        from aws_ai_services.ai_services.speech_service import AWSSpeech

        return AWSSpeech(self.name, self.settings)

    def _make_costs(self) -> Any:
        from aws_ai_services.infrastructure.costs import AWSCosts

        return AWSCosts(self.name, self.settings)

    def _make_functions(self) -> Any:
        from aws_ai_services.serverless.lambda_functions import AWSFunctions

        return AWSFunctions(self.name, self.settings)

    def health(self) -> Health:
        """Whether S3 (ListBuckets) and SageMaker (ListTrainingJobs) answer."""
        probes: dict[str, tuple[str, dict[str, Any]]] = {
            "s3": ("list_buckets", {}),
            "sagemaker": ("list_training_jobs", {"MaxResults": 1}),
        }
        checks: dict[str, bool] = {}
        problems: list[str] = []
        for service, (operation, arguments) in probes.items():
            try:
                with aws_errors(f"health.{service}"):
                    getattr(aws_client(service, self.settings), operation)(**arguments)
                checks[service] = True
            except CloudError as exc:
                checks[service] = False
                problems.append(f"{service}: {exc}")
        where = "local cloud" if self.settings.mode == "local" else f"AWS {self.settings.aws.region}"
        detail = f"{where}: all services answer" if not problems else "; ".join(problems)
        return Health(provider=self.name, ok=not problems, detail=detail, checks=checks)
