"""Cost Management's Query API as Microsoft's REST reference calls it: ActualCost grouped by a dimension.

azure-mgmt-costmanagement is not in this project's lock, so the query goes over REST with a
``DefaultAzureCredential`` token (``serverless/arm.py``); the answer keeps Cost Management's columns and rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from azure_ai_services.serverless.arm import arm_session, raise_for_azure, resource_manager

API_VERSION = "2023-03-01"
DOCS = "https://learn.microsoft.com/rest/api/cost-management/query/usage"


@dataclass(frozen=True)
class CostTable:
    """Cost Management's answer: ``columns`` (name, type) and ``rows`` in that order."""

    columns: list[dict[str, str]]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        """Each row as ``{column name: value}``."""
        names = [c["name"] for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def total(self) -> float:
        cost = self.columns[0]["name"]
        return float(sum(r[cost] for r in self.records()))


def query_body(
    group_by: list[str] | None = None,
    timeframe: str = "MonthToDate",
    time_period: tuple[datetime, datetime] | None = None,
    granularity: str | None = None,
    cost_type: str = "ActualCost",
) -> dict[str, Any]:
    """The request body Microsoft documents (``type``, ``timeframe``, ``dataset``)."""
    body: dict[str, Any] = {
        "type": cost_type,
        "timeframe": "Custom" if time_period else timeframe,
        "dataset": {
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": name} for name in group_by or []],
        },
    }
    if granularity:
        body["dataset"]["granularity"] = granularity
    if time_period:
        body["timePeriod"] = {"from": time_period[0].isoformat(), "to": time_period[1].isoformat()}
    return body


def query_costs(scope: str, body: dict[str, Any], session: Any = None) -> CostTable:
    """POST the query to ``{scope}/providers/Microsoft.CostManagement/query`` (a subscription or group)."""
    session = session or arm_session()
    url = f"{resource_manager()}{scope.rstrip('/')}/providers/Microsoft.CostManagement/query"
    answer = raise_for_azure(session.post(url, params={"api-version": API_VERSION}, json=body))
    return CostTable(list(answer["properties"]["columns"]), list(answer["properties"]["rows"]))
