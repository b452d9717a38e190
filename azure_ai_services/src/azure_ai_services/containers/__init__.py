"""Containers on Azure: Container Instances (azure-mgmt-containerinstance), AKS manifests checked offline."""
