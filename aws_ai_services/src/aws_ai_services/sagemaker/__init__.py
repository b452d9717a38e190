"""Amazon SageMaker: script-mode training jobs, model deployment, prediction and batch transform."""
