"""Azure Container Instances: ARM container groups whose Python containers run as local processes."""
