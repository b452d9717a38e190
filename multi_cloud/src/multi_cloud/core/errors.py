"""One error hierarchy for every provider, with a helper to map SDK exceptions into it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class CloudError(Exception):
    """Base of every error this project raises on purpose.

    ``provider`` and ``operation`` say where it happened; ``code`` is the provider's own error code
    ("ValidationException", "NoSuchBucket", "NOT_FOUND", ...) or "" when the error is ours; ``cause``
    keeps the original SDK error. Branch on the class, or on ``code``; never on the message.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        operation: str = "",
        code: str = "",
        cause: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.operation = operation
        self.code = code
        self.cause = cause

    def __str__(self) -> str:
        where = ".".join(part for part in (self.provider, self.operation) if part)
        return f"[{where}] {self.message}" if where else self.message


class NotFound(CloudError):
    """The named resource does not exist."""


class AlreadyExists(CloudError):
    """A resource with that name already exists."""


class PermissionDenied(CloudError):
    """Credentials are missing, invalid, or lack the permission."""


class InvalidArgument(CloudError):
    """The request itself is wrong: bad input, bad format, over a limit."""


class Throttled(CloudError):
    """The service asked us to slow down."""


class Unavailable(CloudError):
    """The service (or local backend) cannot be reached or is failing."""


class Unsupported(CloudError):
    """The provider does not offer this operation; the message says why."""


class ConfigurationError(CloudError):
    """Settings or environment are wrong; the message names the fix."""


class MissingDependency(ConfigurationError):
    """An optional package or system engine is not installed; the message gives the install command."""


ErrorMapper = Callable[[BaseException], "CloudError | None"]


@contextmanager
def mapped_errors(provider: str, operation: str, mapper: ErrorMapper) -> Iterator[None]:
    """Translate SDK exceptions raised inside the block with ``mapper``.

    ``mapper`` returns a :class:`CloudError` (re-raised with provider, operation and cause filled in;
    it sets ``code`` itself) or ``None`` to let the original exception through.
    """
    try:
        yield
    except CloudError as err:
        err.provider = err.provider or provider
        err.operation = err.operation or operation
        raise
    except Exception as exc:  # noqa: BLE001 - translated or re-raised below
        mapped = mapper(exc)
        if mapped is None:
            raise
        mapped.provider = provider
        mapped.operation = operation
        mapped.cause = exc
        raise mapped from exc


def error_for_status(status: int, message: str, *, code: str = "") -> CloudError:
    """Map an HTTP status code to the matching error class (shared by every REST SDK mapper)."""
    by_status: dict[int, type[CloudError]] = {
        400: InvalidArgument,
        401: PermissionDenied,
        403: PermissionDenied,
        404: NotFound,
        409: AlreadyExists,
        413: InvalidArgument,
        415: InvalidArgument,
        422: InvalidArgument,
        429: Throttled,
        501: Unsupported,
    }
    cls = by_status.get(status, Unavailable if status >= 500 else CloudError)
    return cls(message, code=code)
