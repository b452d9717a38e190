variable "project_id" {
  type        = string
  description = "ID of the Google Cloud project that holds every resource of the stack."
}

variable "region" {
  type        = string
  description = "Region of the bucket, the key ring, Vertex AI, the function and the Cloud Run service."
  default     = "us-central1"
}

variable "name_prefix" {
  type        = string
  description = "Lower-case prefix of every resource name (at most 13 characters: service account IDs stop at 30)."
  default     = "cloudai"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,12}$", var.name_prefix))
    error_message = "name_prefix must be 2-13 lower-case letters, digits or dashes, starting with a letter."
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

variable "labels" {
  type        = map(string)
  description = "Extra labels merged into the provider's default_labels (e.g. owner, cost-center)."
  default     = {}
}

variable "vertex_endpoint_id" {
  type        = string
  description = "Numeric ID of the Vertex AI endpoint (at most 10 digits, no leading zero), unique in the region."
  default     = "2026120301"

  validation {
    condition     = can(regex("^[1-9][0-9]{0,9}$", var.vertex_endpoint_id))
    error_message = "vertex_endpoint_id must be 1-10 digits without a leading zero."
  }
}

variable "api_image" {
  type        = string
  description = "Container image of the Cloud Run prediction API (Artifact Registry path with a digest or tag)."
  default     = "us-docker.pkg.dev/cloudrun/container/hello:latest"
}

variable "max_instances" {
  type        = number
  description = "Upper bound of instances for the function and the Cloud Run service (caps cost and load)."
  default     = 3

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 100
    error_message = "max_instances must be between 1 and 100."
  }
}

variable "function_memory" {
  type        = string
  description = "Memory of the scoring Cloud Function, as Cloud Functions writes it (256M, 512M, 1Gi...)."
  default     = "256M"
}

variable "noncurrent_version_days" {
  type        = number
  description = "Days after which superseded object versions are deleted from the buckets."
  default     = 30
}

variable "nearline_after_days" {
  type        = number
  description = "Days after which live artifacts move to the cheaper NEARLINE storage class."
  default     = 60
}

variable "log_retention_days" {
  type        = number
  description = "Days the access-log bucket keeps its objects."
  default     = 365
}

variable "message_retention" {
  type        = string
  description = "How long the topic and the audit subscription keep messages (a duration in seconds, e.g. 604800s)."
  default     = "604800s"
}
