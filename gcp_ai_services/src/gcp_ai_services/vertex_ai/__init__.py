"""Vertex AI lessons: VertexTrainer, VertexDeployer, VertexPipelines and the model monitoring distances."""
