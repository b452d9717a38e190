"""Google API exceptions map to multi_cloud errors by one table; ``code`` keeps Google's status."""

from __future__ import annotations

import pytest
from gcp_ai_services.errors import ERROR_CLASSES, google_errors, map_google_error
from google.api_core import exceptions as gx
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


@pytest.mark.parametrize(
    ("exception", "expected", "status"),
    [
        (gx.NotFound("no such model"), NotFound, "NOT_FOUND"),
        (gx.BadRequest("bad"), InvalidArgument, "INVALID_ARGUMENT"),
        (gx.Conflict("exists"), AlreadyExists, "ALREADY_EXISTS"),
        (gx.Forbidden("no"), PermissionDenied, "PERMISSION_DENIED"),
        (gx.Unauthorized("who"), PermissionDenied, "UNAUTHENTICATED"),
        (gx.TooManyRequests("slow down"), Throttled, "RESOURCE_EXHAUSTED"),
        (gx.ServiceUnavailable("down"), Unavailable, "UNAVAILABLE"),
        (gx.MethodNotImplemented("nope"), Unsupported, "UNIMPLEMENTED"),
        (gx.FailedPrecondition("not ready"), InvalidArgument, "FAILED_PRECONDITION"),
    ],
)
def test_exceptions_map_by_status(exception: Exception, expected: type[CloudError], status: str) -> None:
    mapped = map_google_error(exception)
    assert isinstance(mapped, expected) and mapped.code == status


def test_every_canonical_code_has_a_class() -> None:
    from multi_cloud.emulation.protocols.google.errors import CANONICAL

    assert set(CANONICAL) - {"OK"} == set(ERROR_CLASSES)


def test_the_block_fills_provider_operation_and_cause() -> None:
    with pytest.raises(NotFound) as caught, google_errors("storage.get_object"):
        raise gx.NotFound("No such object: b/k")
    assert (caught.value.provider, caught.value.operation) == ("gcp", "storage.get_object")
    assert isinstance(caught.value.cause, gx.NotFound)


def test_other_exceptions_pass_through() -> None:
    assert map_google_error(KeyError("x")) is None
