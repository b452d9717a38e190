"""Least-privilege IAM policy documents for this package's own operations, scoped by a PolicyScope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

POLICY_VERSION = "2012-10-17"

PolicyDocument = dict[str, Any]


@dataclass(frozen=True)
class PolicyScope:
    """Where the package works: one account and region, one artifact bucket, names under one prefix.

    Every field may also be a CloudFormation substitution (``"${AWS::AccountId}"``, ``"${ArtifactBucket}"``);
    :func:`as_cloudformation` then wraps the strings that contain one in ``Fn::Sub``.
    """

    account_id: str
    region: str
    bucket: str
    name_prefix: str = "cloudai"
    key_arn: str = ""
    execution_role_arn: str = ""
    partition: str = "aws"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        where = f"{self.region if region else ''}:{self.account_id if account else ''}"
        return f"arn:{self.partition}:{service}:{where}:{resource}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"

    @property
    def objects_arn(self) -> str:
        return f"{self.bucket_arn}/*"

    def sagemaker(self, kind: str) -> str:
        """ARN pattern of this package's SageMaker resources of ``kind`` ("training-job", "endpoint", ...)."""
        return self.arn("sagemaker", f"{kind}/{self.name_prefix}*")

    def log_group(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}")

    def log_streams(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}:log-stream:*")

    @property
    def role_arn(self) -> str:
        return self.execution_role_arn or self.arn("iam", f"role/{self.name_prefix}-*", region=False)


def statement(sid: str, actions: list[str], resources: list[str] | str, **extra: Any) -> dict[str, Any]:
    """One Allow statement; ``extra`` adds e.g. ``Condition``."""
    body: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions)}
    body["Resource"] = resources
    body.update(extra)
    return body


def policy(*statements: dict[str, Any]) -> PolicyDocument:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def trust_policy(service_principal: str) -> PolicyDocument:
    """The role trust policy letting ``service_principal`` (e.g. ``sagemaker.amazonaws.com``) assume it."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service_principal}, "Action": "sts:AssumeRole"}
        ],
    }


def _pass_role(scope: PolicyScope, service: str = "sagemaker.amazonaws.com") -> dict[str, Any]:
    """iam:PassRole only for the execution role, and only to SageMaker (the classic escalation path)."""
    return statement(
        "PassExecutionRoleToSageMakerOnly",
        ["iam:PassRole"],
        scope.role_arn,
        Condition={"StringEquals": {"iam:PassedToService": service}},
    )


def _kms_data_keys(scope: PolicyScope, sid: str) -> list[dict[str, Any]]:
    if not scope.key_arn:
        return []
    return [statement(sid, ["kms:Decrypt", "kms:GenerateDataKey"], scope.key_arn)]


def training_execution_policy(scope: PolicyScope) -> PolicyDocument:
    """What a SageMaker training job's execution role needs: its data, its logs, its metrics.

    No ECR statements: SageMaker pulls its own framework images. A custom image in your account needs
    ``ecr:BatchGetImage``/``ecr:GetDownloadUrlForLayer`` on that repository and
    ``ecr:GetAuthorizationToken``.
    """
    group = "/aws/sagemaker/TrainingJobs"
    return policy(
        statement("ListArtifactBucket", ["s3:ListBucket"], scope.bucket_arn),
        statement("ReadInputsWriteModels", ["s3:GetObject", "s3:PutObject"], scope.objects_arn),
        *_kms_data_keys(scope, "UseArtifactKey"),
        statement("CreateTrainingLogGroup", ["logs:CreateLogGroup"], scope.log_group(group)),
        statement(
            "WriteTrainingLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            scope.log_streams(group),
        ),
        statement(
            "PublishTrainingMetrics",
            ["cloudwatch:PutMetricData"],
            "*",
            Condition={"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}},
        ),
    )


def training_operator_policy(scope: PolicyScope) -> PolicyDocument:
    """What this package's caller needs to launch, watch and stop training jobs (``sagemaker/``)."""
    group = "/aws/sagemaker/TrainingJobs"
    return policy(
        statement(
            "ManageOwnTrainingJobs",
            ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"],
            scope.sagemaker("training-job"),
        ),
        statement("ListTrainingJobs", ["sagemaker:ListTrainingJobs"], "*"),
        _pass_role(scope),
        statement("ListArtifactBucket", ["s3:ListBucket"], scope.bucket_arn),
        statement("StageCodeAndReadModels", ["s3:GetObject", "s3:PutObject"], scope.objects_arn),
        *_kms_data_keys(scope, "UseArtifactKey"),
        statement("ReadTrainingLogs", ["logs:DescribeLogStreams"], scope.log_group(group)),
        statement("ReadTrainingLogEvents", ["logs:GetLogEvents"], scope.log_streams(group)),
    )


