"""AWS AI services through boto3: S3 storage and SageMaker training, deployment and batch transform."""
