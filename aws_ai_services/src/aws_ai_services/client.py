"""AWSProvider: the AWS services composed behind the multi-cloud provider interface."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from multi_cloud.core.base import Capabilities, CloudProvider
from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import aws_client

if TYPE_CHECKING:  # the service modules import boto3; each factory imports its own on first use
    from aws_ai_services.ai_services.language_service import AWSLanguage
    from aws_ai_services.ai_services.speech_service import AWSSpeech
    from aws_ai_services.ai_services.vision_service import AWSVision
    from aws_ai_services.infrastructure.costs import AWSCosts
    from aws_ai_services.sagemaker.model_service import AWSModelService
    from aws_ai_services.serverless.events_service import AWSEvents
    from aws_ai_services.serverless.lambda_functions import AWSFunctions
    from aws_ai_services.storage.s3 import S3Storage


class AWSProvider(CloudProvider):
    """Amazon Web Services through boto3: every capability but translation.

    In local mode (the default) every client talks to the local cloud (moto); set
    ``CLOUDAI_MODE=cloud`` to use your AWS account with the same code.
    """

    name = "aws"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def capabilities(self) -> Capabilities:
        """S3, SageMaker, Rekognition, Comprehend, Polly + Lex, Lambda, EventBridge and the price list."""
        return Capabilities(
            storage=self._storage,
            models=self._models,
            vision=self._vision,
            language=self._language,
            speech=self._speech,
            functions=self._functions,
            events=self._events,
            costs=self._costs,
        )

    def _storage(self) -> S3Storage:
        return self._s3

    @cached_property
    def _s3(self) -> S3Storage:
        """The S3 storage service, shared by the models service (which stages data and artifacts in S3)."""
        from aws_ai_services.storage.s3 import S3Storage

        return S3Storage(self.name, self.settings)

    def _models(self) -> AWSModelService:
        from aws_ai_services.sagemaker.model_service import AWSModelService

        return AWSModelService(self.name, self._s3, self.settings)

    def _vision(self) -> AWSVision:
        from aws_ai_services.ai_services.vision_service import AWSVision

        return AWSVision(self.name, self.settings)

    def _language(self) -> AWSLanguage:
        from aws_ai_services.ai_services.language_service import AWSLanguage

        return AWSLanguage(self.name, self.settings)

    def _speech(self) -> AWSSpeech:
        from aws_ai_services.ai_services.speech_service import AWSSpeech

        return AWSSpeech(self.name, self.settings)

    def _functions(self) -> AWSFunctions:
        from aws_ai_services.serverless.lambda_functions import AWSFunctions

        return AWSFunctions(self.name, self.settings)

    def _events(self) -> AWSEvents:
        from aws_ai_services.serverless.events_service import AWSEvents

        return AWSEvents(self.name, self.settings)

    def _costs(self) -> AWSCosts:
        from aws_ai_services.infrastructure.costs import AWSCosts

        return AWSCosts(self.name, self.settings)

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
        if problems:
            detail = "; ".join(problems)
        else:  # the clients were created, so the endpoint they reached is known
            detail = f"{aws_client('s3', self.settings).meta.endpoint_url}: all services answer"
        return Health(provider=self.name, ok=not problems, detail=detail, checks=checks)
