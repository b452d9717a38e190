"""Cloud TPU v2's control plane for the local cloud: nodes, accelerator types, runtimes, core quotas."""
