"""AWSEvents: the portable EventService on EventBridge (Lambda targets, and SQS for Python callables).

A rule whose target is a function name sends its events to that Lambda function (asynchronously, as
EventBridge does). A rule whose target is a Python callable sends them to an SQS queue made for the
rule, which a daemon thread of this object reads and hands to the callable: EventBridge -> SQS -> consumer,
the way an application receives events. A callable that raises gets the event again after the queue's
visibility timeout, up to ``MAX_RECEIVES`` times. Buses are created on first use.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from multi_cloud.core.base import EventService
from multi_cloud.core.envelopes import event_from_envelope
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Event, EventTarget, PublishResult

from aws_ai_services.errors import aws_errors
from aws_ai_services.serverless.eventbridge import EventBridgeRouter
from aws_ai_services.session import aws_client

#: deliveries of one event to a callable before it is dropped (and logged)
MAX_RECEIVES = 3
#: seconds a callable has before SQS hands the event out again (the default)
VISIBILITY_TIMEOUT = 5
log = logging.getLogger(__name__)


class AWSEvents(EventService):
    """EventBridge behind :class:`~multi_cloud.core.base.EventService`; see the module docstring."""

    def __init__(
        self,
        provider: str = "aws",
        settings: Settings | None = None,
        *,
        visibility_timeout: int = VISIBILITY_TIMEOUT,
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.visibility_timeout = visibility_timeout
        self.router = EventBridgeRouter(self.settings)
        self._buses: set[str] = {"default"}
        self._consumers: dict[tuple[str, str], QueueConsumer] = {}

    def put_rule(self, bus: str, rule: str, pattern: Mapping[str, Any], target: EventTarget) -> None:
        """Create or replace ``rule`` on ``bus`` (created if new) routing matches to ``target``."""
        if not (isinstance(target, str) or callable(target)):
            raise InvalidArgument(
                f"target must be a function name or a callable, not {type(target).__name__}",
                provider=self.provider,
                operation="events.put_rule",
            )
        if isinstance(target, str):
            with aws_errors("events.put_rule"):  # NotFound before the rule exists, as a function must
                aws_client("lambda", self.settings).get_function_configuration(FunctionName=target)
        self._ensure_bus(bus)
        self.router.put_rule(rule, pattern, bus=bus)
        self._drop_targets(bus, rule)
        if isinstance(target, str):
            self.router.add_lambda_target(rule, target, bus=bus)
            return
        sqs = aws_client("sqs", self.settings)
        with aws_errors("events.put_rule"):
            queue_url = str(
                sqs.create_queue(
                    QueueName=queue_name(bus, rule),
                    Attributes={"VisibilityTimeout": str(self.visibility_timeout)},
                )["QueueUrl"]
            )
        self.router.add_sqs_target(rule, queue_url, bus=bus)
        consumer = QueueConsumer(sqs, queue_url, target)
        self._consumers[(bus, rule)] = consumer
        consumer.start()

    def publish(self, bus: str, event: Event) -> PublishResult:
        """Put ``event`` on ``bus``; ``matched_rules`` are the enabled rules EventBridge says it matches."""
        self._ensure_bus(bus)
        probe = self.router.envelope(event.source, event.detail_type, event.detail)
        matched = tuple(
            rule["Name"]
            for rule in self.router.rules(bus)
            if rule.get("State") == "ENABLED"
            and rule.get("EventPattern")
            and self.router.test_event_pattern(json.loads(rule["EventPattern"]), probe)
        )
        entry: dict[str, Any] = {
            "Source": event.source,
            "DetailType": event.detail_type,
            "Detail": json.dumps(dict(event.detail)),
            "EventBusName": bus,
        }
        if event.time is not None:
            entry["Time"] = event.time
        event_id = self.router.put_events([entry])[0]
        return PublishResult(event_id=event_id, matched_rules=matched)

    def delete_rule(self, bus: str, rule: str) -> None:
        """Delete the rule (NotFound if it does not exist) and stop its consumer, if any."""
        self.router.delete_rule(rule, bus=bus)
        self._stop_consumer(bus, rule)

    def close(self) -> None:
        """Stop every consumer thread (their queues stay until their rules are deleted)."""
        for consumer in self._consumers.values():
            consumer.stop()
        self._consumers.clear()

    def _ensure_bus(self, bus: str) -> None:
        if bus not in self._buses:
            self.router.create_bus(bus)
            self._buses.add(bus)

    def _drop_targets(self, bus: str, rule: str) -> None:
        """Before a rule gets its new target: remove the old ones and stop its consumer."""
        ids = [target["Id"] for target in self.router.targets(rule, bus=bus)]
        if ids:
            with aws_errors("events.remove_targets"):
                self.router.client.remove_targets(Rule=rule, EventBusName=bus, Ids=ids)
        self._stop_consumer(bus, rule)

    def _stop_consumer(self, bus: str, rule: str) -> None:
        consumer = self._consumers.pop((bus, rule), None)
        if consumer is not None:
            consumer.stop()
            with aws_errors("events.delete_queue"):
                consumer.sqs.delete_queue(QueueUrl=consumer.queue_url)


class QueueConsumer(threading.Thread):
    """Long-polls one SQS queue and calls ``target`` with each EventBridge envelope as an Event."""

    def __init__(self, sqs: Any, queue_url: str, target: Callable[[Event], Any]) -> None:
        super().__init__(name=f"events-consumer-{queue_url.rsplit('/', 1)[-1]}", daemon=True)
        self.sqs, self.queue_url, self.target = sqs, queue_url, target
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                answer = self.sqs.receive_message(
                    QueueUrl=self.queue_url,
                    MaxNumberOfMessages=10,
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["ApproximateReceiveCount"],
                )
                for message in answer.get("Messages", []):
                    if self._stopped.is_set():
                        return
                    self._deliver(message)
            except Exception:  # noqa: BLE001 - the queue is gone (rule deleted, cloud reset): stop
                return

    def _deliver(self, message: Mapping[str, Any]) -> None:
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            self.target(event_from_envelope(json.loads(message["Body"])))
        except Exception:  # noqa: BLE001 - the target's failure: SQS hands the event out again
            log.exception("event target failed (delivery %d of %d)", receives, MAX_RECEIVES)
            if receives < MAX_RECEIVES:
                return
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def queue_name(bus: str, rule: str) -> str:
    """A new SQS queue name (80 of [A-Za-z0-9_-] at most) for the rule's callable target.

    Unique per call: SQS refuses a queue name deleted less than 60 seconds ago.
    """
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", f"cloudai-events-{bus}-{rule}")[:67]
    return f"{readable}-{uuid.uuid4().hex[:12]}"
