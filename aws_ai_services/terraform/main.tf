# The AWS AI stack: encrypted artifact storage, a SageMaker real-time endpoint, a Lambda that invokes it,
# and a Step Functions state machine started by EventBridge for every new object under var.incoming_prefix.
# Offline checks: `nox -s terraform` (terraform fmt, python-hcl2 structure checks, checkov).

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name       = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  tags = merge(
    {
      project     = var.project
      environment = var.environment
      managed-by  = "terraform"
    },
    var.tags,
  )
  lambda_log_group = "/aws/lambda/${local.name}-invoke-endpoint"
  sfn_log_group    = "/aws/vendedlogs/states/${local.name}-inference"
}

# ----------------------------------------------------------------------------- KMS
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:This is a key policy: Resource "*" means this key only, and the root principal delegates to IAM.
  #checkov:skip=CKV_AWS_356:Key policies can only name the key as "*"; access is narrowed by principals and conditions.
  #checkov:skip=CKV_AWS_109:The root-account statement is AWS's default key policy, which keeps the key manageable through IAM.
  statement {
    sid       = "EnableIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsLogGroups"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "artifacts" {
  description             = "${local.name}: artifacts, logs, queues and endpoint volumes"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = { purpose = "encryption" }
}

resource "aws_kms_alias" "artifacts" {
  name          = "alias/${local.name}-artifacts"
  target_key_id = aws_kms_key.artifacts.key_id
}

# ----------------------------------------------------------------------------- S3: access logs
resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_144:Access logs are operational data of one region; replicating them is not needed.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to new log objects, so event notifications stay off.
  #checkov:skip=CKV_AWS_145:S3 server access log delivery supports only SSE-S3 (AES256) target buckets.
  bucket = "${local.name}-access-logs-${local.account_id}"
  tags   = { purpose = "access-logs" }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# ----------------------------------------------------------------------------- S3: artifacts
resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_144:Single-region curriculum stack; versioning and lifecycle cover recovery, and replication would double storage cost.
  bucket = "${local.name}-artifacts-${local.account_id}"
  tags   = { purpose = "model-artifacts" }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.artifacts.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_logging" "artifacts" {
  bucket        = aws_s3_bucket.artifacts.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "artifacts/"
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    id     = "hygiene"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_iam_policy_document" "artifacts_tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = data.aws_iam_policy_document.artifacts_tls_only.json
}

resource "aws_s3_bucket_notification" "artifacts" {
  bucket      = aws_s3_bucket.artifacts.id
  eventbridge = true
}

