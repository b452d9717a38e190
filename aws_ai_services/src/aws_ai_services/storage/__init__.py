"""Amazon S3 object storage."""
