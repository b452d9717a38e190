"""SageMaker-style script mode on Vertex AI: a training package whose launcher maps the SM_* contract."""
