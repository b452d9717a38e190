"""The Azure AI services' error bodies: ``{"error": {"code", "message", "innererror": {...}}}``."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError


class ServiceError(AzureError):
    """An AzureError whose body carries the data-plane ``innererror`` (``InvalidImageFormat``, ...)."""

    def __init__(self, status: int, code: str, message: str, *, inner_code: str = "") -> None:
        super().__init__(status, code, message)
        self.inner_code = inner_code

    def error(self) -> dict[str, Any]:
        body = super().error()
        if self.inner_code:
            body["innererror"] = {"code": self.inner_code, "message": self.message}
        return body


def invalid_request(inner_code: str, message: str) -> ServiceError:
    """400 ``InvalidRequest`` with the specific reason as ``innererror.code``, as Vision and Language send."""
    return ServiceError(400, "InvalidRequest", message, inner_code=inner_code)


def not_computed(feature: str, reason: str) -> AzureError:
    """501 ``NotImplemented``: the real service offers ``feature``; the local emulator cannot compute it."""
    return AzureError(501, "NotImplemented", f"the local emulator does not compute {feature}: {reason}")
