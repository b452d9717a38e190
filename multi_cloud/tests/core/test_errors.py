"""The error hierarchy and SDK error mapping."""

import pytest
from multi_cloud.core.errors import (
    CloudError,
    InvalidArgument,
    NotFound,
    Throttled,
    Unavailable,
    error_for_status,
    mapped_errors,
)


def test_mapped_errors_translates_and_keeps_the_cause():
    def mapper(exc):
        return NotFound("no such thing") if isinstance(exc, KeyError) else None

    with pytest.raises(NotFound) as info:
        with mapped_errors("demo", "get_thing", mapper):
            raise KeyError("x")
    err = info.value
    assert (err.provider, err.operation) == ("demo", "get_thing")
    assert isinstance(err.cause, KeyError)
    assert str(err) == "[demo.get_thing] no such thing"


def test_mapped_errors_lets_unmapped_exceptions_through():
    with pytest.raises(ZeroDivisionError):
        with mapped_errors("demo", "op", lambda exc: None):
            1 / 0  # noqa: B018


def test_cloud_errors_raised_inside_get_provider_and_operation():
    with pytest.raises(InvalidArgument) as info:
        with mapped_errors("demo", "op", lambda exc: None):
            raise InvalidArgument("bad")
    assert info.value.provider == "demo" and info.value.operation == "op"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, InvalidArgument), (404, NotFound), (429, Throttled), (503, Unavailable), (418, CloudError)],
)
def test_error_for_status(status, cls):
    assert type(error_for_status(status, "m")) is cls


def test_the_provider_code_travels_with_the_error():
    def mapper(exc):
        return NotFound("gone", code="NoSuchKey") if isinstance(exc, KeyError) else None

    with pytest.raises(NotFound) as info:
        with mapped_errors("demo", "get", mapper):
            raise KeyError("k")
    assert info.value.code == "NoSuchKey"
    assert error_for_status(409, "m", code="Conflict").code == "Conflict"
    assert CloudError("ours").code == ""
