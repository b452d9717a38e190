"""Deploy the AI stack with CloudFormation change sets: create/update, wait, outputs, rollback, drift, delete.

``deploy`` always goes through a change set (create → describe → execute → wait), so a reviewer can see the
resource changes before they happen. A failed resource rolls the stack back, server-side (locally too:
the local cloud's moto patch), and the reason comes from the first ``*_FAILED`` event. moto (the local
cloud) differs in two documented ways this module handles without local-mode branches:

* Stacks deployed by change set have no Outputs in moto: they are computed from the template's Outputs
  against the live resources (``StackOutputs.computed``).
* DetectStackDrift is not implemented: drift is computed from the live resources (see drift.py).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from multi_cloud.core.errors import CloudError, InvalidArgument, NotFound, Unavailable
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.infrastructure import drift
from aws_ai_services.infrastructure.drift_remediation import Remediation, remediate
from aws_ai_services.infrastructure.intrinsics import StackContext, Unresolvable, live_attribute, resolve
from aws_ai_services.infrastructure.stack_template import template_body
from aws_ai_services.session import ServiceClient

Operation = Literal["CREATE", "UPDATE"]
RolledBackBy = Literal["", "cloudformation"]
SUCCESS = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})
FAILED_TERMINAL = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_FAILED",
        "DELETE_FAILED",
    }
)
NO_CHANGES = "didn't contain changes"
CLOCK_SKEW_SECONDS = 5  # events are stamped by the service's clock, the start of a deploy by ours


@dataclass(frozen=True)
class ResourceChange:
    logical_id: str
    resource_type: str
    action: str  # Add, Modify, Remove, Import, Dynamic
    replacement: str = ""  # True, False, Conditional (Modify only)


@dataclass(frozen=True)
class StackEvent:
    logical_id: str
    resource_type: str
    status: str
    reason: str
    timestamp: datetime


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str


@dataclass(frozen=True)
class StackOutputs:
    values: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    computed: bool = False  # True: the service returned none; resolved from the template against the stack
    unresolved: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        if key not in self.values:
            raise NotFound(f"stack output {key!r} not found; outputs: {', '.join(self.values) or 'none'}")
        return self.values[key]


@dataclass(frozen=True)
class TemplateSummary:
    description: str
    parameters: tuple[str, ...]
    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class StackDeployment:
    """The result of one deploy: what changed, how it ended, and why it failed when it did.

    ``status`` is the CloudFormation status the operation ended in (ROLLBACK_COMPLETE after a failed create,
    UPDATE_ROLLBACK_COMPLETE after a failed update); ``service_status`` is what the service reports for the
    stack now.
    """

    stack_name: str
    stack_id: str
    operation: Operation
    status: str
    service_status: str
    change_set_id: str
    changes: tuple[ResourceChange, ...]
    outputs: StackOutputs
    failure_reason: str = ""
    rolled_back_by: RolledBackBy = ""
    no_changes: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS


@dataclass(frozen=True)
class _ChangeSet:
    stack_name: str
    stack_id: str
    operation: Operation
    id: str
    changes: tuple[ResourceChange, ...] = ()
    no_changes: bool = False

    def result(
        self, status: str, service_status: str, outputs: StackOutputs, **extra: Any
    ) -> StackDeployment:
        return StackDeployment(
            stack_name=self.stack_name,
            stack_id=self.stack_id,
            operation=self.operation,
            status=status,
            service_status=service_status,
            change_set_id=self.id,
            changes=self.changes,
            outputs=outputs,
            no_changes=self.no_changes,
            **extra,
        )


class CloudFormationStacks:
    """CloudFormation stacks through boto3 (moto's CloudFormation in local mode)."""

    def __init__(
        self, settings: Settings | None = None, *, poll_seconds: float = 2.0, timeout_seconds: float = 1800
    ) -> None:
        self.settings = settings or get_settings()
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self._service_drift = True  # False once the service answered that it lacks drift detection

    cfn = ServiceClient("cloudformation")

    # ------------------------------------------------------------------ validate
    def validate(self, template: Mapping[str, Any] | str) -> TemplateSummary:
        """ValidateTemplate (moto runs cfn-lint). A bad template raises InvalidArgument (ValidationError)."""
        try:
            with aws_errors("cloudformation.validate_template"):
                answer = self.cfn.validate_template(TemplateBody=template_body(template))
        except NotFound as exc:  # the message of a template error can read "... does not exist"
            raise InvalidArgument(
                exc.message, provider="aws", operation=exc.operation, cause=exc.cause
            ) from exc
        return TemplateSummary(
            description=answer.get("Description", ""),
            parameters=tuple(p["ParameterKey"] for p in answer.get("Parameters", [])),
            capabilities=tuple(answer.get("Capabilities", [])),
        )

    # ------------------------------------------------------------------ deploy
    def deploy(
        self,
        stack_name: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        capabilities: Sequence[str] = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"),
    ) -> StackDeployment:
        """Create or update ``stack_name`` through a change set and wait for the outcome.

        As in CloudFormation, parameters left out of an update take their template defaults. A failed
        deployment is returned (``succeeded`` False, ``failure_reason`` from the first failed resource), not
        raised: the stack state is the answer. Request errors (bad template, missing capability) raise
        InvalidArgument.
        """
        body = template_body(template)
        existing = self._stack_or_none(stack_name)
        if existing and existing["StackStatus"] in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED"):
            raise InvalidArgument(
                f"stack {stack_name} is in {existing['StackStatus']} after a failed create and can only be "
                "deleted: call delete() first, then deploy again"
            )
        updating = bool(existing) and existing["StackStatus"] != "REVIEW_IN_PROGRESS"  # type: ignore[index]
        operation: Operation = "UPDATE" if updating else "CREATE"
        change_set = self._create_change_set(stack_name, body, operation, parameters, tags, capabilities)
        if change_set.no_changes:
            self._quietly(lambda: self.cfn.delete_change_set(ChangeSetName=change_set.id))
            status = existing["StackStatus"] if existing else "REVIEW_IN_PROGRESS"
            return change_set.result(status, status, self.outputs(stack_name))
        started = datetime.now().astimezone() - timedelta(seconds=CLOCK_SKEW_SECONDS)
        with aws_errors("cloudformation.execute_change_set"):
            self.cfn.execute_change_set(ChangeSetName=change_set.id)
        status = self._wait(stack_name)
        if status in SUCCESS:
            return change_set.result(status, status, self.outputs(stack_name))
        return change_set.result(
            status,
            status,
            self._outputs_or_empty(stack_name),
            failure_reason=self._failure_reason(stack_name, started),
            rolled_back_by="cloudformation" if "ROLLBACK" in status else "",
        )

    def _create_change_set(
        self,
        stack_name: str,
        body: str,
        operation: Operation,
        parameters: Mapping[str, str] | None,
        tags: Mapping[str, str] | None,
        capabilities: Sequence[str],
    ) -> _ChangeSet:
        request: dict[str, Any] = {
            "StackName": stack_name,
            "ChangeSetName": f"cloudai-{uuid.uuid4().hex[:12]}",
            "ChangeSetType": operation,
            "TemplateBody": body,
            "Capabilities": list(capabilities),
            "Parameters": [
                {"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()
            ],
        }
        if tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        with aws_errors("cloudformation.create_change_set"):
            created = self.cfn.create_change_set(**request)
            described = self._wait_for_change_set(created["Id"])
        found = _ChangeSet(stack_name, created["StackId"], operation, created["Id"])
        if described["Status"] == "FAILED":
            reason = described.get("StatusReason", "")
            if NO_CHANGES in reason or "No updates" in reason:
                return replace(found, no_changes=True)
            raise InvalidArgument(f"change set for {stack_name} failed: {reason}", provider="aws")
        changes = tuple(
            ResourceChange(
                logical_id=c["ResourceChange"]["LogicalResourceId"],
                resource_type=c["ResourceChange"]["ResourceType"],
                action=c["ResourceChange"]["Action"],
                replacement=c["ResourceChange"].get("Replacement", ""),
            )
            for c in described.get("Changes", [])
            if c.get("Type") == "Resource"
        )
        return replace(found, changes=changes)

    def _wait_for_change_set(self, change_set_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            described: dict[str, Any] = self.cfn.describe_change_set(ChangeSetName=change_set_id)
            if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
                return described
            self._sleep_or_timeout(deadline, f"change set {change_set_id}")

    def _wait(self, stack_name: str) -> str:
        """Poll until the stack leaves every *_IN_PROGRESS state; the final status."""
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            stack = self._stack_or_none(stack_name)
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            if not status.endswith("_IN_PROGRESS"):
                return status
            self._sleep_or_timeout(deadline, f"stack {stack_name} ({status})")

    def _sleep_or_timeout(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise Unavailable(f"{what} did not finish within {self.timeout_seconds:.0f} s", provider="aws")
        time.sleep(self.poll_seconds)

    def _failure_reason(self, stack_name: str, since: datetime) -> str:
        """The first resource failure of this operation (events come newest first)."""
        failed = [
            e
            for e in self.events(stack_name)
            if e.status.endswith("_FAILED") and e.timestamp >= since and e.logical_id != stack_name
        ]
        if not failed:
            return "the stack failed without a resource failure event"
        first = failed[-1]
        return f"{first.logical_id} ({first.resource_type}): {first.reason}"

    # ------------------------------------------------------------------ read
    def describe(self, stack_name: str) -> dict[str, Any]:
        with aws_errors("cloudformation.describe_stacks"):
            return dict(self.cfn.describe_stacks(StackName=stack_name)["Stacks"][0])

    def status(self, stack_name: str) -> str:
        return str(self.describe(stack_name)["StackStatus"])

    def resources(self, stack_name: str) -> list[StackResource]:
        found = []
        with aws_errors("cloudformation.list_stack_resources"):
            for page in self.cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
                for item in page["StackResourceSummaries"]:
                    found.append(
                        StackResource(
                            item["LogicalResourceId"],
                            item.get("PhysicalResourceId", ""),
                            item["ResourceType"],
                            item["ResourceStatus"],
                        )
                    )
        return found

    def events(self, stack_name: str) -> list[StackEvent]:
        found = []
        with aws_errors("cloudformation.describe_stack_events"):
            for page in self.cfn.get_paginator("describe_stack_events").paginate(StackName=stack_name):
                for item in page["StackEvents"]:
                    found.append(
                        StackEvent(
                            item["LogicalResourceId"],
                            item.get("ResourceType", ""),
                            item["ResourceStatus"],
                            item.get("ResourceStatusReason", ""),
                            item["Timestamp"],
                        )
                    )
        return found

    def template(self, stack_name: str) -> dict[str, Any]:
        with aws_errors("cloudformation.get_template"):
            body = self.cfn.get_template(StackName=stack_name)["TemplateBody"]
        parsed: dict[str, Any] = json.loads(body if isinstance(body, str) else json.dumps(body))
        return parsed

    def outputs(self, stack_name: str) -> StackOutputs:
        """The stack's outputs; computed from the template when the service returns none (moto)."""
        stack = self.describe(stack_name)
        declared = self.template(stack_name).get("Outputs", {})
        reported = stack.get("Outputs") or []
        if reported or not declared:
            return StackOutputs(
                values={o["OutputKey"]: o["OutputValue"] for o in reported},
                descriptions={o["OutputKey"]: o.get("Description", "") for o in reported},
            )
        context = self.context(stack_name, stack)
        values, unresolved = {}, {}
        for key, output in declared.items():
            try:
                values[key] = str(resolve(output["Value"], context))
            except Unresolvable as exc:
                unresolved[key] = str(exc)
        descriptions = {key: output.get("Description", "") for key, output in declared.items()}
        return StackOutputs(values, descriptions, computed=True, unresolved=unresolved)

    def _outputs_or_empty(self, stack_name: str) -> StackOutputs:
        try:
            return self.outputs(stack_name)
        except CloudError:
            return StackOutputs(values={})

    def context(self, stack_name: str, stack: Mapping[str, Any] | None = None) -> StackContext:
        """What intrinsic functions of the deployed template evaluate against."""
        stack = stack or self.describe(stack_name)
        resources = self.resources(stack_name)
        return StackContext(
            stack_name=stack["StackName"],
            stack_id=stack["StackId"],
            parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
            physical_ids={r.logical_id: r.physical_id for r in resources},
            resource_types={r.logical_id: r.resource_type for r in resources},
            attribute=live_attribute(self.settings),
        )

    # ------------------------------------------------------------------ drift
    def detect_drift(
        self, stack_name: str, *, method: Literal["auto", "cloudformation", "computed"] = "auto"
    ) -> drift.StackDriftReport:
        """CloudFormation's drift detection; with ``auto``, computed from live resources if it has none."""
        from botocore.exceptions import ClientError
        from botocore.parsers import ResponseParserError

        if method == "cloudformation" or (method == "auto" and self._service_drift):
            try:
                resources = drift.from_cloudformation(self.cfn, stack_name)
                return drift.StackDriftReport(stack_name, "cloudformation", resources)
            except (ResponseParserError, ClientError) as exc:
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
                unsupported = isinstance(exc, ResponseParserError) or code in ("NotImplemented", "500")
                if method == "cloudformation" or not unsupported:
                    with aws_errors("cloudformation.detect_stack_drift"):
                        raise
                self._service_drift = False
        template = self.template(stack_name)
        resources = drift.compute_drift(template, self.context(stack_name), self.settings)
        return drift.StackDriftReport(stack_name, "computed", resources)

    def remediate_drift(self, stack_name: str) -> tuple[list[Remediation], drift.StackDriftReport]:
        """Re-apply the template to every drifted property that can be set; the actions and the new report."""
        report = self.detect_drift(stack_name)
        actions = remediate(report, self.template(stack_name), self.context(stack_name), self.settings)
        return actions, self.detect_drift(stack_name)

    # ------------------------------------------------------------------ delete
    def delete(self, stack_name: str) -> str:
        """Delete the stack and wait; the final status (DELETE_COMPLETE). NotFound if there is none."""
        stack = self._stack_or_none(stack_name)
        if stack is None:
            raise NotFound(
                f"stack {stack_name} does not exist", provider="aws", operation="cloudformation.delete"
            )
        stack_id = stack["StackId"]
        with aws_errors("cloudformation.delete_stack"):
            self.cfn.delete_stack(StackName=stack_id)
        status = self._wait(stack_id)
        if status != "DELETE_COMPLETE":
            reason = self._failure_reason(stack_id, stack.get("CreationTime", datetime.min.astimezone()))
            raise InvalidArgument(f"stack {stack_name} ended in {status}: {reason}", provider="aws")
        return status

    def _stack_or_none(self, name_or_id: str) -> dict[str, Any] | None:
        try:
            stack = self.describe(name_or_id)
        except NotFound:  # ValidationError "Stack with id ... does not exist" (aws_ai_services.errors)
            return None
        return None if stack["StackStatus"] == "DELETE_COMPLETE" else stack

    @staticmethod
    def _quietly(call: Any) -> None:
        try:
            call()
        except Exception:  # noqa: BLE001 - best-effort cleanup of an empty change set
            return
