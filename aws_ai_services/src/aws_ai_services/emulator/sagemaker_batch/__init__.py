"""SageMaker batch transform, server-side: the job's options, record handling and JSONPath filters."""
