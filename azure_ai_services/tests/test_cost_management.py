"""Cost Management over the wire: ActualCost of an Azure ML job the local cloud ran, grouped; errors."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

SUB, GROUP = "00000000-0000-0000-0000-000000000000", "rg-costs"


@pytest.fixture
def finished_job(azure_env: dict[str, str], tmp_path: Path) -> Any:
    """A command job on a Standard_DS3_v2 cluster in a westeurope group, run to completion."""
    from azure.ai.ml import MLClient, command
    from azure.ai.ml.entities import AmlCompute
    from azure.identity import DefaultAzureCredential
    from azure_ai_services.infrastructure.arm_templates import resource_client

    resource_client(SUB).resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    ml_client = MLClient(DefaultAzureCredential(), SUB, GROUP, "ws")
    ml_client.compute.begin_create_or_update(
        AmlCompute(name="cpu", size="STANDARD_DS3_V2", min_instances=0, max_instances=1)
    ).result()
    (tmp_path / "job.py").write_text("import time\ntime.sleep(1.5)\nprint('done')\n")
    job = command(
        code=str(tmp_path),
        command="python job.py",
        environment="AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
        compute="cpu",
    )
    name = ml_client.jobs.create_or_update(job).name
    deadline = time.monotonic() + 120
    while (found := ml_client.jobs.get(name)).status not in ("Completed", "Failed", "Canceled"):
        assert time.monotonic() < deadline, found.status
        time.sleep(0.5)
    assert found.status == "Completed"
    return found


def hours(job: Any) -> float:
    start = datetime.fromisoformat(job.properties["StartTimeUtc"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(job.properties["EndTimeUtc"].replace("Z", "+00:00"))
    return (end - start).total_seconds() / 3600


def test_actual_cost_of_a_job_by_resource_type_and_group(finished_job: Any) -> None:
    from azure_ai_services.infrastructure.cost_management import query_body, query_costs
    from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog

    expected = hours(finished_job) * AzurePriceCatalog.load().vm_hourly("Standard_DS3_v2", "westeurope")
    assert expected > 0
    by_type = query_costs(f"/subscriptions/{SUB}", query_body(["ResourceType"]))
    assert [c["name"] for c in by_type.columns] == ["Cost", "ResourceType", "Currency"]
    [row] = by_type.records()
    assert row["ResourceType"] == "microsoft.machinelearningservices/workspaces/computes"
    assert row["Currency"] == "USD" and row["Cost"] == pytest.approx(expected, rel=1e-6)
    by_group = query_costs(
        f"/subscriptions/{SUB}/resourceGroups/{GROUP}", query_body(["ResourceGroupName", "ServiceName"])
    )
    assert by_group.rows == [[pytest.approx(expected, rel=1e-6), GROUP, "Azure Machine Learning", "USD"]]
    daily = query_costs(f"/subscriptions/{SUB}", query_body(granularity="Daily"))
    assert daily.columns[1] == {"name": "UsageDate", "type": "Number"}
    assert sum(r[0] for r in daily.rows) == pytest.approx(expected, rel=1e-6)
    assert daily.rows[0][1] == int(datetime.now(timezone.utc).strftime("%Y%m%d")) or len(daily.rows) == 2
    other_group = query_costs(f"/subscriptions/{SUB}/resourceGroups/rg-other", query_body(["ResourceType"]))
    assert other_group.rows == []
    last_week = datetime.now(timezone.utc) - timedelta(days=7)
    before = query_costs(
        f"/subscriptions/{SUB}", query_body(time_period=(last_week, last_week + timedelta(days=1)))
    )
    assert before.rows == []
    half = query_costs(
        f"/subscriptions/{SUB}",
        query_body(
            time_period=(
                last_week,
                datetime.fromisoformat(finished_job.properties["StartTimeUtc"].replace("Z", "+00:00"))
                + timedelta(hours=hours(finished_job) / 2),
            )
        ),
    )
    assert half.total() == pytest.approx(expected / 2, rel=1e-3)


def test_bad_queries_answer_cost_management_errors(azure_env: dict[str, str]) -> None:
    from azure_ai_services.serverless.arm import arm_session

    session = arm_session()
    url = (
        f"{os.environ['CLOUDAI_AZURE_ENDPOINT']}/subscriptions/{SUB}/providers/Microsoft.CostManagement/query"
    )
    good = {"type": "ActualCost", "timeframe": "MonthToDate", "dataset": {}}

    def post(body: dict[str, Any], version: str = "2023-03-01") -> requests.Response:
        return session.post(
            url,
            params={"api-version": version},
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )

    assert post(good).json()["properties"]["rows"] == []
    for body, words in (
        ({**good, "type": "Forecast"}, "Invalid query type 'Forecast'"),
        ({**good, "timeframe": "Yesterday"}, "Invalid timeframe 'Yesterday'"),
        ({**good, "timeframe": "Custom"}, "needs timePeriod.from"),
        (
            {**good, "dataset": {"grouping": [{"type": "Dimension", "name": "Colour"}]}},
            "Invalid dataset grouping: 'Colour'",
        ),
        ({**good, "dataset": {"aggregation": {"t": {"name": "Cost", "function": "Avg"}}}}, "Sum"),
    ):
        answer = post(body)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "BadRequest", answer.text
        assert words in answer.json()["error"]["message"]
    old = post(good, "2019-01-01")
    assert old.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_functions_executions_are_priced(azure_env: dict[str, str], function_app_zip: Any) -> None:
    """Three HTTP calls to a function app: executions plus GB-seconds, bounded by what the client saw."""
    from azure_ai_services.infrastructure.cost_management import query_body, query_costs
    from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog
    from azure_ai_services.serverless.arm import arm_session

    session, group = arm_session(), "rg-costs-functions"
    base = azure_env["CLOUDAI_AZURE_ENDPOINT"]
    site_url = f"{base}/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Web/sites/fa-costs"
    created = session.put(
        site_url,
        params={"api-version": "2023-12-01"},
        json={"location": "eastus", "kind": "functionapp,linux"},
    )
    assert created.status_code == 201, created.text
    properties = created.json()["properties"]
    scm = next(s["name"] for s in properties["hostNameSslStates"] if s["hostType"] == "Repository")
    deployed = session.post(f"https://{scm}/api/zipdeploy", data=function_app_zip())
    assert deployed.ok, deployed.text
    key = session.post(f"{site_url}/host/default/listkeys", params={"api-version": "2023-12-01"}).json()
    seconds = []
    for _ in range(3):
        started = time.monotonic()
        answer = requests.get(
            f"https://{properties['defaultHostName']}/api/hello/Ada",
            headers={"x-functions-key": key["functionKeys"]["default"]},
            timeout=60,
        )
        assert answer.ok, answer.text
        seconds.append(time.monotonic() - started)
    catalog = AzurePriceCatalog.load()
    per_call = catalog.functions_execution("eastus")
    per_second = 0.125 * catalog.functions_gb_second("eastus")
    table = query_costs(
        f"/subscriptions/{SUB}/resourceGroups/{group}", query_body(["ResourceType", "ServiceName"])
    )
    [row] = table.records()
    assert (row["ResourceType"], row["ServiceName"]) == ("microsoft.web/sites", "Functions")
    lowest = 3 * (per_call + 0.1 * per_second)
    highest = 3 * per_call + sum(max(s, 0.1) for s in seconds) * per_second
    assert lowest <= row["Cost"] <= highest
