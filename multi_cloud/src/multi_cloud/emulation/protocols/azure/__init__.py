"""Azure wire conventions (ARM and the data-plane services): error bodies and long-running operations."""
