output "artifact_bucket_name" {
  description = "Name of the CMEK-encrypted, versioned artifact bucket (training data, models, function source)."
  value       = google_storage_bucket.artifacts.name
}

output "access_log_bucket_name" {
  description = "Name of the bucket receiving the artifact bucket's usage and storage logs."
  value       = google_storage_bucket.access_logs.name
}

output "kms_key_id" {
  description = "ID of the customer-managed key that encrypts the buckets, the topic, Vertex AI and Cloud Run."
  value       = google_kms_crypto_key.stack.id
}

output "vertex_dataset_id" {
  description = "Resource name of the Vertex AI tabular dataset."
  value       = google_vertex_ai_dataset.training.id
}

output "vertex_endpoint_id" {
  description = "Resource name of the Vertex AI endpoint that models are deployed to."
  value       = google_vertex_ai_endpoint.predict.id
}

output "requests_topic_id" {
  description = "ID of the Pub/Sub topic of prediction requests."
  value       = google_pubsub_topic.requests.id
}

output "audit_subscription_id" {
  description = "ID of the pull subscription that keeps every prediction request."
  value       = google_pubsub_subscription.audit.id
}

output "scoring_function_name" {
  description = "Name of the Cloud Function (2nd gen) that scores each published request."
  value       = google_cloudfunctions2_function.predict.name
}

output "api_uri" {
  description = "URI of the Cloud Run prediction API (reachable through an internal load balancer only)."
  value       = google_cloud_run_v2_service.api.uri
}

output "service_account_emails" {
  description = "E-mail of each workload's service account: scorer (function), api (Cloud Run), trigger (Eventarc)."
  value = {
    scorer  = google_service_account.scorer.email
    api     = google_service_account.api.email
    trigger = google_service_account.trigger.email
  }
}
