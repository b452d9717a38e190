"""Cloud Storage over google-cloud-storage."""
