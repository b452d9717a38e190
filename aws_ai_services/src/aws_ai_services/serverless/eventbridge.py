"""EventBridgeRouter: event buses, pattern rules, SQS and Lambda targets, events, archives and replays."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound, Unavailable
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient, aws_client

#: PutEvents takes at most this many entries per request
PUT_EVENTS_BATCH = 10
REPLAY_FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


class EventBridgeRouter:
    """Amazon EventBridge through boto3. ``bus`` is a bus name; "default" is the account's default bus."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("events")

    @cached_property
    def account(self) -> str:
        """The AWS account id of the credentials in use."""
        with aws_errors("events.account"):
            return str(aws_client("sts", self.settings).get_caller_identity()["Account"])

    # ------------------------------------------------------------------ buses
    def create_bus(self, name: str) -> str:
        """Create custom bus ``name`` unless it exists; returns its ARN."""
        try:
            with aws_errors("events.describe_bus"):
                return str(self.client.describe_event_bus(Name=name)["Arn"])
        except NotFound:
            pass
        with aws_errors("events.create_bus"):
            return str(self.client.create_event_bus(Name=name)["EventBusArn"])

    def delete_bus(self, name: str) -> None:
        """Delete bus ``name`` with its rules (their targets first, as EventBridge requires)."""
        for rule in self.rules(name):
            self.delete_rule(rule["Name"], bus=name)
        with aws_errors("events.delete_bus"):
            self.client.delete_event_bus(Name=name)

    # ------------------------------------------------------------------ rules and targets
    def put_rule(
        self, name: str, pattern: Mapping[str, Any], *, bus: str = "default", description: str = ""
    ) -> str:
        """Create or update rule ``name`` matching ``pattern``; returns its ARN.

        An invalid pattern raises InvalidArgument with EventBridge's reason (InvalidEventPatternException).
        """
        with aws_errors("events.put_rule"):
            answer = self.client.put_rule(
                Name=name,
                EventPattern=json.dumps(pattern),
                EventBusName=bus,
                Description=description,
                State="ENABLED",
            )
        return str(answer["RuleArn"])

    def rules(self, bus: str = "default") -> list[dict[str, Any]]:
        with aws_errors("events.list_rules"):
            pages = self.client.get_paginator("list_rules").paginate(EventBusName=bus)
            return [dict(rule) for page in pages for rule in page["Rules"]]

    def add_sqs_target(
        self, rule: str, queue_url: str, *, bus: str = "default", target_id: str = "", input_path: str = ""
    ) -> str:
        """Send matching events to the queue (and let EventBridge write to it); returns the target id."""
        sqs = aws_client("sqs", self.settings)
        with aws_errors("events.add_sqs_target"):
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            rule_arn = self.client.describe_rule(Name=rule, EventBusName=bus)["Arn"]
            _allow_events_to_send(sqs, queue_url, queue_arn, rule_arn)
        return self._put_target(rule, bus, queue_arn, target_id, input_path)

    def add_lambda_target(
        self, rule: str, function_name: str, *, bus: str = "default", target_id: str = ""
    ) -> str:
        """Invoke the function (asynchronously) for matching events; returns the target id."""
        lambdas = aws_client("lambda", self.settings)
        with aws_errors("events.add_lambda_target"):
            function_arn = lambdas.get_function_configuration(FunctionName=function_name)["FunctionArn"]
            rule_arn = self.client.describe_rule(Name=rule, EventBusName=bus)["Arn"]
            try:
                lambdas.add_permission(
                    FunctionName=function_name,
                    StatementId=f"events-{rule}-{bus}"[:100],
                    Action="lambda:InvokeFunction",
                    Principal="events.amazonaws.com",
                    SourceArn=rule_arn,
                )
            except lambdas.exceptions.ResourceConflictException:
                pass  # the permission exists already
        return self._put_target(rule, bus, function_arn, target_id, "")

    def targets(self, rule: str, *, bus: str = "default") -> list[dict[str, Any]]:
        with aws_errors("events.list_targets"):
            return [dict(t) for t in self.client.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]]

    def delete_rule(self, rule: str, *, bus: str = "default") -> None:
        """Remove the rule's targets, then the rule."""
        ids = [target["Id"] for target in self.targets(rule, bus=bus)]
        with aws_errors("events.delete_rule"):
            if ids:
                self.client.remove_targets(Rule=rule, EventBusName=bus, Ids=ids)
            self.client.delete_rule(Name=rule, EventBusName=bus)

    # ------------------------------------------------------------------ events
    def publish(
        self,
        source: str,
        detail_type: str,
        detail: Mapping[str, Any],
        *,
        bus: str = "default",
        resources: Iterable[str] = (),
    ) -> str:
        """Put one event on ``bus``; returns its id."""
        entry = {
            "Source": source,
            "DetailType": detail_type,
            "Detail": json.dumps(dict(detail)),
            "EventBusName": bus,
            "Resources": list(resources),
        }
        return self.put_events([entry])[0]

    def put_events(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Put PutEvents entries (sent 10 per request); returns their ids; raises if any was rejected."""
        ids: list[str] = []
        for start in range(0, len(entries), PUT_EVENTS_BATCH):
            batch = [dict(entry) for entry in entries[start : start + PUT_EVENTS_BATCH]]
            with aws_errors("events.put_events"):
                answer = self.client.put_events(Entries=batch)
            failed = [e for e in answer["Entries"] if e.get("ErrorCode")]
            if failed:
                raise InvalidArgument(
                    f"{len(failed)} event(s) rejected: {failed[0]['ErrorCode']}: "
                    f"{failed[0].get('ErrorMessage', '')}",
                    provider="aws",
                    operation="events.put_events",
                )
            ids.extend(str(e["EventId"]) for e in answer["Entries"])
        return ids

    def test_event_pattern(self, pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
        """Whether ``event`` (an EventBridge envelope, see :meth:`envelope`) matches ``pattern``."""
        with aws_errors("events.test_event_pattern"):
            answer = self.client.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))
        return bool(answer["Result"])

    def envelope(self, source: str, detail_type: str, detail: Mapping[str, Any]) -> dict[str, Any]:
        """An event as EventBridge delivers it (the shape TestEventPattern and targets see)."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": self.account,
            "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.settings.aws.region,
            "resources": [],
            "detail": dict(detail),
        }

    # ------------------------------------------------------------------ archives and replays
    def create_archive(
        self,
        name: str,
        *,
        bus: str = "default",
        pattern: Mapping[str, Any] | None = None,
        retention_days: int = 0,
    ) -> str:
        """Keep a copy of the bus's events (those matching ``pattern``, if given); returns the archive ARN."""
        request: dict[str, Any] = {
            "ArchiveName": name,
            "EventSourceArn": self._bus_arn(bus),
            "RetentionDays": retention_days,
        }
        if pattern:
            request["EventPattern"] = json.dumps(pattern)
        with aws_errors("events.create_archive"):
            return str(self.client.create_archive(**request)["ArchiveArn"])

    def archive(self, name: str) -> dict[str, Any]:
        """The archive's description (State, EventCount, SizeBytes, ...)."""
        with aws_errors("events.describe_archive"):
            return dict(self.client.describe_archive(ArchiveName=name))

    def replay(
        self,
        archive: str,
        *,
        start: datetime,
        end: datetime,
        bus: str = "default",
        name: str = "",
        timeout_seconds: float = 60.0,
    ) -> dict[str, Any]:
        """Send the events archived from ``start`` to ``end`` through the bus's rules again; wait for it."""
        archive_arn = self.archive(archive)["ArchiveArn"]
        replay_name = name or f"replay-{uuid.uuid4().hex[:12]}"
        with aws_errors("events.start_replay"):
            self.client.start_replay(
                ReplayName=replay_name,
                EventSourceArn=archive_arn,
                EventStartTime=start,
                EventEndTime=end,
                Destination={"Arn": self._bus_arn(bus)},
            )
        deadline = time.monotonic() + timeout_seconds
        while True:
            with aws_errors("events.describe_replay"):
                described = dict(self.client.describe_replay(ReplayName=replay_name))
            if described["State"] in REPLAY_FINISHED:
                return described
            if time.monotonic() > deadline:
                raise Unavailable(
                    f"replay {replay_name} still {described['State']} after {timeout_seconds} s"
                )
            time.sleep(0.5)

    # ------------------------------------------------------------------ internals
    def _bus_arn(self, bus: str) -> str:
        with aws_errors("events.describe_bus"):
            return str(self.client.describe_event_bus(Name=bus)["Arn"])

    def _put_target(self, rule: str, bus: str, arn: str, target_id: str, input_path: str) -> str:
        target: dict[str, Any] = {"Id": target_id or arn.split(":")[-1][:64], "Arn": arn}
        if input_path:
            target["InputPath"] = input_path
        with aws_errors("events.put_targets"):
            answer = self.client.put_targets(Rule=rule, EventBusName=bus, Targets=[target])
        if answer.get("FailedEntryCount"):
            failure = answer["FailedEntries"][0]
            raise InvalidArgument(
                f"target {arn} rejected: {failure.get('ErrorCode')}: {failure.get('ErrorMessage')}"
            )
        return str(target["Id"])


def _allow_events_to_send(sqs: Any, queue_url: str, queue_arn: str, rule_arn: str) -> None:
    """Add a queue-policy statement letting the rule send messages (EventBridge needs it in AWS)."""
    statement_id = f"events-{rule_arn.split('/')[-1]}"[:100]
    current = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"]).get("Attributes", {})
    policy = json.loads(current.get("Policy") or '{"Version": "2012-10-17", "Statement": []}')
    if any(s.get("Sid") == statement_id for s in policy["Statement"]):
        return
    policy["Statement"].append(
        {
            "Sid": statement_id,
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }
    )
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
