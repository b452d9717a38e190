"""Azure wire conventions (ARM and data-plane services): routing, error bodies, long-running operations."""
