# ----------------------------------------------------------------------------- Pub/Sub
resource "google_pubsub_topic" "requests" {
  name                       = "${local.name}-prediction-requests"
  kms_key_name               = google_kms_crypto_key.stack.id
  message_retention_duration = var.message_retention
  labels                     = { purpose = "prediction-requests" }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

# A pull subscription that keeps every request for audits and replays (the function gets its own, via Eventarc).
resource "google_pubsub_subscription" "audit" {
  name                       = "${local.name}-prediction-requests-audit"
  topic                      = google_pubsub_topic.requests.id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention
  retain_acked_messages      = true
  labels                     = { purpose = "audit" }

  expiration_policy {
    ttl = "" # never expires, even when nobody pulls for a while
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
}

# ----------------------------------------------------------------------------- Cloud Functions (2nd gen)
resource "google_cloudfunctions2_function" "predict" {
  name        = "${local.name}-score-requests"
  location    = var.region
  description = "Scores each prediction request published to the topic against the Vertex AI endpoint."
  labels      = { purpose = "batch-scoring" }

  build_config {
    runtime     = "python312"
    entry_point = "score_request"
    source {
      storage_source {
        bucket = google_storage_bucket.artifacts.name
        object = google_storage_bucket_object.predict_source.name
      }
    }
  }

  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = 60
    max_instance_count             = var.max_instances
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.scorer.email
    environment_variables = {
      VERTEX_ENDPOINT = google_vertex_ai_endpoint.predict.id
      RESULTS_BUCKET  = google_storage_bucket.artifacts.name
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.requests.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
  }
}

# ----------------------------------------------------------------------------- Cloud Run (v2)
resource "google_cloud_run_v2_service" "api" {
  name                = "${local.name}-prediction-api"
  location            = var.region
  description         = "The prediction API: answers online requests and queues batch requests on the topic."
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = false
  labels              = { purpose = "prediction-api" }

  template {
    service_account = google_service_account.api.email
    encryption_key  = google_kms_crypto_key.stack.id
    timeout         = "30s"

    scaling {
      min_instance_count = 0
      max_instance_count = var.max_instances
    }

    containers {
      image = var.api_image

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle = true
      }

      env {
        name  = "VERTEX_ENDPOINT"
        value = google_vertex_ai_endpoint.predict.id
      }
      env {
        name  = "REQUESTS_TOPIC"
        value = google_pubsub_topic.requests.id
      }
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}
