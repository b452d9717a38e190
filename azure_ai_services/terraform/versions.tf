terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.14"
    }
    # Managed online endpoints and deployments have no azurerm resource: azapi writes them through ARM.
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.2"
    }
  }
}
