"""SageMaker hyperparameter tuning, server-side: the trials of every tuning job are real training jobs."""
