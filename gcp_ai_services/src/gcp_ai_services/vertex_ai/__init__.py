"""Vertex AI lessons: custom training (``VertexTrainer``) and online serving (``VertexDeployer``)."""
