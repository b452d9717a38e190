"""Azure Key Vault's data plane (secrets and keys) as the azure-keyvault-* clients call it."""