def deployment_policy(scope: PolicyScope) -> PolicyDocument:
    """Create, update, invoke and delete this package's models, endpoint configs and endpoints."""
    kinds = ("model", "endpoint-config", "endpoint")
    return policy(
        statement(
            "ManageOwnModels",
            ["sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel"],
            scope.sagemaker("model"),
        ),
        statement(
            "ManageOwnEndpointConfigs",
            [
                "sagemaker:CreateEndpointConfig",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DeleteEndpointConfig",
            ],
            scope.sagemaker("endpoint-config"),
        ),
        statement(
            "ManageOwnEndpoints",
            [
                "sagemaker:CreateEndpoint",
                "sagemaker:UpdateEndpoint",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DeleteEndpoint",
                "sagemaker:InvokeEndpoint",
            ],
            [scope.sagemaker(kind) for kind in kinds if kind != "model"],
        ),
        statement("ListEndpoints", ["sagemaker:ListEndpoints"], "*"),
        _pass_role(scope),
        statement("ReadModelArtifacts", ["s3:GetObject"], scope.objects_arn),
        *_kms_data_keys(scope, "DecryptModelArtifacts"),
    )


def ai_services_read_only_policy(scope: PolicyScope) -> PolicyDocument:
    """The stateless AI APIs the package calls (they take no resource ARN, so ``*`` is their only scope)."""
    return policy(
        statement(
            "AnalyseImages",
            [
                "rekognition:DetectFaces",
                "rekognition:DetectLabels",
                "rekognition:DetectText",
                "rekognition:DetectModerationLabels",
            ],
            "*",
        ),
        statement(
            "AnalyseText",
            [
                "comprehend:DetectDominantLanguage",
                "comprehend:DetectEntities",
                "comprehend:DetectKeyPhrases",
                "comprehend:DetectPiiEntities",
                "comprehend:DetectSentiment",
            ],
            "*",
        ),
        statement("SynthesizeSpeech", ["polly:DescribeVoices", "polly:SynthesizeSpeech"], "*"),
        statement("TranslateText", ["translate:TranslateText"], "*"),
        statement("ReadImagesFromArtifactBucket", ["s3:GetObject"], scope.objects_arn),
    )


def lambda_execution_policy(scope: PolicyScope, function_name: str) -> PolicyDocument:
    """A Lambda handler of this package: its own log group, its endpoint, its bucket prefix."""
    group = f"/aws/lambda/{function_name}"
    return policy(
        statement("CreateOwnLogGroup", ["logs:CreateLogGroup"], scope.log_group(group)),
        statement("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], scope.log_streams(group)),
        statement("InvokeOwnEndpoints", ["sagemaker:InvokeEndpoint"], scope.sagemaker("endpoint")),
        statement(
            "ReadWriteOwnPrefix", ["s3:GetObject", "s3:PutObject"], f"{scope.bucket_arn}/{function_name}/*"
        ),
        *_kms_data_keys(scope, "UseArtifactKey"),
    )


def package_policies(scope: PolicyScope) -> dict[str, PolicyDocument]:
    """Every policy this package needs, by name (what the linter checks and the templates attach)."""
    return {
        "training-execution": training_execution_policy(scope),
        "training-operator": training_operator_policy(scope),
        "deployment": deployment_policy(scope),
        "ai-services-read-only": ai_services_read_only_policy(scope),
        "lambda-execution": lambda_execution_policy(scope, f"{scope.name_prefix}-handler"),
    }


def as_cloudformation(value: Any) -> Any:
    """``value`` with every string containing ``${...}`` wrapped in ``{"Fn::Sub": ...}``."""
    if isinstance(value, str):
        return {"Fn::Sub": value} if "${" in value else value
    if isinstance(value, Mapping):
        return {key: as_cloudformation(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_cloudformation(item) for item in value]
    return value
