"""What the local Azure ML accepts: curated environments and compute sizes, with the local quota."""

from __future__ import annotations

import re

from multi_cloud.emulation.protocols.azure.errors import AzureError

#: curated environment names (scikit-learn and friends run in the emulator's own Python)
CURATED = re.compile(
    r"^(AzureML-[\w.-]+|sklearn-[\d.]+|lightgbm-[\d.]+-ubuntu[\d.]+-py\d+-cpu|[\w.-]*-cpu[\w.-]*)$"
)
REGISTRY_ENV = re.compile(
    r"^azureml://registries/azureml/environments/(?P<name>[^/]+)/(labels|versions)/[^/]+$"
)
#: VM sizes the local cloud offers, and the local node quota (cores are this machine's)
VM_SIZES = ("STANDARD_DS2_V2", "STANDARD_DS3_V2", "STANDARD_DS11_V2", "STANDARD_D2_V2", "STANDARD_F4S_V2")
MAX_NODES = 4


def check_environment(environment_id: str) -> str:
    """The curated environment name in ``environment_id`` (ARM id or registry URI), or 400 ``UserError``."""
    registry = REGISTRY_ENV.match(environment_id)
    if registry:
        name = registry.group("name")
    else:  # an ARM id (.../environments/NAME/versions/V) or azureml:NAME@label / azureml:NAME:version
        name = environment_id.split("/environments/")[-1].split("/")[0].removeprefix("azureml:")
        name = name.split("@")[0].split(":")[0]
    if not CURATED.match(name):
        raise AzureError(
            400,
            "UserError",
            f"Environment '{environment_id}' is not available in the local cloud: use a curated environment "
            "(e.g. azureml://registries/azureml/environments/sklearn-1.5/labels/latest or "
            "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest).",
        )
    return name


def check_compute(vm_size: str, max_nodes: int) -> None:
    """400 ``QuotaExceeded`` for a VM size the local cloud lacks or more nodes than its quota."""
    if vm_size.upper() not in VM_SIZES:
        raise AzureError(
            400,
            "QuotaExceeded",
            f"Operation results in exceeding quota limits of VM size '{vm_size}': Maximum allowed: 0 in the "
            f"local cloud. Available sizes: {', '.join(VM_SIZES)}.",
        )
    if max_nodes > MAX_NODES:
        raise AzureError(
            400,
            "QuotaExceeded",
            f"Operation results in exceeding quota limits of Core nodes. Maximum allowed: {MAX_NODES}, "
            f"Requested: {max_nodes} (the local cloud's quota).",
        )
