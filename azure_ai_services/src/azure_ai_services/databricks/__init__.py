"""Azure Databricks with its SDK: clusters, jobs whose Python tasks train models, MLflow runs and models."""
