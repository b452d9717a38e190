"""The AI stack deployed to moto's CloudFormation through change sets: outputs, updates, rollback, drift."""

from __future__ import annotations

import json

import pytest
from aws_ai_services.infrastructure.cloudformation import CloudFormationStacks
from aws_ai_services.infrastructure.drift import parse_policy
from aws_ai_services.infrastructure.policy_lint import lint_policy
from aws_ai_services.infrastructure.stack_template import ai_stack_template
from aws_ai_services.session import aws_client
from multi_cloud.core.errors import InvalidArgument, NotFound

pytestmark = pytest.mark.usefixtures("clean_cloud")

STACK = "ai-stack"
RESOURCES = [
    "ArtifactKey",
    "ArtifactKeyAlias",
    "ArtifactBucket",
    "SageMakerExecutionRole",
    "JobQueue",
    "NotificationTopic",
]
#: properties moto 5.2's CloudFormation does not apply (see fidelity_infra.md); drift detection finds them
MOTO_IGNORED = {
    "ArtifactBucket": ["BucketEncryption", "VersioningConfiguration", "PublicAccessBlockConfiguration"],
    "NotificationTopic": ["Tags"],
}


@pytest.fixture
def stacks() -> CloudFormationStacks:
    return CloudFormationStacks(poll_seconds=0.1, timeout_seconds=60)


def clashing_update(bucket_name: str) -> dict[str, object]:
    """The stack plus a queue, then a bucket whose name another bucket already holds (it fails)."""
    return ai_stack_template(
        extra_resources={
            "ExtraQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "extra-queue"}},
            "Clash": {
                "Type": "AWS::S3::Bucket",
                "DependsOn": "ExtraQueue",
                "Properties": {"BucketName": bucket_name},
            },
        }
    )


def queue_names() -> list[str]:
    return [url.rsplit("/", 1)[-1] for url in aws_client("sqs").list_queues().get("QueueUrls", [])]


def test_template_validates_and_uses_only_types_moto_creates(stacks: CloudFormationStacks) -> None:
    from moto.cloudformation.parsing import get_model_map

    template = ai_stack_template()
    summary = stacks.validate(template)
    assert summary.description.startswith("Cloud AI Platforms")
    types = {body["Type"] for body in template["Resources"].values()}
    assert types <= set(get_model_map())
    assert list(template["Resources"]) == RESOURCES


def test_bad_templates_are_validation_errors(stacks: CloudFormationStacks) -> None:
    with pytest.raises(InvalidArgument) as unknown_type:
        stacks.validate({"Resources": {"X": {"Type": "AWS::Nope::Thing"}}})
    assert unknown_type.value.cause.response["Error"]["Code"] == "ValidationError"
    assert "AWS::Nope::Thing" in unknown_type.value.message
    with pytest.raises(InvalidArgument, match="Resources"):
        stacks.validate({"Outputs": {}})


def test_deploy_creates_the_stack_through_a_change_set(stacks: CloudFormationStacks) -> None:
    deployment = stacks.deploy(
        STACK, ai_stack_template(), parameters={"Environment": "prod"}, tags={"owner": "ml"}
    )
    assert (
        deployment.succeeded and deployment.operation == "CREATE" and deployment.status == "CREATE_COMPLETE"
    )
    assert [(c.logical_id, c.action) for c in deployment.changes] == [(name, "Add") for name in RESOURCES]
    assert deployment.change_set_id.startswith("arn:aws:cloudformation:")

    outputs = deployment.outputs
    bucket, key_arn = outputs["ArtifactBucketName"], outputs["ArtifactKeyArn"]
    s3 = aws_client("s3")
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn
    assert aws_client("kms").get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    queue = aws_client("sqs").get_queue_attributes(QueueUrl=outputs["JobQueueUrl"], AttributeNames=["All"])
    assert queue["Attributes"]["VisibilityTimeout"] == "300"
    assert (
        queue["Attributes"]["KmsMasterKeyId"] == "alias/cloudai-prod-artifacts"
    )  # the parameter took effect
    assert queue["Attributes"]["QueueArn"] == outputs["JobQueueArn"]

    role_name = outputs["ExecutionRoleArn"].rsplit("/", 1)[-1]
    iam = aws_client("iam")
    document = parse_policy(
        iam.get_role_policy(RoleName=role_name, PolicyName="training-execution")["PolicyDocument"]
    )
    resources = {json.dumps(s["Resource"]) for s in document["Statement"]}
    assert json.dumps(f"arn:aws:s3:::{bucket}/*") in resources and json.dumps(key_arn) in resources
    assert lint_policy(document).clean  # the deployed, resolved policy passes parliament
    assert stacks.describe(STACK)["Tags"] == [{"Key": "owner", "Value": "ml"}]


