"""Containerized AI on AWS: a model-server image, ECR/ECS Fargate services, EKS manifests, Batch training.

Modules (import the one you need; none imports boto3 at package import time):

- ``model_server`` — the inference server the image runs (SageMaker's /ping + /invocations contract)
- ``image_build`` / ``image_lint`` — the Docker build context for it, and structural checks of it
- ``ecs_deployment`` — ECR repository, ECS cluster, Fargate task definition, service, autoscaling
- ``local_service`` — run an ECS service's tasks as local model-server processes (no Docker here)
- ``eks_deployment`` / ``k8s_manifests`` — EKS cluster and node group; Deployment/Service/HPA YAML
- ``batch_training`` / ``batch_local_run`` — AWS Batch compute environment, queue, training jobs
"""
