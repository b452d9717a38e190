"""Databricks' REST error body, ``{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response


class DatabricksError(Exception):
    """An error answer: HTTP status, Databricks ``error_code`` and message (the SDK raises by error_code)."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message


def invalid(message: str) -> DatabricksError:
    return DatabricksError(400, "INVALID_PARAMETER_VALUE", message)


def not_found(message: str) -> DatabricksError:
    return DatabricksError(404, "RESOURCE_DOES_NOT_EXIST", message)


def already_exists(message: str) -> DatabricksError:
    return DatabricksError(409, "RESOURCE_ALREADY_EXISTS", message)


def invalid_state(message: str) -> DatabricksError:
    return DatabricksError(400, "INVALID_STATE", message)


def json_response(body: Any, status: int = 200) -> Response:
    from werkzeug.wrappers import Response

    return Response(json.dumps(body), status=status, content_type="application/json")


def error_response(error: DatabricksError) -> Response:
    return json_response({"error_code": error.error_code, "message": error.message}, error.status)