def test_redeploying_is_a_no_op_and_a_change_is_an_update(stacks: CloudFormationStacks) -> None:
    stacks.deploy(STACK, ai_stack_template())
    again = stacks.deploy(STACK, ai_stack_template())
    assert again.no_changes and again.succeeded and again.changes == ()

    update = stacks.deploy(STACK, ai_stack_template(queue_visibility_seconds=600))
    assert update.operation == "UPDATE" and update.status == "UPDATE_COMPLETE"
    assert [(c.logical_id, c.action) for c in update.changes] == [("JobQueue", "Modify")]
    attributes = aws_client("sqs").get_queue_attributes(
        QueueUrl=update.outputs["JobQueueUrl"], AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    assert attributes == {"VisibilityTimeout": "600"}


def test_a_failed_create_is_rolled_back(stacks: CloudFormationStacks) -> None:
    aws_client("s3").create_bucket(Bucket="name-already-taken")
    deployment = stacks.deploy(STACK, clashing_update("name-already-taken"))
    assert not deployment.succeeded
    assert (deployment.status, deployment.rolled_back_by) == ("ROLLBACK_COMPLETE", "cloudformation")
    assert deployment.failure_reason.startswith("Clash (AWS::S3::Bucket): Resource handler returned message")
    assert "BucketAlreadyExists" in deployment.failure_reason
    assert "extra-queue" not in queue_names()  # what had been created is gone again
    assert stacks.status(STACK) == "ROLLBACK_COMPLETE"  # as on AWS: the stack stays until deleted
    assert stacks.resources(STACK) == []
    with pytest.raises(InvalidArgument, match="can only be deleted"):
        stacks.deploy(STACK, ai_stack_template())
    stacks.delete(STACK)
    with pytest.raises(NotFound):
        stacks.describe(STACK)


def test_plain_create_stack_with_a_failing_resource_rolls_back() -> None:
    cfn, s3 = aws_client("cloudformation"), aws_client("s3")
    s3.create_bucket(Bucket="name-already-taken")
    template = clashing_update("name-already-taken")
    cfn.create_stack(
        StackName="plain", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    assert cfn.describe_stacks(StackName="plain")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    events = [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
        for e in reversed(cfn.describe_stack_events(StackName="plain")["StackEvents"])
    ]
    failed = [event for event in events if event[1] == "CREATE_FAILED"]
    assert [(logical_id, status) for logical_id, status, _ in failed] == [("Clash", "CREATE_FAILED")]
    assert (
        "The requested bucket name is not available" in failed[0][2] and "BucketAlreadyExists" in failed[0][2]
    )
    assert (
        "plain",
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [Clash]. Rollback requested by user.",
    ) in events
    assert ("ExtraQueue", "DELETE_COMPLETE", "") in events and events[-1][:2] == (
        "plain",
        "ROLLBACK_COMPLETE",
    )
    assert "extra-queue" not in queue_names()
    assert s3.list_objects_v2(Bucket="name-already-taken")["KeyCount"] == 0  # the clash left the bucket alone
    cfn.delete_stack(StackName="plain")
    assert [
        s["StackName"] for s in cfn.list_stacks(StackStatusFilter=["ROLLBACK_COMPLETE"])["StackSummaries"]
    ] == []


def test_on_failure_do_nothing_keeps_what_was_built_and_delete_removes_the_stack() -> None:
    cfn = aws_client("cloudformation")
    aws_client("s3").create_bucket(Bucket="name-already-taken")
    body = json.dumps(clashing_update("name-already-taken"))
    cfn.create_stack(
        StackName="kept", TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"], OnFailure="DO_NOTHING"
    )
    assert cfn.describe_stacks(StackName="kept")["Stacks"][0]["StackStatus"] == "CREATE_FAILED"
    assert "extra-queue" in queue_names()  # left for the user to inspect, as AWS does
    cfn.delete_stack(StackName="kept")
    assert "extra-queue" not in queue_names()
    cfn.create_stack(
        StackName="gone", TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"], OnFailure="DELETE"
    )
    with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="gone")
    assert "extra-queue" not in queue_names()


@pytest.mark.filterwarnings("ignore:Unable to delete Clash:UserWarning")  # moto: the clash never existed
def test_plain_update_stack_with_a_failing_resource_restores_the_template() -> None:
    cfn = aws_client("cloudformation")
    first = ai_stack_template(queue_visibility_seconds=120)
    cfn.create_stack(StackName="plain", TemplateBody=json.dumps(first), Capabilities=["CAPABILITY_NAMED_IAM"])
    aws_client("s3").create_bucket(Bucket="name-already-taken")
    cfn.update_stack(
        StackName="plain",
        TemplateBody=json.dumps(clashing_update("name-already-taken")),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    assert cfn.describe_stacks(StackName="plain")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    body = cfn.get_template(StackName="plain")["TemplateBody"]
    assert (json.loads(body) if isinstance(body, str) else body) == first
    assert "extra-queue" not in queue_names()
    statuses = [e["ResourceStatus"] for e in cfn.describe_stack_events(StackName="plain")["StackEvents"]]
    assert statuses[:3] == [
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
    ]


@pytest.mark.filterwarnings("ignore:Unable to delete Clash:UserWarning")  # moto: the clash never existed
def test_a_failed_update_restores_the_previous_stack(stacks: CloudFormationStacks) -> None:
    first = stacks.deploy(STACK, ai_stack_template(queue_visibility_seconds=120))
    aws_client("s3").create_bucket(Bucket="name-already-taken")
    failed = stacks.deploy(STACK, clashing_update("name-already-taken"))  # also sets visibility back to 300
    assert failed.operation == "UPDATE" and failed.status == "UPDATE_ROLLBACK_COMPLETE"
    assert "BucketAlreadyExists" in failed.failure_reason
    assert "extra-queue" not in queue_names()
    assert [r.logical_id for r in stacks.resources(STACK)] == RESOURCES
    visibility = aws_client("sqs").get_queue_attributes(
        QueueUrl=first.outputs["JobQueueUrl"], AttributeNames=["VisibilityTimeout"]
    )["Attributes"]["VisibilityTimeout"]
    assert visibility == "120"
    assert stacks.status(STACK).endswith("_COMPLETE")


def test_drift_is_detected_property_by_property_and_remediated(stacks: CloudFormationStacks) -> None:
    deployment = stacks.deploy(STACK, ai_stack_template())
    first = stacks.detect_drift(STACK)
    assert first.method == "computed"  # moto has no DetectStackDrift
    assert first.drifted_properties() == MOTO_IGNORED
    actions, clean = stacks.remediate_drift(STACK)
    assert sorted((a.logical_id, a.property_path) for a in actions if a.applied) == sorted(
        (resource, prop) for resource, props in MOTO_IGNORED.items() for prop in props
    )
    assert clean.status == "IN_SYNC"
    assert {r.logical_id: r.status for r in clean.resources} == dict.fromkeys(RESOURCES, "IN_SYNC")

    outputs = deployment.outputs
    aws_client("s3").put_bucket_versioning(
        Bucket=outputs["ArtifactBucketName"], VersioningConfiguration={"Status": "Suspended"}
    )
    aws_client("sqs").set_queue_attributes(
        QueueUrl=outputs["JobQueueUrl"], Attributes={"VisibilityTimeout": "42"}
    )
    drifted = stacks.detect_drift(STACK)
    assert drifted.status == "DRIFTED"
    assert drifted.drifted_properties() == {
        "ArtifactBucket": ["VersioningConfiguration"],
        "JobQueue": ["VisibilityTimeout"],
    }
    (visibility,) = drifted.resource("JobQueue").differences
    assert (visibility.expected, visibility.actual, visibility.kind) == ("300", "42", "NOT_EQUAL")
    _, restored = stacks.remediate_drift(STACK)
    assert restored.status == "IN_SYNC"


def test_a_deleted_resource_is_reported_as_deleted(stacks: CloudFormationStacks) -> None:
    deployment = stacks.deploy(STACK, ai_stack_template(include_topic=False))
    aws_client("sqs").delete_queue(QueueUrl=deployment.outputs["JobQueueUrl"])
    report = stacks.detect_drift(STACK)
    assert report.resource("JobQueue").status == "DELETED"
    assert report.status == "DRIFTED"


def test_delete_removes_the_resources(stacks: CloudFormationStacks) -> None:
    deployment = stacks.deploy(STACK, ai_stack_template())
    assert stacks.delete(STACK) == "DELETE_COMPLETE"
    buckets = [b["Name"] for b in aws_client("s3").list_buckets()["Buckets"]]
    assert deployment.outputs["ArtifactBucketName"] not in buckets
    assert queue_names() == []
    with pytest.raises(NotFound):
        stacks.delete(STACK)
    with pytest.raises(NotFound):
        stacks.outputs(STACK)
