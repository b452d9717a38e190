# ----------------------------------------------------------------------------- Service accounts, least privilege
# One identity per workload; every grant names the one resource it is for, except the two that Google only
# grants per project (a custom role holding the single predict permission, and Eventarc's event receiver).
resource "google_service_account" "scorer" {
  account_id   = "${local.name}-scorer"
  display_name = "Scoring function: predicts with the endpoint, writes results to the artifact bucket"
}

resource "google_service_account" "api" {
  account_id   = "${local.name}-api"
  display_name = "Prediction API (Cloud Run): predicts with the endpoint, publishes requests"
}

resource "google_service_account" "trigger" {
  account_id   = "${local.name}-trigger"
  display_name = "Eventarc trigger: delivers the topic's messages to the scoring function"
}

resource "google_project_iam_custom_role" "vertex_predictor" {
  role_id     = "${replace(local.name, "-", "_")}_vertex_predictor"
  title       = "Vertex AI predictor (${local.name})"
  description = "Only online predictions on Vertex AI endpoints: no deploy, no model or dataset access."
  permissions = ["aiplatform.endpoints.predict"]
}

resource "google_project_iam_member" "predictors" {
  for_each = {
    scorer = google_service_account.scorer.member
    api    = google_service_account.api.member
  }
  project = var.project_id
  role    = google_project_iam_custom_role.vertex_predictor.name
  member  = each.value
}

resource "google_storage_bucket_iam_member" "scorer_writes_results" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.scorer.member
}

resource "google_pubsub_topic_iam_member" "api_publishes" {
  topic  = google_pubsub_topic.requests.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.api.member
}

resource "google_project_iam_member" "trigger_receives_events" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invokes_scorer" {
  name     = google_cloudfunctions2_function.predict.service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}
