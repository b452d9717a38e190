"""Vertex AI datasets and AutoML: tabular and image training, evaluations, deployment; AutoML text status."""
