"""SageMaker's server side of real-time inference: endpoint setup, the container, capture and metrics."""
