"""Cloud TPU lessons: the control plane over ``google-cloud-tpu``, XLA with JAX on CPU, cost arithmetic."""
