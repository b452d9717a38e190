"""Container Instances state: the groups and the ARM long-running operations that provision them."""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.operations import AsyncOperation, AsyncOperationStore

from azure_ai_services.emulator.container_instances.groups import PROVIDER, ContainerGroup, ContainerGroups


class ContainerInstances:
    """Create, start, stop, restart and delete groups; provisioning runs as ``Azure-AsyncOperation``."""

    def __init__(self) -> None:
        self.groups = ContainerGroups()
        self.operations = AsyncOperationStore()

    @staticmethod
    def _scope(group: ContainerGroup) -> str:
        return f"/subscriptions/{group.subscription}/providers/{PROVIDER}/locations/{group.location}"

    def provision(self, group: ContainerGroup) -> AsyncOperation:
        """Start the group's containers in the background; the operation fails as the group does."""
        group.provisioning_state = "Pending" if not group.containers else "Updating"

        def work(operation: AsyncOperation) -> dict[str, Any]:
            try:
                group.start()
            except AzureError:
                group.provisioning_state = "Failed"
                raise
            group.provisioning_state = "Succeeded"
            return group.arm()

        return self.operations.start(self._scope(group), work)

    def start(self, group: ContainerGroup) -> AsyncOperation:
        self.groups.check_quota(group)
        return self.provision(group)

    def stop(self, group: ContainerGroup) -> None:
        group.stop_containers("Container group stopped")
        group.stopped = True

    def restart(self, group: ContainerGroup) -> None:
        if group.stopped or group.failure:
            raise AzureError(
                409,
                "Conflict",
                f"Container group '{group.name}' is {group.state()}; start it (POST .../start) instead.",
            )
        for run in group.containers:
            run.stop("Restarting container group")
            run.restart_count += 1
            run.start()

    def close(self) -> None:
        self.groups.close()

    def reset(self) -> None:
        self.groups.reset()
