# ----------------------------------------------------------------------------- Cloud Storage
resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:This bucket receives the artifact bucket's usage logs; logging it into itself would loop.
  name                        = "${local.name}-access-logs-${var.project_id}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = { purpose = "access-logs" }

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.stack.id
  }

  lifecycle_rule {
    condition {
      age = var.log_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

resource "google_storage_bucket" "artifacts" {
  name                        = "${local.name}-artifacts-${var.project_id}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = { purpose = "model-artifacts" }

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.stack.id
  }

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  lifecycle_rule {
    condition {
      age = var.nearline_after_days
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

# The scoring function's source: functions/predict zipped, named by its hash so a change redeploys it.
data "archive_file" "predict_source" {
  type        = "zip"
  source_dir  = "${path.module}/functions/predict"
  output_path = "${path.module}/.terraform/predict-source.zip"
  excludes    = ["__pycache__"]
}

resource "google_storage_bucket_object" "predict_source" {
  name         = "functions/predict-${data.archive_file.predict_source.output_md5}.zip"
  bucket       = google_storage_bucket.artifacts.name
  source       = data.archive_file.predict_source.output_path
  content_type = "application/zip"
}
