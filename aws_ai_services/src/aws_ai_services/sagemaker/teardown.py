"""Find forgotten endpoints (old, or idle in CloudWatch) and delete them with everything they hold.

An endpoint bills for every instance-hour whether or not anyone calls it: the classic surprise on a
learner's bill. An endpoint is *forgotten* when it meets every criterion given: at least
``older_than_hours`` old (so a fresh endpoint is never caught), and no ``Invocations`` (CloudWatch
``AWS/SageMaker``, all variants) during the last ``idle_hours``. Deleting one removes the endpoint, its
endpoint config, its models (and their uploaded handler code), and deregisters its autoscaling targets.
On a shared account, narrow the search to what you own: ``name_prefix`` (the endpoint name starts with
it) and ``tags`` (the endpoint carries every one of these tags, read with ``ListTags`` on its ARN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from multi_cloud.core.errors import InvalidArgument

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.model_deployment import DeletedEndpoint, SageMakerDeployer
from aws_ai_services.sagemaker.serving.autoscaling import EndpointAutoscaling
from aws_ai_services.sagemaker.serving.endpoint_metrics import EndpointMetrics


@dataclass(frozen=True)
class ForgottenEndpoint:
    name: str
    created: datetime
    age_hours: float
    invocations: int | None  # over the idle window; None when idleness was not checked
    reason: str


@dataclass(frozen=True)
class TeardownReport:
    """What was (or, in a dry run, would be) deleted."""

    forgotten: tuple[ForgottenEndpoint, ...]
    deleted: tuple[DeletedEndpoint, ...]
    deregistered_targets: tuple[str, ...]
    dry_run: bool

    @property
    def endpoints(self) -> tuple[str, ...]:
        return tuple(d.endpoint for d in self.deleted)

    @property
    def endpoint_configs(self) -> tuple[str, ...]:
        return tuple(d.endpoint_config for d in self.deleted)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(model for d in self.deleted for model in d.models)


class EndpointJanitor:
    """Lists endpoints nobody uses and tears them down."""

    def __init__(self, deployer: SageMakerDeployer) -> None:
        self.deployer = deployer
        self.metrics = EndpointMetrics(deployer.settings)
        self.autoscaling = EndpointAutoscaling(deployer.settings)

    def find_forgotten(
        self,
        *,
        older_than_hours: float | None = 24.0,
        idle_hours: float | None = 24.0,
        now: datetime | None = None,
        name_prefix: str = "",
        tags: Mapping[str, str] | None = None,
    ) -> list[ForgottenEndpoint]:
        """Endpoints meeting every given criterion: name prefix, tags, age, no invocations over the window."""
        if older_than_hours is None and idle_hours is None:
            raise InvalidArgument("give older_than_hours, idle_hours or both, or every endpoint would match")
        now = now or datetime.now(timezone.utc)
        found: list[ForgottenEndpoint] = []
        for summary in self._endpoints(name_prefix, tags or {}):
            name, created = summary["EndpointName"], summary["CreationTime"]
            age = (now - created).total_seconds() / 3600
            reasons: list[str] = []
            if older_than_hours is not None:
                if age < older_than_hours:
                    continue
                reasons.append(f"{age:.1f} h old (>= {older_than_hours:g} h)")
            invocations = None
            if idle_hours is not None:
                invocations = self._invocations(name, now - timedelta(hours=idle_hours), now)
                if invocations:
                    continue
                reasons.append(f"no invocations in the last {idle_hours:g} h")
            found.append(ForgottenEndpoint(name, created, age, invocations, "; ".join(reasons)))
        return found

    def delete_forgotten(
        self,
        *,
        older_than_hours: float | None = 24.0,
        idle_hours: float | None = 24.0,
        now: datetime | None = None,
        name_prefix: str = "",
        tags: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> TeardownReport:
        """Delete every forgotten endpoint (nothing in a dry run) and report what went."""
        forgotten = self.find_forgotten(
            older_than_hours=older_than_hours,
            idle_hours=idle_hours,
            now=now,
            name_prefix=name_prefix,
            tags=tags,
        )
        deleted: list[DeletedEndpoint] = []
        targets: list[str] = []
        for endpoint in [] if dry_run else forgotten:
            for variant in self._variant_names(endpoint.name):
                if self.autoscaling.disable(endpoint.name, variant):
                    targets.append(f"endpoint/{endpoint.name}/variant/{variant}")
            deleted.append(self.deployer.delete_endpoint(endpoint.name))
        return TeardownReport(tuple(forgotten), tuple(deleted), tuple(targets), dry_run)

    def _endpoints(self, name_prefix: str, tags: Mapping[str, str]) -> list[dict[str, Any]]:
        """Endpoint summaries whose name starts with ``name_prefix`` and that carry every tag in ``tags``."""
        client = self.deployer.client
        request = {"NameContains": name_prefix} if name_prefix else {}
        with aws_errors("models.find_forgotten_endpoints"):
            pages = client.get_paginator("list_endpoints").paginate(**request)
            summaries = [
                e for page in pages for e in page["Endpoints"] if e["EndpointName"].startswith(name_prefix)
            ]
            if not tags:
                return summaries
            return [e for e in summaries if _carries(self._tags(e["EndpointArn"]), tags)]

    def _tags(self, arn: str) -> dict[str, str]:
        pages = self.deployer.client.get_paginator("list_tags").paginate(ResourceArn=arn)
        return {tag["Key"]: tag["Value"] for page in pages for tag in page.get("Tags", [])}

    def _variant_names(self, endpoint: str) -> list[str]:
        with aws_errors("models.find_forgotten_endpoints"):
            description = self.deployer.client.describe_endpoint(EndpointName=endpoint)
        return [v["VariantName"] for v in description.get("ProductionVariants", [])]

    def _invocations(self, endpoint: str, start: datetime, end: datetime) -> int:
        return sum(
            self.metrics.invocations(endpoint, variant, start=start, end=end)
            for variant in self._variant_names(endpoint)
        )


def _carries(tags: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(tags.get(key) == value for key, value in wanted.items())