# ----------------------------------------------------------------------------- SageMaker
data "aws_iam_policy_document" "sagemaker_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "sagemaker" {
  statement {
    sid       = "ListArtifactBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.artifacts.arn]
  }

  statement {
    sid       = "ReadInputsWriteModels"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }

  statement {
    sid       = "UseArtifactKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.artifacts.arn]
  }

  statement {
    sid       = "WriteSageMakerLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/sagemaker/*"]
  }

  statement {
    sid       = "PullServingImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = ["arn:${local.partition}:ecr:${var.region}:*:repository/*"]
  }

  statement {
    sid       = "PublishMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*", "AWS/SageMaker"]
    }
  }
}

resource "aws_iam_role" "sagemaker" {
  name               = "${local.name}-sagemaker-execution"
  description        = "Execution role of the stack's SageMaker training jobs and endpoint (least privilege)"
  assume_role_policy = data.aws_iam_policy_document.sagemaker_trust.json
  tags               = { purpose = "sagemaker-execution" }
}

resource "aws_iam_role_policy" "sagemaker" {
  name   = "sagemaker-least-privilege"
  role   = aws_iam_role.sagemaker.id
  policy = data.aws_iam_policy_document.sagemaker.json
}

resource "aws_sagemaker_model" "model" {
  name                     = "${local.name}-model"
  execution_role_arn       = aws_iam_role.sagemaker.arn
  enable_network_isolation = true

  primary_container {
    image          = var.inference_image_uri
    model_data_url = "s3://${aws_s3_bucket.artifacts.bucket}/${var.model_artifact_key}"
  }

  tags = { purpose = "model" }
}

resource "aws_sagemaker_endpoint_configuration" "model" {
  name        = "${local.name}-endpoint-config"
  kms_key_arn = aws_kms_key.artifacts.arn

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.model.name
    instance_type          = var.endpoint_instance_type
    initial_instance_count = var.endpoint_instance_count
  }

  tags = { purpose = "endpoint-config" }
}

resource "aws_sagemaker_endpoint" "model" {
  name                 = "${local.name}-endpoint"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.model.name
  tags                 = { purpose = "endpoint" }
}

# ----------------------------------------------------------------------------- Lambda
data "archive_file" "invoke" {
  type        = "zip"
  output_path = "${path.module}/.terraform/build/invoke_endpoint.zip"

  source {
    filename = "handler.py"
    content  = <<-PYTHON
      """Invoke the SageMaker endpoint with the CSV rows of the event and return its predictions."""
      import json
      import os

      import boto3

      RUNTIME = boto3.client("sagemaker-runtime")


      def handler(event, context):
          rows = event.get("rows") or [[0.0]]
          body = "\n".join(",".join(str(value) for value in row) for row in rows)
          answer = RUNTIME.invoke_endpoint(
              EndpointName=os.environ["ENDPOINT_NAME"], ContentType="text/csv", Body=body
          )
          return {"predictions": json.loads(answer["Body"].read()), "source": event.get("detail", {})}
    PYTHON
  }
}

resource "aws_sqs_queue" "lambda_dlq" {
  name                      = "${local.name}-invoke-dlq"
  kms_master_key_id         = aws_kms_key.artifacts.arn
  message_retention_seconds = 1209600
  tags                      = { purpose = "dead-letters" }
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = local.lambda_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.artifacts.arn
  tags              = { purpose = "lambda-logs" }
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  statement {
    sid       = "InvokeTheEndpoint"
    actions   = ["sagemaker:InvokeEndpoint"]
    resources = [aws_sagemaker_endpoint.model.arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.lambda_dlq.arn]
  }

  statement {
    sid       = "UseKeyForDeadLettersAndEnvironment"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.artifacts.arn]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${local.name}-invoke-endpoint"
  description        = "Execution role of the endpoint-invoking Lambda function"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  tags               = { purpose = "lambda-execution" }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "invoke-endpoint-least-privilege"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_lambda_function" "invoke" {
  #checkov:skip=CKV_AWS_117:The function only calls the regional SageMaker runtime API; attach vpc_config when the account's network requires it.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile outside this stack; the zip is built from reviewed inline source.
  function_name                  = "${local.name}-invoke-endpoint"
  description                    = "Invokes the SageMaker endpoint with the rows of the event"
  role                           = aws_iam_role.lambda.arn
  runtime                        = "python3.12"
  handler                        = "handler.handler"
  filename                       = data.archive_file.invoke.output_path
  source_code_hash               = data.archive_file.invoke.output_base64sha256
  memory_size                    = var.lambda_memory_mb
  timeout                        = 30
  reserved_concurrent_executions = var.lambda_reserved_concurrency
  kms_key_arn                    = aws_kms_key.artifacts.arn

  environment {
    variables = {
      ENDPOINT_NAME = aws_sagemaker_endpoint.model.name
    }
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.lambda_dlq.arn
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.lambda]
  tags       = { purpose = "inference" }
}

# ----------------------------------------------------------------------------- Step Functions
resource "aws_cloudwatch_log_group" "sfn" {
  name              = local.sfn_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.artifacts.arn
  tags              = { purpose = "state-machine-logs" }
}

data "aws_iam_policy_document" "sfn_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "sfn" {
  statement {
    sid       = "InvokeTheFunction"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.invoke.arn, "${aws_lambda_function.invoke.arn}:*"]
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "sfn" {
  name               = "${local.name}-inference-state-machine"
  description        = "Role of the inference state machine"
  assume_role_policy = data.aws_iam_policy_document.sfn_trust.json
  tags               = { purpose = "state-machine" }
}

resource "aws_iam_role_policy" "sfn" {
  name   = "inference-state-machine"
  role   = aws_iam_role.sfn.id
  policy = data.aws_iam_policy_document.sfn.json
}

resource "aws_sfn_state_machine" "inference" {
  name     = "${local.name}-inference"
  role_arn = aws_iam_role.sfn.arn

  definition = jsonencode({
    Comment = "Predict for a new object: invoke the endpoint Lambda with retries, fail loudly otherwise"
    StartAt = "Predict"
    States = {
      Predict = {
        Type     = "Task"
        Resource = "arn:${local.partition}:states:::lambda:invoke"
        Parameters = {
          FunctionName = aws_lambda_function.invoke.arn
          "Payload.$"  = "$"
        }
        OutputPath = "$.Payload"
        Retry = [{
          ErrorEquals     = ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "States.Timeout"]
          IntervalSeconds = 2
          MaxAttempts     = 3
          BackoffRate     = 2
        }]
        Catch = [{ ErrorEquals = ["States.ALL"], Next = "PredictionFailed" }]
        End   = true
      }
      PredictionFailed = {
        Type  = "Fail"
        Error = "PredictionFailed"
        Cause = "the endpoint Lambda failed after retries"
      }
    }
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.sfn.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  tags = { purpose = "inference-orchestration" }
}

# ----------------------------------------------------------------------------- EventBridge
resource "aws_cloudwatch_event_rule" "incoming" {
  name        = "${local.name}-incoming-object"
  description = "A new object under ${var.incoming_prefix} in the artifact bucket starts the inference state machine"

  event_pattern = jsonencode({
    source      = ["aws.s3"]
    detail-type = ["Object Created"]
    detail = {
      bucket = { name = [aws_s3_bucket.artifacts.bucket] }
      object = { key = [{ prefix = var.incoming_prefix }] }
    }
  })

  tags = { purpose = "inference-trigger" }
}

data "aws_iam_policy_document" "events_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "events" {
  statement {
    sid       = "StartInference"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.inference.arn]
  }
}

resource "aws_iam_role" "events" {
  name               = "${local.name}-start-inference"
  description        = "Lets EventBridge start the inference state machine"
  assume_role_policy = data.aws_iam_policy_document.events_trust.json
  tags               = { purpose = "event-delivery" }
}

resource "aws_iam_role_policy" "events" {
  name   = "start-inference"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.events.json
}

resource "aws_cloudwatch_event_target" "incoming" {
  rule     = aws_cloudwatch_event_rule.incoming.name
  arn      = aws_sfn_state_machine.inference.arn
  role_arn = aws_iam_role.events.arn
}
