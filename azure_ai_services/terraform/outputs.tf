output "resource_group_name" {
  description = "Resource group holding the whole stack."
  value       = azurerm_resource_group.this.name
}

output "workspace_name" {
  description = "Azure Machine Learning workspace name, for MLClient(credential, subscription_id, resource_group, workspace_name)."
  value       = azurerm_machine_learning_workspace.this.name
}

output "compute_cluster_name" {
  description = "Training cluster for command and sweep jobs (scales to zero when idle)."
  value       = azurerm_machine_learning_compute_cluster.training.name
}

output "online_endpoint_name" {
  description = "Managed online endpoint serving the model's blue deployment."
  value       = azapi_resource.online_endpoint.name
}

output "key_vault_uri" {
  description = "Key Vault URI holding the endpoint key (secret endpoint-key)."
  value       = azurerm_key_vault.this.vault_uri
}

output "function_app_hostname" {
  description = "Default host name of the Function App calling the endpoint."
  value       = azurerm_linux_function_app.scoring.default_hostname
}

output "storage_account_name" {
  description = "Workspace and Functions storage account (shared keys disabled: use Entra ID)."
  value       = azurerm_storage_account.this.name
}
