variable "subscription_id" {
  type        = string
  description = "Azure subscription that receives the stack (azurerm 4 requires it to be explicit)."
}

variable "location" {
  type        = string
  description = "Azure region of every resource in the stack, e.g. westeurope."
  default     = "westeurope"
}

variable "project" {
  type        = string
  description = "Lower-case project prefix used in resource names and the project tag (letters and digits only: storage account and Key Vault names allow no dashes)."
  default     = "cloudai"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.project))
    error_message = "project must be 2-12 lower-case letters or digits, starting with a letter."
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
  description = "Extra tags merged into every resource's tags (e.g. owner, cost-center)."
  default     = {}
}

variable "allowed_ip_ranges" {
  type        = list(string)
  description = "Public CIDR ranges (your office or laptop) allowed through the storage and Key Vault firewalls."
  default     = []
}

variable "compute_max_nodes" {
  type        = number
  description = "Upper bound of the training cluster; it scales to zero nodes when idle."
  default     = 2

  validation {
    condition     = var.compute_max_nodes >= 1 && var.compute_max_nodes <= 10
    error_message = "compute_max_nodes must be between 1 and 10."
  }
}

variable "compute_vm_size" {
  type        = string
  description = "VM size of the training cluster nodes (CPU is enough for the curriculum's scikit-learn jobs)."
  default     = "Standard_DS3_v2"
}

variable "online_instance_type" {
  type        = string
  description = "VM size of the managed online deployment serving the model."
  default     = "Standard_DS2_v2"
}

variable "model_id" {
  type        = string
  description = "ARM id of the registered model the online deployment serves (azureml model asset, name/versions/N)."
}

variable "blue_traffic_percent" {
  type        = number
  description = "Share of the endpoint's traffic sent to the blue deployment (the rest is not routed until green exists)."
  default     = 100

  validation {
    condition     = var.blue_traffic_percent >= 0 && var.blue_traffic_percent <= 100
    error_message = "blue_traffic_percent must be between 0 and 100."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days the Log Analytics workspace keeps logs and Application Insights telemetry."
  default     = 30
}
