"""Cost optimisation over the wire to moto: CloudWatch utilisation, SageMaker endpoints, Cost Explorer."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.infrastructure.cost_explorer import CostExplorerSpend, InventoryEstimate
from aws_ai_services.infrastructure.cost_optimization import (
    ENDPOINT_INSTANCE_NAMESPACE,
    ENDPOINT_INVOCATION_NAMESPACE,
    EndpointCostAdvisor,
    compare_training_options,
)
from aws_ai_services.infrastructure.costs import AWSCosts
from aws_ai_services.infrastructure.price_catalog import PriceCatalog
from aws_ai_services.session import aws_client
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import Usage
from multi_cloud.testing.conformance.costs import CostConformance

pytestmark = pytest.mark.usefixtures("clean_cloud")


def tiny_catalog() -> PriceCatalog:
    """A hand-made catalog so the arithmetic below is checkable by eye."""
    return PriceCatalog(
        {
            "as_of": "2000-01-01",
            "currency": "USD",
            "source": {},
            "regions": ["us-east-1"],
            "instances": {
                "ml.m5.large": {"family": "m5", "vcpu": 2, "memory_gib": 8, "gpus": 0},
                "ml.m5.xlarge": {"family": "m5", "vcpu": 4, "memory_gib": 16, "gpus": 0},
            },
            "sagemaker_training_hourly": {"us-east-1": {"ml.m5.xlarge": 1.0}},
            "sagemaker_realtime_inference_hourly": {"us-east-1": {"ml.m5.large": 0.5, "ml.m5.xlarge": 1.0}},
            "managed_spot_training": {
                "discount_by_family": {"m5": {"low": 0.5, "typical": 0.7, "high": 0.8}},
                "interruption_overhead": 0.1,
            },
            "machine_learning_savings_plans": {
                "hours_per_month": 730,
                "discount": {"1y": {"no_upfront": 0.25}, "3y": {"all_upfront": 0.5}},
            },
            "s3_standard_gb_month": {"us-east-1": 0.02},
            "lambda": {"gb_second": {"us-east-1": 0.00001}, "per_million_requests": {"us-east-1": 0.2}},
        }
    )


# ----------------------------------------------------------------------------- purchase options
def test_spot_wins_a_short_workload_and_savings_plans_need_high_utilisation() -> None:
    short = compare_training_options(
        "ml.m5.xlarge", hours_per_month=20, instance_count=2, catalog=tiny_catalog()
    )
    assert short.option("on-demand").monthly_cost == pytest.approx(40.0)  # 20 h x 2 x $1
    assert short.option("managed-spot").monthly_cost == pytest.approx(20 * 1.1 * 2 * 0.3)
    assert short.option("savings-plan-1y-no-upfront").monthly_cost == pytest.approx(730 * 2 * 0.75)
    assert short.cheapest.name == "managed-spot"
    assert short.option("savings-plan-3y-all-upfront").saving_vs_on_demand < 0  # dearer than on-demand
    assert short.savings_plan_break_even == pytest.approx(0.5)

    steady = compare_training_options("ml.m5.xlarge", hours_per_month=700, catalog=tiny_catalog())
    assert steady.utilisation == pytest.approx(700 / 730)
    assert steady.option("savings-plan-3y-all-upfront").monthly_cost == pytest.approx(365.0)
    assert steady.option("savings-plan-3y-all-upfront").saving_vs_on_demand == pytest.approx(
        1 - 365 / 700, abs=1e-4
    )


def test_shipped_catalog_is_dated_and_prices_regions_differently() -> None:
    catalog = PriceCatalog.load()
    assert catalog.as_of.startswith("2026-11")
    assert "copied" in catalog.source["method"] or "transcribed" in catalog.source["method"]
    us = catalog.hourly("ml.m5.large", use="inference", region="us-east-1")
    eu = catalog.hourly("ml.m5.large", use="inference", region="eu-west-1")
    assert 0 < us < eu
    ladder = [spec.name for spec in catalog.family_ladder("m5", "inference", "us-east-1")]
    assert ladder == ["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.m5.4xlarge"]


def test_unknown_names_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match="ml.m5.large") as caught:
        compare_training_options("ml.z9.huge", hours_per_month=10)
    assert "no training price" in caught.value.message
    with pytest.raises(InvalidArgument, match="exceeds"):
        compare_training_options("ml.m5.xlarge", hours_per_month=800)
    with pytest.raises(InvalidArgument, match="priced regions: us-east-1, eu-west-1"):
        PriceCatalog.load().hourly("ml.m5.large", use="training", region="ap-south-1")


# ----------------------------------------------------------------------------- CostService
def test_aws_costs_prices_usage_as_focus_records() -> None:
    costs = AWSCosts("aws", catalog=tiny_catalog())
    records = costs.estimate(
        [
            Usage("training", "ml.m5.xlarge", 3, "Hours", "us-east-1"),
            Usage("endpoint", "ml.m5.large", 730, "Hours"),
            Usage("storage", "GB-month", 50, "GB-Month"),
            Usage("functions", "GB-second", 400_000, "GB-Seconds"),
            Usage("functions", "Requests", 2_000_000, "Requests"),
        ]
    )
    assert [r.billed_cost for r in records] == pytest.approx([3.0, 365.0, 1.0, 4.0, 0.4])
    assert {r.service_name for r in records} == {
        "Amazon SageMaker",
        "Amazon Simple Storage Service",
        "AWS Lambda",
    }
    focus = records[0].to_focus()
    assert (
        focus["ProviderName"] == "aws" and focus["ListUnitPrice"] == 1.0 and focus["PricingUnit"] == "Hours"
    )
    assert focus["ChargePeriodStart"] < focus["ChargePeriodEnd"]
    assert records[1].region_id == "us-east-1"  # the settings' region when usage names none


def test_aws_costs_rejects_unknown_resource_types_and_units() -> None:
    costs = AWSCosts("aws")
    with pytest.raises(InvalidArgument) as caught:
        costs.estimate([Usage("training", "ml.z9.huge", 1, "Hours")])
    assert "Known:" in caught.value.message and "training/ml.m5.xlarge" in caught.value.message
    with pytest.raises(InvalidArgument, match="storage/GB-month"):
        costs.estimate([Usage("storage", "glacier", 1, "GB-Month")])
    with pytest.raises(InvalidArgument, match="priced per"):
        costs.estimate([Usage("endpoint", "ml.m5.large", 1, "Requests")])


class TestAWSCostConformance(CostConformance):
    priced_resource_type = "ml.m5.xlarge"

    @pytest.fixture
    def provider(self) -> AWSProvider:
        return AWSProvider()


# ----------------------------------------------------------------------------- live endpoints
def make_endpoint(name: str, instance_type: str, count: int = 1) -> None:
    """An InService endpoint: the local cloud serves only models whose artifact it can load."""
    sagemaker = aws_client("sagemaker")
    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/cloudai-sagemaker",
        PrimaryContainer={
            "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1",
            "ModelDataUrl": model_artifact(),
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": f"{name}-model",
                "InstanceType": instance_type,
                "InitialInstanceCount": count,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def model_artifact() -> str:
    """A tiny scikit-learn model as model.tar.gz in S3 (created once per test's fresh cloud)."""
    import io
    import tarfile

    import joblib
    from sklearn.dummy import DummyClassifier

    s3 = aws_client("s3")
    if "cost-models" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        model = io.BytesIO()
        joblib.dump(DummyClassifier().fit([[0.0], [1.0]], [0, 1]), model)
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            info = tarfile.TarInfo("model.joblib")
            info.size = len(model.getvalue())
            tar.addfile(info, io.BytesIO(model.getvalue()))
        s3.create_bucket(Bucket="cost-models")
        s3.put_object(Bucket="cost-models", Key="model.tar.gz", Body=archive.getvalue())
    return "s3://cost-models/model.tar.gz"


def put_metric(endpoint: str, metric: str, values: list[float], *, namespace: str) -> None:
    """One datapoint per 5 minutes, ending a minute ago."""
    now = datetime.now(timezone.utc)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": "primary"},
            ],
            "Timestamp": now - timedelta(minutes=1 + 5 * i),
            "Value": value,
        }
        for i, value in enumerate(values)
    ]
    aws_client("cloudwatch").put_metric_data(Namespace=namespace, MetricData=data)


