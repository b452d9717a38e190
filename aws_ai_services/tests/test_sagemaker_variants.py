"""Endpoints with several production variants: weighted A/B routing, metrics, autoscaling, teardown."""

from __future__ import annotations

import json
import random
import tempfile
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
from aws_ai_services.sagemaker.serving.autoscaling import EndpointAutoscaling
from aws_ai_services.sagemaker.serving.endpoint_config import ServerlessConfig, VariantSpec
from aws_ai_services.sagemaker.teardown import EndpointJanitor
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.emulation.jobs.script_mode import pack_model_dir
from multi_cloud.emulation.serving.traffic_split import choose_variant

SETOSA = [5.1, 3.5, 1.4, 0.2]
VIRGINICA = [6.7, 3.0, 5.2, 2.3]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def archives() -> dict[str, bytes]:
    """Two different iris models as model.tar.gz bytes, fitted once for the module."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    models = {
        "logistic": LogisticRegression(max_iter=500).fit(data.data, data.target),
        "always-one": DummyClassifier(strategy="constant", constant=1).fit(data.data, data.target),
    }
    packed = {}
    for name, model in models.items():
        with tempfile.TemporaryDirectory() as work:
            joblib.dump(model, Path(work) / "model.joblib")
            packed[name] = pack_model_dir(Path(work))
    return packed


@pytest.fixture
def artifacts(provider: AWSProvider, archives: dict[str, bytes]) -> dict[str, str]:
    bucket = unique("models")
    provider.storage.create_bucket(bucket)
    for name, archive in archives.items():
        provider.storage.put_object(bucket, f"{name}/model.tar.gz", archive)
    return {name: f"s3://{bucket}/{name}/model.tar.gz" for name in archives}


@pytest.fixture
def deployer(provider: AWSProvider) -> SageMakerDeployer:
    return SageMakerDeployer(provider.storage)


def _ab(deployer: SageMakerDeployer, artifacts: dict[str, str], name: str, weights=(3.0, 1.0)):  # type: ignore[no-untyped-def]
    return deployer.deploy_variants(
        name,
        [
            VariantSpec("A", artifacts["logistic"], weight=weights[0]),
            VariantSpec("B", artifacts["always-one"], weight=weights[1], instance_count=2),
        ],
    )


def test_weighted_routing_is_proportional_and_reproducible() -> None:
    weights = {"A": 3.0, "B": 1.0, "C": 0.0}
    rng = random.Random(42)
    picks = Counter(choose_variant(weights, rng) for _ in range(8000))
    assert picks["C"] == 0
    assert picks["A"] / 8000 == pytest.approx(0.75, abs=0.02)
    first, second = random.Random(5), random.Random(5)
    assert [choose_variant(weights, first) for _ in range(50)] == [
        choose_variant(weights, second) for _ in range(50)
    ]
    assert choose_variant(weights, rng, target="C") == "C"  # TargetVariant wins, even at weight 0


def test_ab_endpoint_splits_traffic_and_publishes_per_variant_metrics(
    provider: AWSProvider, deployer: SageMakerDeployer, artifacts: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    name = unique("ab")
    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    endpoint = _ab(deployer, artifacts, name)
    assert (endpoint.status, endpoint.model_name) == ("InService", f"{name}-A")
    config = boto_client("sagemaker").describe_endpoint_config(EndpointConfigName=name)
    assert [
        (v["VariantName"], v["ModelName"], v["InitialVariantWeight"]) for v in config["ProductionVariants"]
    ] == [
        ("A", f"{name}-A", 3.0),
        ("B", f"{name}-B", 1.0),
    ]
    served = Counter()
    for _ in range(40):
        prediction = deployer.predict(name, [VIRGINICA])
        served[prediction.variant] += 1
        # each variant's own model answers: logistic says 2 (virginica), the constant model says 1
        assert prediction.values == ((2,) if prediction.variant == "A" else (1,))
        assert prediction.model == f"{name}-{prediction.variant}"
    assert served["A"] > served["B"] > 0
    forced = deployer.predict(name, [SETOSA, VIRGINICA], target_variant="B")
    assert (forced.variant, forced.values) == ("B", (1, 1))
    served["B"] += 1

    cloudwatch = boto_client("cloudwatch")
    end = datetime.now(timezone.utc) + timedelta(minutes=1)
    for variant in ("A", "B"):
        dimensions = [{"Name": "EndpointName", "Value": name}, {"Name": "VariantName", "Value": variant}]
        stats = cloudwatch.get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName="Invocations",
            Dimensions=dimensions,
            StartTime=started,
            EndTime=end,
            Period=3600,
            Statistics=["Sum"],
        )
        assert sum(p["Sum"] for p in stats["Datapoints"]) == served[variant]
        latency = cloudwatch.get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName="ModelLatency",
            Dimensions=dimensions,
            StartTime=started,
            EndTime=end,
            Period=3600,
            Statistics=["Average", "SampleCount"],
        )["Datapoints"]
        assert latency and latency[0]["Unit"] == "Microseconds" and latency[0]["Average"] > 0
        assert sum(p["SampleCount"] for p in latency) == served[variant]
    per_instance = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="InvocationsPerInstance",
        Dimensions=[{"Name": "EndpointName", "Value": name}, {"Name": "VariantName", "Value": "B"}],
        StartTime=started,
        EndTime=end,
        Period=3600,
        Statistics=["Sum"],
    )["Datapoints"]
    assert sum(p["Sum"] for p in per_instance) == pytest.approx(served["B"] / 2)  # B runs two instances


def test_update_weights_shifts_all_traffic_and_bad_weights_are_refused(
    provider: AWSProvider, deployer: SageMakerDeployer, artifacts: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    name = unique("shift")
    _ab(deployer, artifacts, name)
    variants = deployer.update_weights(name, {"A": 0.0, "B": 5.0})
    assert [(v.name, v.weight, v.instance_count) for v in variants] == [("A", 0.0, 1), ("B", 5.0, 2)]
    live = boto_client("sagemaker").describe_endpoint(EndpointName=name)["ProductionVariants"]
    assert {v["VariantName"]: v["CurrentWeight"] for v in live} == {"A": 0.0, "B": 5.0}
    assert {deployer.predict(name, [SETOSA]).variant for _ in range(15)} == {"B"}

    with pytest.raises(InvalidArgument, match="must be greater than 0 so that some variant") as caught:
        deployer.update_weights(name, {"B": 0.0})  # A is at 0 already: the service refuses
    assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="DesiredWeight, value: -1.0, valid min value: 0") as refused:
        deployer.update_weights(name, {"A": -1.0})  # botocore checks model minimums before sending
    assert isinstance(refused.value.cause, ParamValidationError)
    with pytest.raises(InvalidArgument, match="not present within endpoint configuration") as caught:
        deployer.update_weights(name, {"C": 1.0})
    assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="not a production variant") as caught:
        deployer.predict(name, [SETOSA], target_variant="C")
    with pytest.raises(NotFound, match="Could not find endpoint") as missing:
        deployer.update_weights("no-such-endpoint", {"A": 1.0})
    assert missing.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(NotFound, match="Endpoint no-such-endpoint of account .* not found") as missing:
        deployer.predict("no-such-endpoint", [SETOSA])
    assert missing.value.cause.response["Error"]["Code"] == "ValidationError"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="its own name"):
        deployer.deploy_variants(unique("dup"), [VariantSpec("A", artifacts["logistic"])] * 2)


def test_serverless_variant_is_configured_and_serves(
    provider: AWSProvider, deployer: SageMakerDeployer, artifacts: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    name = unique("serverless")
    deployer.deploy(
        artifacts["logistic"], name, serverless=ServerlessConfig(memory_size_mb=3072, max_concurrency=8)
    )
    variant = boto_client("sagemaker").describe_endpoint_config(EndpointConfigName=name)[
        "ProductionVariants"
    ][0]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 8}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert deployer.predict(name, [SETOSA, VIRGINICA]).values == (0, 2)
    assert deployer.describe_variants(name)[0].serverless
    for config, phrase in (
        (
            ServerlessConfig(1500, 5),
            "serverlessConfig.memorySizeInMB' failed to satisfy constraint: Member must be",
        ),
        (
            ServerlessConfig(2048, 500),
            "serverlessConfig.maxConcurrency' failed to satisfy constraint: Member must",
        ),
    ):
        with pytest.raises(InvalidArgument, match=phrase) as caught:
            deployer.deploy(artifacts["logistic"], unique("bad"), serverless=config)
        assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="is serverless"):
        EndpointAutoscaling().enable(name, "AllTraffic")


def test_autoscaling_policy_is_stored_and_read_back(
    provider: AWSProvider, deployer: SageMakerDeployer, artifacts: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    name = unique("scaled")
    _ab(deployer, artifacts, name)
    autoscaling = EndpointAutoscaling()
    setup = autoscaling.enable(name, "A", min_capacity=1, max_capacity=5, invocations_per_instance=120.0)
    assert (setup.min_capacity, setup.max_capacity, setup.target_invocations_per_instance) == (1, 5, 120.0)
    client = boto_client("application-autoscaling")
    target = client.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"][0]
    assert (target["ResourceId"], target["ScalableDimension"]) == (
        f"endpoint/{name}/variant/A",
        "sagemaker:variant:DesiredInstanceCount",
    )
    policy = client.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"][0]
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PolicyType"] == "TargetTrackingScaling" and policy["PolicyARN"] == setup.policy_arn
    assert (
        tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
        == "SageMakerVariantInvocationsPerInstance"
    )
    assert (tracking["TargetValue"], tracking["ScaleInCooldown"], tracking["ScaleOutCooldown"]) == (
        120.0,
        300,
        60,
    )
    assert autoscaling.describe(name, "A") == setup
    assert autoscaling.describe(name, "B") is None
    with pytest.raises(InvalidArgument, match="not part of endpoint") as caught:
        autoscaling.enable(name, "Z")
    assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(InvalidArgument, match="Minimum capacity cannot be greater than maximum capacity"):
        autoscaling.enable(name, "B", min_capacity=3, max_capacity=2)
    assert autoscaling.disable(name, "A") and autoscaling.describe(name, "A") is None


def test_forgotten_endpoints_are_found_and_torn_down_with_everything_they_hold(
    provider: AWSProvider, deployer: SageMakerDeployer, artifacts: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    busy, idle = unique("busy"), unique("idle")
    deployer.deploy(artifacts["logistic"], busy)
    _ab(deployer, artifacts, idle)
    EndpointAutoscaling().enable(idle, "A")
    deployer.predict(busy, [SETOSA])
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    janitor = EndpointJanitor(deployer)
    assert janitor.find_forgotten(now=later) == []  # both are younger than the 24 h default
    forgotten = janitor.find_forgotten(older_than_hours=1, idle_hours=3, now=later)
    assert [(f.name, f.invocations) for f in forgotten] == [(idle, 0)]
    assert "no invocations in the last 3 h" in forgotten[0].reason
    assert janitor.delete_forgotten(older_than_hours=1, idle_hours=3, now=later, dry_run=True).deleted == ()

    report = janitor.delete_forgotten(older_than_hours=1, idle_hours=3, now=later)
    assert report.endpoints == (idle,) and report.endpoint_configs == (idle,)
    assert report.models == (f"{idle}-A", f"{idle}-B")
    assert report.deregistered_targets == (f"endpoint/{idle}/variant/A",)
    sagemaker = boto_client("sagemaker")
    for call in (
        lambda: sagemaker.describe_endpoint(EndpointName=idle),
        lambda: sagemaker.describe_endpoint_config(EndpointConfigName=idle),
        lambda: sagemaker.describe_model(ModelName=f"{idle}-A"),
        lambda: sagemaker.describe_model(ModelName=f"{idle}-B"),
    ):
        with pytest.raises(sagemaker.exceptions.ClientError):
            call()
    assert (
        boto_client("application-autoscaling").describe_scalable_targets(ServiceNamespace="sagemaker")[
            "ScalableTargets"
        ]
        == []
    )
    assert [e.name for e in deployer.list_endpoints()] == [busy]
    old_only = janitor.find_forgotten(older_than_hours=1, idle_hours=None, now=later)
    assert [(f.name, f.invocations) for f in old_only] == [(busy, None)]


def _refusal(call, **arguments) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ValidationException",
        400,
    )
    return str(error["Error"]["Message"])


def test_plain_boto3_endpoint_requests_are_validated_by_the_local_cloud(boto_client) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    unchecked = boto_client("sagemaker", config=Config(parameter_validation=False))
    variant = {"VariantName": "A", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    name = unique("config")
    assert _refusal(
        sagemaker.create_endpoint_config, EndpointConfigName=name, ProductionVariants=[variant] * 2
    ) == ("Each production variant needs its own name; used more than once: A")
    capture = {
        "InitialSamplingPercentage": 150,
        "DestinationS3Uri": "s3://bucket/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    assert _refusal(
        sagemaker.create_endpoint_config,
        EndpointConfigName=name,
        ProductionVariants=[variant],
        DataCaptureConfig=capture,
    ) == (
        "1 validation error detected: Value '150' at 'dataCaptureConfig.initialSamplingPercentage' failed to "
        "satisfy constraint: Member must have value less than or equal to 100"
    )
    negative = {**variant, "VariantName": "bad_name", "InitialVariantWeight": -1.0}
    assert _refusal(
        unchecked.create_endpoint_config, EndpointConfigName=name, ProductionVariants=[negative]
    ) == (
        "2 validation errors detected: Value 'bad_name' at 'productionVariants.1.member.variantName' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; "
        "Value '-1.0' at 'productionVariants.1.member.initialVariantWeight' failed to satisfy constraint: "
        "Member must have value greater than or equal to 0"
    )
    with pytest.raises(ClientError, match="Could not find endpoint configuration"):
        sagemaker.describe_endpoint_config(EndpointConfigName=name)  # nothing was created


def test_plain_boto3_autoscaling_requests_are_validated_by_the_local_cloud(boto_client) -> None:  # type: ignore[no-untyped-def]
    autoscaling = boto_client("application-autoscaling")
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/nowhere/variant/A",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    message = _refusal(autoscaling.register_scalable_target, **target, MinCapacity=1, MaxCapacity=2)
    assert message == "The endpoint 'nowhere' does not exist in this account and region"
    assert _refusal(autoscaling.register_scalable_target, **target, MinCapacity=3, MaxCapacity=2).startswith(
        "Minimum capacity cannot be greater than maximum capacity"
    )
    assert "Member must satisfy enum value set: [ecs, elasticmapreduce" in _refusal(
        autoscaling.register_scalable_target,
        **{**target, "ServiceNamespace": "sagemakr"},
        MinCapacity=1,
        MaxCapacity=2,
    )
    assert autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"{not json", "SerializationException", "the request body is not valid JSON"),
        (b"[1, 2]", "SerializationException", "the request body must be a JSON object"),
        (b'{"EndpointConfigName": "c", "ProductionVariants": "A"}', "SerializationException", "STRING_VALUE"),
        (
            b'{"EndpointConfigName": 5, "ProductionVariants": []}',
            "SerializationException",
            "NUMBER_VALUE can not be converted to a String (at 'endpointConfigName')",
        ),
        (
            b'{"ProductionVariants": [{"ModelName": "m"}]}',
            "ValidationException",
            "2 validation errors detected: Value null at 'endpointConfigName' failed to satisfy constraint: "
            "Member must not be null; Value null at 'productionVariants.1.member.variantName' failed to "
            "satisfy constraint: Member must not be null",
        ),
    ],
)
def test_raw_malformed_requests_get_a_4xx_in_aws_shape(
    clean_cloud, body: bytes, code: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request

    headers = {"X-Amz-Target": "SageMaker.CreateEndpointConfig", "Content-Type": "application/x-amz-json-1.1"}
    headers["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sagemaker/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )
    request = urllib.request.Request(clean_cloud.env()["AWS_ENDPOINT_URL"], data=body, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the loopback local cloud
    answer = caught.value
    assert answer.code == 400 and answer.headers["x-amzn-ErrorType"] == code
    error = json.loads(answer.read())
    assert error["__type"] == code and error["message"].startswith(message)
