"""Serverless AWS: Lambda functions and their triggers, Step Functions workflows, EventBridge routing."""
