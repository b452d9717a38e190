# The GCP AI stack: CMEK-encrypted Cloud Storage, a Vertex AI dataset and endpoint, a Pub/Sub topic whose
# messages a Cloud Function (v2) scores against the endpoint, a Cloud Run prediction API that publishes to it,
# and one service account per workload with only the permissions it uses.
# Offline checks: `nox -s terraform` (terraform fmt, python-hcl2 structure checks, checkov).

provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = local.labels
}

data "google_project" "current" {}

# The project's own copy of Cloud Storage's service agent (created on first use).
data "google_storage_project_service_account" "gcs" {}

locals {
  name = "${var.name_prefix}-${var.environment}"
  labels = merge(
    {
      project     = var.name_prefix
      environment = var.environment
      managed-by  = "terraform"
    },
    var.labels,
  )
  # Google-managed service agents that encrypt and decrypt with the stack's key on its behalf
  service_agents = {
    storage   = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
    pubsub    = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    vertex    = "serviceAccount:service-${data.google_project.current.number}@gcp-sa-aiplatform.iam.gserviceaccount.com"
    cloud_run = "serviceAccount:service-${data.google_project.current.number}@serverless-robot-prod.iam.gserviceaccount.com"
    # Cloud Functions copies the (CMEK-encrypted) source object for the build
    functions = "serviceAccount:service-${data.google_project.current.number}@gcf-admin-robot.iam.gserviceaccount.com"
  }
}

# ----------------------------------------------------------------------------- KMS (customer-managed key)
resource "google_kms_key_ring" "stack" {
  name     = "${local.name}-keys"
  location = var.region
}

resource "google_kms_crypto_key" "stack" {
  #checkov:skip=CKV_GCP_82:Cloud KMS keys cannot be deleted (destroy only disables their versions); prevent_destroy would also block `terraform destroy` of this teaching stack.
  name            = "${local.name}-data"
  key_ring        = google_kms_key_ring.stack.id
  rotation_period = "7776000s" # 90 days
  purpose         = "ENCRYPT_DECRYPT"
  labels          = { purpose = "encryption" }
}

resource "google_kms_crypto_key_iam_member" "service_agents" {
  for_each      = local.service_agents
  crypto_key_id = google_kms_crypto_key.stack.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}
