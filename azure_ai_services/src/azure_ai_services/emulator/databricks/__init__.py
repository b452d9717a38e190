"""An Azure Databricks workspace's REST API: clusters, jobs run locally, workspace, DBFS and MLflow."""
