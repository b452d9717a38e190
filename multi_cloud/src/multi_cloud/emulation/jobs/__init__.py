"""Running training scripts under a cloud's container contract: process groups, the script runner, job stores."""