def test_right_sizing_reads_cloudwatch_and_applies_the_thresholds() -> None:
    make_endpoint("quiet", "ml.m5.xlarge", count=2)
    make_endpoint("busy", "ml.m5.xlarge")
    make_endpoint("silent", "ml.m5.xlarge")
    make_endpoint("small", "ml.m5.large")
    # SageMaker sums CPU over cores: 4 vCPUs report up to 400 %
    put_metric("quiet", "CPUUtilization", [40, 60, 50, 30], namespace=ENDPOINT_INSTANCE_NAMESPACE)
    put_metric("quiet", "MemoryUtilization", [30, 35], namespace=ENDPOINT_INSTANCE_NAMESPACE)
    put_metric("busy", "CPUUtilization", [300, 340, 380], namespace=ENDPOINT_INSTANCE_NAMESPACE)
    put_metric("small", "CPUUtilization", [10, 20], namespace=ENDPOINT_INSTANCE_NAMESPACE)
    advisor = EndpointCostAdvisor(catalog=tiny_catalog())

    (quiet,) = advisor.right_size("quiet", hours=2)
    assert quiet.action == "downsize" and quiet.recommended_instance == "ml.m5.large"
    assert quiet.cpu.average == pytest.approx(45 / 4) and quiet.cpu.maximum == pytest.approx(15.0)
    assert quiet.memory is not None and quiet.memory.maximum == pytest.approx(35.0)
    assert quiet.monthly_saving == pytest.approx((1.0 - 0.5) * 2 * 730)

    (busy,) = advisor.right_size("busy", hours=2)
    assert busy.action == "keep"  # would upsize, but ml.m5.xlarge is the largest size in this catalog
    assert "largest" in busy.reason and busy.cpu.average == pytest.approx(85.0)

    (silent,) = advisor.right_size("silent", hours=2)
    assert silent.action == "insufficient-data" and silent.recommended_instance == "ml.m5.xlarge"

    (small,) = advisor.right_size("small", hours=2)
    assert small.action == "keep" and "smallest" in small.reason


