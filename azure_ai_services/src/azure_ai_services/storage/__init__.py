"""Azure Blob Storage (Azurite in local mode) behind the object-storage capability."""
