"""Google Cloud AI services over the official google-cloud-* clients, offline against the local cloud."""
