variable "region" {
  type        = string
  description = "AWS region of every resource in the stack."
  default     = "us-east-1"
}

variable "project" {
  type        = string
  description = "Lower-case project prefix used in resource names and the project tag."
  default     = "cloudai"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Deployment stage: dev, staging or prod."
  default     = "dev"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags merged into the provider default_tags (e.g. owner, cost-center)."
  default     = {}
}

variable "inference_image_uri" {
  type        = string
  description = "ECR URI of the serving container, e.g. the SageMaker scikit-learn image for the region."
}

variable "model_artifact_key" {
  type        = string
  description = "Key of model.tar.gz inside the artifact bucket (uploaded by a training job)."
  default     = "models/latest/model.tar.gz"
}

variable "endpoint_instance_type" {
  type        = string
  description = "SageMaker real-time endpoint instance type."
  default     = "ml.m5.large"
}

variable "endpoint_instance_count" {
  type        = number
  description = "Number of endpoint instances (2 or more spreads them across Availability Zones)."
  default     = 1

  validation {
    condition     = var.endpoint_instance_count >= 1
    error_message = "endpoint_instance_count must be at least 1."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of the inference Lambda function in MB."
  default     = 256
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the inference Lambda (caps the endpoint's load)."
  default     = 10
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the Lambda and Step Functions log groups, in days."
  default     = 365
}

variable "noncurrent_version_days" {
  type        = number
  description = "Days after which superseded object versions are deleted from the buckets."
  default     = 30
}

variable "incoming_prefix" {
  type        = string
  description = "Key prefix in the artifact bucket whose new objects start the inference state machine."
  default     = "incoming/"
}
