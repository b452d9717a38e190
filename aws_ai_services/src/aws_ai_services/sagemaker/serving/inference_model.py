"""SageMaker Model resources: a trained artifact plus the scikit-learn serving image and handler code."""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import NotFound
from multi_cloud.core.settings import Settings
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.images import sklearn_image_uri
from aws_ai_services.sagemaker.scripts import SERVE_SKLEARN
from aws_ai_services.sagemaker.training.source_code import pack_source
from aws_ai_services.storage.s3 import S3Storage


def serving_code_uri(settings: Settings, model_name: str) -> str:
    return f"s3://{settings.aws.artifact_bucket}/{model_name}/source/sourcedir.tar.gz"


def create_inference_model(
    client: Any, storage: S3Storage, settings: Settings, model_name: str, artifact: str
) -> None:
    """``CreateModel`` for ``artifact`` with the handler the real sklearn container needs (``model_fn``)."""
    code_uri = serving_code_uri(settings, model_name)
    storage.ensure_bucket(settings.aws.artifact_bucket)
    bucket, key = split_uri(code_uri, scheme="s3")
    storage.put_object(bucket, key, pack_source(SERVE_SKLEARN), content_type="application/x-gzip")
    with aws_errors("models.create_model"):
        client.create_model(
            ModelName=model_name,
            ExecutionRoleArn=settings.aws.sagemaker_role_arn,
            PrimaryContainer={
                "Image": sklearn_image_uri(settings.aws.region),
                "ModelDataUrl": artifact,
                "Environment": {
                    "SAGEMAKER_PROGRAM": SERVE_SKLEARN.name,
                    "SAGEMAKER_SUBMIT_DIRECTORY": code_uri,
                    "SAGEMAKER_REGION": settings.aws.region,
                    "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
                },
            },
        )


def check_artifact(storage: S3Storage, artifact: str, *, provider: str = "aws", operation: str = "") -> None:
    """HeadObject on a model artifact, so that a wrong URI is reported before anything is created."""
    bucket, key = split_uri(artifact, scheme="s3")
    try:
        storage.head_object(bucket, key)
    except NotFound as exc:
        raise NotFound(
            f"model artifact {artifact} does not exist; train a model first or check the URI",
            provider=provider,
            operation=operation,
            cause=exc,
        ) from exc


def model_artifact(client: Any, model_name: str) -> str:
    """The ``ModelDataUrl`` of a SageMaker model."""
    with aws_errors("models.describe_model"):
        description = client.describe_model(ModelName=model_name)
    url: str = description.get("PrimaryContainer", {}).get("ModelDataUrl", "")
    if not url:
        raise NotFound(f"SageMaker model {model_name!r} has no ModelDataUrl (no trained artifact to serve)")
    return url


def delete_inference_model(client: Any, storage: S3Storage, settings: Settings, model_name: str) -> None:
    """Delete the model and its uploaded handler code; a model already gone is fine."""
    try:
        with aws_errors("models.delete_model"):
            client.delete_model(ModelName=model_name)
    except NotFound:
        pass
    bucket, key = split_uri(serving_code_uri(settings, model_name), scheme="s3")
    try:
        storage.delete_object(bucket, key)
    except NotFound:
        pass
