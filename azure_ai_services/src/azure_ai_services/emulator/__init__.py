"""The Azure emulator: ARM metadata, managed identity and the Azure AI services, served over local HTTPS."""
