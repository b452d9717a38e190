"""Resource Manager's ``projects.get`` (v3): the local cloud's projects, each with a stable project number.

The Vertex SDK looks up the project number before a pipeline run (to name the default compute service account
and to check who owns the pipeline root's bucket); the local project's number is derived from its id.
"""

from __future__ import annotations

import hashlib
from typing import Any

from multi_cloud.emulation.protocols.google.routing import GoogleRoutes

_EPOCH = "2024-01-01T00:00:00Z"


def project_number(project_id: str) -> str:
    """A 12-digit number that is the same for the same project id on every run."""
    digest = int(hashlib.sha256(project_id.encode()).hexdigest(), 16)
    return str(10**11 + digest % (9 * 10**11))


class ProjectsAPI:
    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("GET", "/v3/{name=projects/*}", self.get)
        return routes

    def get(self, request: Any, name: str) -> dict[str, Any]:
        given = name.split("/", 1)[1]
        project_id = given if not given.isdigit() else f"project-{given}"
        number = given if given.isdigit() else project_number(given)
        return {
            "name": f"projects/{number}",
            "projectId": project_id,
            "state": "ACTIVE",
            "displayName": project_id,
            "createTime": _EPOCH,
            "updateTime": _EPOCH,
            "etag": f'W/"{number}"',
        }
