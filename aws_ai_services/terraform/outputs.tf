output "endpoint_name" {
  description = "Name of the SageMaker real-time endpoint."
  value       = aws_sagemaker_endpoint.model.name
}

output "artifact_bucket_name" {
  description = "Name of the encrypted, versioned artifact bucket."
  value       = aws_s3_bucket.artifacts.bucket
}

output "access_log_bucket_name" {
  description = "Name of the bucket receiving the artifact bucket's server access logs."
  value       = aws_s3_bucket.access_logs.bucket
}

output "sagemaker_role_arn" {
  description = "ARN of the SageMaker execution role."
  value       = aws_iam_role.sagemaker.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the buckets, logs, queue and endpoint volumes."
  value       = aws_kms_key.artifacts.arn
}

output "lambda_function_name" {
  description = "Name of the Lambda function that invokes the endpoint."
  value       = aws_lambda_function.invoke.function_name
}

output "state_machine_arn" {
  description = "ARN of the Step Functions state machine run for each new incoming object."
  value       = aws_sfn_state_machine.inference.arn
}

output "event_rule_name" {
  description = "Name of the EventBridge rule routing new incoming objects to the state machine."
  value       = aws_cloudwatch_event_rule.incoming.name
}
