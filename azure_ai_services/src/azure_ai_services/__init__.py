"""Azure AI services through Microsoft's official clients: Blob storage and the Azure AI services."""
