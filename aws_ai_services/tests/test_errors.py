"""botocore exceptions map to the multi_cloud hierarchy, from real wire errors and every listed code."""

from __future__ import annotations

import pytest
from aws_ai_services.errors import ERROR_CLASSES, WORDED_CODES, aws_errors, map_aws_error
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
)
from multi_cloud.core.errors import (
    AlreadyExists,
    CloudError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Throttled,
    Unavailable,
    Unsupported,
)


def _client_error(code: str, message: str = "m", status: int = 400) -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "Operation")  # type: ignore[arg-type]


def test_wire_errors_from_moto_map_to_not_found(boto_client) -> None:  # type: ignore[no-untyped-def]
    s3, sagemaker = boto_client("s3"), boto_client("sagemaker")
    s3.create_bucket(Bucket="errors-bucket")
    for call in (
        lambda: s3.get_object(Bucket="no-such-bucket-here", Key="k"),
        lambda: s3.get_object(Bucket="errors-bucket", Key="missing"),
        lambda: s3.head_object(Bucket="errors-bucket", Key="missing"),
        lambda: sagemaker.describe_training_job(TrainingJobName="missing"),
        lambda: sagemaker.describe_endpoint(EndpointName="missing"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        mapped = map_aws_error(caught.value)
        assert isinstance(mapped, NotFound), caught.value
        assert mapped.code == caught.value.response["Error"]["Code"]


def test_wire_error_through_the_context_manager_keeps_where_and_cause(boto_client) -> None:  # type: ignore[no-untyped-def]
    s3 = boto_client("s3")
    with pytest.raises(NotFound) as caught, aws_errors("storage.get_object"):
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    assert str(caught.value).startswith("[aws.storage.get_object] NoSuchBucket:")
    assert "no-such-bucket-here" in str(caught.value)
    assert isinstance(caught.value.cause, ClientError)
    assert caught.value.code == "NoSuchBucket"


@pytest.mark.parametrize(
    ("code", "message", "status", "expected"),
    [
        ("NoSuchKey", "gone", 404, NotFound),
        ("404", "Not Found", 404, NotFound),
        ("BucketAlreadyOwnedByYou", "yours", 409, AlreadyExists),
        ("BucketAlreadyExists", "taken", 409, AlreadyExists),
        ("ResourceInUse", "in use", 400, AlreadyExists),
        ("ValidationException", "Could not find model 'x'", 400, NotFound),
        ("ValidationException", "Cannot create already existing endpoint", 400, AlreadyExists),
        ("ValidationException", "1 validation error detected", 400, InvalidArgument),
        ("ValidationError", "Stack with id s does not exist", 400, NotFound),
        ("ClientException", "Object already exists", 400, AlreadyExists),
        ("ClientException", "JobQueue q not found", 400, NotFound),
        ("InvalidParameterValue", "A compute environment with this name already exists", 400, AlreadyExists),
        ("InvalidParameterValue", "Instance type c5.enormous does not exist", 400, InvalidArgument),
        ("ClusterNotFoundException", "Cluster not found.", 400, NotFound),
        ("RepositoryNotEmptyException", "has images", 400, InvalidArgument),
        ("StateMachineDoesNotExist", "no", 400, NotFound),
        ("ExecutionAlreadyExists", "twice", 400, AlreadyExists),
        ("ResourceConflictException", "exists", 409, AlreadyExists),
        ("InvalidRuntimeException", "python2.7", 400, Unsupported),
        ("InvalidParameterValue", "bad", 400, InvalidArgument),
        ("BucketNotEmpty", "not empty", 409, InvalidArgument),
        ("AccessDenied", "no", 403, PermissionDenied),
        ("UnrecognizedClientException", "token", 400, PermissionDenied),
        ("ExpiredToken", "old", 400, PermissionDenied),
        ("ThrottlingException", "slow down", 400, Throttled),
        ("SlowDown", "slow down", 503, Throttled),
        ("ServiceUnavailable", "down", 503, Unavailable),
        ("SomethingNew", "teapot", 418, CloudError),
        ("SomethingNew", "conflict", 409, AlreadyExists),
    ],
)
def test_client_error_codes(code: str, message: str, status: int, expected: type[CloudError]) -> None:
    mapped = map_aws_error(_client_error(code, message, status))
    assert type(mapped) is expected
    assert mapped is not None and code in mapped.message and mapped.code == code


def test_transport_and_credential_errors() -> None:
    unavailable = map_aws_error(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert isinstance(unavailable, Unavailable)
    assert "cloudai local status" in unavailable.message
    denied = map_aws_error(NoCredentialsError())
    assert isinstance(denied, PermissionDenied)
    assert "aws configure" in denied.message
    assert isinstance(map_aws_error(ParamValidationError(report="Bucket is required")), InvalidArgument)
    assert map_aws_error(KeyError("not botocore")) is None


def test_wording_decides_only_for_generic_codes() -> None:
    """A specific code wins whatever its message says; only the generic ones are read."""
    assert type(map_aws_error(_client_error("AccessDenied", "bucket not found"))) is PermissionDenied
    assert (
        type(map_aws_error(_client_error("InvalidParameterCombination", "already exists"))) is InvalidArgument
    )
    assert WORDED_CODES.keys() <= ERROR_CLASSES.keys()


def test_client_side_errors_carry_the_botocore_name_as_code() -> None:
    mapped = map_aws_error(ParamValidationError(report="Bucket is required"))
    assert mapped is not None and mapped.code == "ParamValidationError"
