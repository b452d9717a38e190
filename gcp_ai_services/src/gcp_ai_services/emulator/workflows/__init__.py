"""Workflows v1 and Workflow Executions v1 in the local cloud: a real subset of the syntax, executed."""
