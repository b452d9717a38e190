"""Running training scripts under a cloud's container contract: process groups, runner, fork server."""
