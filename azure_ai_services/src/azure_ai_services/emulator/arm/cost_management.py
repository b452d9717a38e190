"""``POST {scope}/providers/Microsoft.CostManagement/query``: ActualCost of what the local cloud ran."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.arm.usage import UsageLine, UsageMeter, catalog, parse_time

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

PROVIDER = "Microsoft.CostManagement"
API_VERSIONS = ("2023-03-01", "2023-11-01", "2024-08-01", "2025-03-01")
TYPES = ("ActualCost", "AmortizedCost", "Usage")
TIMEFRAMES = (
    "MonthToDate",
    "BillingMonthToDate",
    "TheLastMonth",
    "TheLastBillingMonth",
    "WeekToDate",
    "Custom",
)
#: grouping dimension -> the usage line's value (Cost Management reports these lower-case)
DIMENSIONS = {
    "ResourceGroupName": lambda line: line.group.lower(),
    "ResourceGroup": lambda line: line.group.lower(),
    "ResourceType": lambda line: line.resource_type,
    "ResourceId": lambda line: line.resource_id.lower(),
    "ServiceName": lambda line: line.service,
    "Meter": lambda line: line.meter,
    "SubscriptionId": lambda line: line.subscription,
}


def routes(meter: UsageMeter) -> AzureRoutes:
    table = AzureRoutes(api_versions=API_VERSIONS)
    query = CostQuery(meter)
    table.add("POST", f"/subscriptions/{{sub}}/providers/{PROVIDER}/query", query.answer)
    table.add(
        "POST", f"/subscriptions/{{sub}}/resourceGroups/{{rg}}/providers/{PROVIDER}/query", query.answer
    )
    return table


def bad(message: str) -> AzureError:
    return AzureError(400, "BadRequest", message)


def period(timeframe: str, body: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    month = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    if timeframe in ("MonthToDate", "BillingMonthToDate"):
        return month, now
    if timeframe in ("TheLastMonth", "TheLastBillingMonth"):
        previous = (month - timedelta(days=1)).replace(day=1)
        return previous, month
    if timeframe == "WeekToDate":
        start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        return start, now
    window = body.get("timePeriod") or {}
    try:
        since, until = parse_time(str(window.get("from") or "")), parse_time(str(window.get("to") or ""))
    except ValueError:
        since = until = None
    if since is None or until is None:
        raise bad("timeframe 'Custom' needs timePeriod.from and timePeriod.to (ISO 8601 date-times).")
    if until <= since:
        raise bad("timePeriod.to must be after timePeriod.from.")
    if until - since > timedelta(days=366):
        raise bad("The time period for pulling the data cannot exceed 1 year.")
    return since, until


def bucket(granularity: Any, start: datetime) -> tuple[Any, ...]:
    """The row's time column: ``UsageDate`` (20261203) daily, ``BillingMonth`` monthly, none otherwise."""
    if granularity == "Daily":
        return (int(start.strftime("%Y%m%d")),)
    if granularity == "Monthly":
        return (start.strftime("%Y-%m-01T00:00:00"),)
    return ()


class CostQuery:
    def __init__(self, meter: UsageMeter) -> None:
        self.meter = meter

    def answer(self, request: Request, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        kind, timeframe = body.get("type"), body.get("timeframe")
        if kind not in TYPES:
            raise bad(f"Invalid query type '{kind}'; use one of: {', '.join(TYPES)}.")
        if timeframe not in TIMEFRAMES:
            raise bad(f"Invalid timeframe '{timeframe}'; use one of: {', '.join(TIMEFRAMES)}.")
        dataset = body.get("dataset") or {}
        granularity = dataset.get("granularity")
        if granularity not in (None, "None", "Daily", "Monthly"):
            raise bad(f"Invalid granularity '{granularity}'; use 'Daily', 'Monthly' or none.")
        aggregation = dataset.get("aggregation") or {"totalCost": {"name": "Cost", "function": "Sum"}}
        if len(aggregation) != 1:
            raise bad(
                "This query supports one aggregation: {'totalCost': {'name': 'Cost', 'function': 'Sum'}}."
            )
        spec = next(iter(aggregation.values()))
        if (spec or {}).get("function") != "Sum" or spec.get("name") not in ("Cost", "PreTaxCost", "CostUSD"):
            raise bad("The aggregation must be the Sum of 'Cost', 'PreTaxCost' or 'CostUSD'.")
        groups = [str(g.get("name")) for g in dataset.get("grouping") or []]
        unknown = [g for g in groups if g not in DIMENSIONS]
        if unknown or len(groups) > 2:
            raise bad(
                f"Invalid dataset grouping: '{', '.join(unknown) or groups}'; up to two of: "
                f"{', '.join(DIMENSIONS)}."
            )
        since, until = period(str(timeframe), body, datetime.now(timezone.utc))
        lines = [line for line in self.meter.lines() if self._in_scope(line, bound)]
        totals: dict[tuple[Any, ...], float] = defaultdict(float)
        for line in lines:
            for bucket_start, bucket_end in self._buckets(granularity, since, until, line):
                cost = line.cost(bucket_start, bucket_end)
                if cost:
                    dimensions = tuple(DIMENSIONS[g](line) for g in groups)
                    totals[bucket(granularity, bucket_start) + dimensions] += cost
        columns = [{"name": str(spec["name"]), "type": "Number"}]
        if granularity == "Daily":
            columns.append({"name": "UsageDate", "type": "Number"})
        elif granularity == "Monthly":
            columns.append({"name": "BillingMonth", "type": "Datetime"})
        columns += [{"name": g, "type": "String"} for g in groups] + [{"name": "Currency", "type": "String"}]
        currency = catalog().currency
        rows = [[cost, *key, currency] for key, cost in sorted(totals.items(), key=lambda kv: kv[0])]
        query_id = str(uuid.uuid4())
        scope = request.path.split(f"/providers/{PROVIDER}", 1)[0]
        return {
            "id": f"{scope}/providers/{PROVIDER}/query/{query_id}",
            "name": query_id,
            "type": f"{PROVIDER}/query",
            "location": None,
            "sku": None,
            "eTag": None,
            "properties": {"nextLink": None, "columns": columns, "rows": rows},
        }

    @staticmethod
    def _in_scope(line: UsageLine, bound: dict[str, str]) -> bool:
        if line.subscription.lower() != bound["sub"].lower():
            return False
        return "rg" not in bound or line.group.lower() == bound["rg"].lower()

    @staticmethod
    def _buckets(
        granularity: Any, since: datetime, until: datetime, line: UsageLine
    ) -> list[tuple[datetime, datetime]]:
        if granularity not in ("Daily", "Monthly"):
            return [(since, until)]
        buckets: list[tuple[datetime, datetime]] = []
        cursor = max(since, line.start).replace(hour=0, minute=0, second=0, microsecond=0)
        if granularity == "Monthly":
            cursor = cursor.replace(day=1)
        last = min(until, max(line.end, line.start + timedelta(microseconds=1)))
        while cursor < last:
            if granularity == "Daily":
                following = cursor + timedelta(days=1)
            else:
                following = (cursor + timedelta(days=32)).replace(day=1)
            buckets.append((max(cursor, since), min(following, until)))
            cursor = following
        return buckets
