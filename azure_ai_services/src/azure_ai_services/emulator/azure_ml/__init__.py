"""Azure ML's ARM resources in the local cloud: workspace, datastores, code, environments, computes, jobs."""