def test_upsize_with_the_shipped_catalog() -> None:
    make_endpoint("hot", "ml.c5.xlarge")
    put_metric(
        "hot", "CPUUtilization", [240, 380], namespace=ENDPOINT_INSTANCE_NAMESPACE
    )  # 72.5 % avg of 4 vCPU
    (hot,) = EndpointCostAdvisor().right_size("hot", hours=1)
    assert hot.action == "upsize" and hot.recommended_instance == "ml.c5.2xlarge"
    assert hot.monthly_saving < 0


def test_idle_endpoints_have_no_invocations_in_the_window() -> None:
    make_endpoint("used", "ml.m5.large")
    make_endpoint("forgotten", "ml.m5.xlarge", count=3)
    put_metric("used", "Invocations", [5, 0, 7], namespace=ENDPOINT_INVOCATION_NAMESPACE)
    idle = EndpointCostAdvisor(catalog=tiny_catalog()).find_idle(hours=24, min_age_hours=0)
    assert [e.endpoint_name for e in idle] == ["forgotten"]
    assert idle[0].instance_count == 3 and idle[0].monthly_cost == pytest.approx(3 * 1.0 * 730)
    assert EndpointCostAdvisor().find_idle(hours=24, min_age_hours=1) == []  # too new to judge


# ----------------------------------------------------------------------------- Cost Explorer
def test_cost_explorer_without_data_falls_back_to_a_catalog_estimate() -> None:
    make_endpoint("live", "ml.m5.large", count=2)
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="cost-data")
    s3.put_object(Bucket="cost-data", Key="blob", Body=b"x" * 1_048_576)
    today = date.today()
    report = CostExplorerSpend(catalog=tiny_catalog()).spend_by_service(today, today + timedelta(days=1))
    assert report.source == "catalog-estimate" and "no data" in report.note
    assert set(report.by_service()) == {"Amazon SageMaker", "Amazon Simple Storage Service"}

    created = aws_client("sagemaker").describe_endpoint(EndpointName="live")["CreationTime"]
    estimate = InventoryEstimate(catalog=tiny_catalog()).estimate(
        today - timedelta(days=1), today + timedelta(days=2), now=created + timedelta(hours=10)
    )
    (endpoint,) = [r for r in estimate.records if r.service_name == "Amazon SageMaker"]
    assert endpoint.pricing_quantity == pytest.approx(20.0, abs=0.01)  # 10 h x 2 instances
    assert endpoint.billed_cost == pytest.approx(10.0, abs=0.01)
    (bucket,) = [r for r in estimate.records if r.resource_id == "arn:aws:s3:::cost-data"]
    assert bucket.pricing_quantity == pytest.approx(1 / 1024 * 10 / 730, rel=0.01)


def test_cost_explorer_results_are_parsed_per_service(clean_cloud: Any) -> None:
    """moto tracks no spend; its results queue stands in for billing data, to test the parser on the wire."""
    results = {
        "results": [
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"},
                        "Total": {},
                        "Groups": [
                            {
                                "Keys": ["Amazon SageMaker"],
                                "Metrics": {
                                    "UnblendedCost": {"Amount": "12.5", "Unit": "USD"},
                                    "UsageQuantity": {"Amount": "25", "Unit": "Hrs"},
                                },
                            },
                            {
                                "Keys": ["Amazon Simple Storage Service"],
                                "Metrics": {"UnblendedCost": {"Amount": "0.75", "Unit": "USD"}},
                            },
                        ],
                        "Estimated": False,
                    }
                ]
            }
        ]
    }
    request = urllib.request.Request(
        f"{os.environ['AWS_ENDPOINT_URL']}/moto-api/static/ce/cost-and-usage-results",
        data=json.dumps(results).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201
    report = CostExplorerSpend().spend_by_service(date(2026, 11, 1), date(2026, 11, 2))
    assert report.source == "cost-explorer"
    assert report.by_service() == {"Amazon SageMaker": 12.5, "Amazon Simple Storage Service": 0.75}
    sagemaker = report.records[0]
    assert sagemaker.pricing_quantity == 25 and sagemaker.list_unit_price == pytest.approx(0.5)
    with pytest.raises(InvalidArgument, match="must be after"):
        CostExplorerSpend().spend_by_service(date(2026, 11, 2), date(2026, 11, 2))
