"""Azure Resource Manager in the emulator: resource groups, template deployments, Cost Management queries."""
