"""Cloud Run v2 in the local cloud: services from source, one local process per revision, traffic split."""
