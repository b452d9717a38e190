"""Azure ML through ``azure-ai-ml``'s ``MLClient``: command jobs (training) on a compute cluster."""
