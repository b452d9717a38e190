"""Terraform resource types that take tags (AWS, Azure) or labels (Google), and the argument's name.

Curated for the resources this curriculum writes (and their usual neighbours); a type that is not listed is
not checked. Sub-resources without tags (bucket policies, versioning, aliases, role policies, event targets)
are deliberately absent.
"""

from __future__ import annotations

AWS_TAGGABLE = frozenset(
    {
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_user",
        "aws_lambda_function",
        "aws_sfn_state_machine",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_bus",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_sagemaker_model",
        "aws_sagemaker_endpoint",
        "aws_sagemaker_endpoint_configuration",
        "aws_sagemaker_notebook_instance",
        "aws_sagemaker_domain",
        "aws_sagemaker_feature_group",
        "aws_sagemaker_model_package_group",
        "aws_sagemaker_pipeline",
        "aws_dynamodb_table",
        "aws_ecr_repository",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_eks_cluster",
        "aws_instance",
        "aws_vpc",
        "aws_subnet",
        "aws_security_group",
        "aws_lb",
        "aws_api_gateway_rest_api",
        "aws_apigatewayv2_api",
        "aws_secretsmanager_secret",
        "aws_ssm_parameter",
        "aws_kinesis_stream",
        "aws_efs_file_system",
        "aws_db_instance",
        "aws_glue_job",
        "aws_batch_compute_environment",
        "aws_cognito_user_pool",
        "aws_iot_topic_rule",
        "aws_greengrassv2_component_version",
    }
)

GOOGLE_LABELLABLE = frozenset(
    {
        "google_storage_bucket",
        "google_compute_instance",
        "google_compute_disk",
        "google_cloudfunctions_function",
        "google_cloudfunctions2_function",
        "google_cloud_run_v2_service",
        "google_cloud_run_v2_job",
        "google_vertex_ai_dataset",
        "google_vertex_ai_endpoint",
        "google_vertex_ai_featurestore",
        "google_vertex_ai_index",
        "google_vertex_ai_tensorboard",
        "google_bigquery_dataset",
        "google_bigquery_table",
        "google_pubsub_topic",
        "google_pubsub_subscription",
        "google_kms_crypto_key",
        "google_secret_manager_secret",
        "google_workflows_workflow",
        "google_artifact_registry_repository",
        "google_notebooks_instance",
        "google_workbench_instance",
        "google_dataproc_cluster",
        "google_container_cluster",
        "google_eventarc_trigger",
    }
)

AZURE_TAGGABLE = frozenset(
    {
        "azurerm_resource_group",
        "azurerm_storage_account",
        "azurerm_key_vault",
        "azurerm_key_vault_key",
        "azurerm_machine_learning_workspace",
        "azurerm_machine_learning_compute_cluster",
        "azurerm_machine_learning_compute_instance",
        "azurerm_application_insights",
        "azurerm_log_analytics_workspace",
        "azurerm_container_registry",
        "azurerm_container_group",
        "azurerm_linux_function_app",
        "azurerm_windows_function_app",
        "azurerm_service_plan",
        "azurerm_cognitive_account",
        "azurerm_eventgrid_topic",
        "azurerm_eventgrid_system_topic",
        "azurerm_servicebus_namespace",
        "azurerm_databricks_workspace",
        "azurerm_kubernetes_cluster",
        "azurerm_virtual_network",
        "azurerm_user_assigned_identity",
        "azurerm_search_service",
        "azurerm_iothub",
    }
)


def tag_argument(resource_type: str) -> str | None:
    """``"tags"``, ``"labels"`` or ``None`` when the type is not known to be taggable."""
    if resource_type in AWS_TAGGABLE or resource_type in AZURE_TAGGABLE:
        return "tags"
    if resource_type in GOOGLE_LABELLABLE:
        return "labels"
    return None


#: provider name -> the provider-block setting that tags every resource it creates
PROVIDER_DEFAULTS = {"aws": "default_tags", "google": "default_labels", "google-beta": "default_labels"}
