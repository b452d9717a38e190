"""EndpointJanitor on a shared account: only endpoints with the given name prefix and tags are touched."""

from __future__ import annotations

import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
from aws_ai_services.sagemaker.teardown import EndpointJanitor
from multi_cloud.emulation.jobs.script_mode import pack_model_dir


@pytest.fixture(scope="module")
def archive() -> bytes:
    """A logistic-regression iris model as model.tar.gz bytes, fitted once for the module."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(LogisticRegression(max_iter=300).fit(data.data, data.target), Path(work) / "model.joblib")
        return pack_model_dir(Path(work))


def test_janitor_acts_only_on_endpoints_with_the_given_prefix_and_tags(
    provider: AWSProvider, archive: bytes, boto_client
) -> None:  # type: ignore[no-untyped-def]
    bucket = f"teardown-{uuid.uuid4().hex[:6]}"
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "model.tar.gz", archive)
    deployer = SageMakerDeployer(provider.storage)
    prefix = f"lesson-{uuid.uuid4().hex[:4]}"
    mine, untagged, look_alike = f"{prefix}-idle", f"{prefix}-untagged", f"other-{prefix}-idle"
    sagemaker = boto_client("sagemaker")
    for name in (mine, untagged, look_alike):  # look_alike contains the prefix but does not start with it
        arn = sagemaker.describe_endpoint(
            EndpointName=deployer.deploy(f"s3://{bucket}/model.tar.gz", name).name
        )["EndpointArn"]
        if name != untagged:
            sagemaker.add_tags(
                ResourceArn=arn,
                Tags=[{"Key": "course", "Value": "cloud-ai"}, {"Key": "owner", "Value": name}],
            )
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    janitor = EndpointJanitor(deployer)

    def found(**filters: object) -> set[str]:
        return {
            f.name for f in janitor.find_forgotten(older_than_hours=1, idle_hours=3, now=later, **filters)
        }

    assert {mine, untagged, look_alike} <= found()  # no filter: every endpoint of the account
    assert found(name_prefix=prefix) == {mine, untagged}
    assert found(tags={"course": "cloud-ai"}) == {mine, look_alike}
    assert found(name_prefix=prefix, tags={"course": "cloud-ai"}) == {mine}
    assert found(tags={"course": "cloud-ai", "owner": look_alike}) == {look_alike}  # every tag must match
    assert found(tags={"course": "another-course"}) == set()

    report = janitor.delete_forgotten(
        older_than_hours=1, idle_hours=3, now=later, name_prefix=prefix, tags={"course": "cloud-ai"}
    )
    assert report.endpoints == (mine,) and report.models == (mine,)
    remaining = {e.name for e in deployer.list_endpoints()}
    assert mine not in remaining and {untagged, look_alike} <= remaining
