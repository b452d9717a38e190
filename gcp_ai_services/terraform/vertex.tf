# ----------------------------------------------------------------------------- Vertex AI
resource "google_vertex_ai_dataset" "training" {
  display_name        = "${local.name}-training"
  metadata_schema_uri = "gs://google-cloud-aiplatform/schema/dataset/metadata/tabular_1.0.0.yaml"
  region              = var.region
  labels              = { purpose = "training-data" }

  encryption_spec {
    kms_key_name = google_kms_crypto_key.stack.id
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

# Models are deployed to it by the training pipeline (notebook 01), not by Terraform: a deployment changes
# with every model version, the endpoint does not.
resource "google_vertex_ai_endpoint" "predict" {
  #checkov:skip=CKV2_GCP_33:Callers authenticate with IAM (only the two service accounts holding the custom predict role may call it); a VPC-peered private endpoint would need a reserved peering range plus VPC connectors for Cloud Run and the function, outside this stack.
  name         = var.vertex_endpoint_id
  display_name = "${local.name}-predict"
  description  = "Online predictions for the prediction API and the scoring function."
  location     = var.region
  region       = var.region
  labels       = { purpose = "online-prediction" }

  encryption_spec {
    kms_key_name = google_kms_crypto_key.stack.id
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}
