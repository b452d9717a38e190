"""Container contracts: what each cloud's training container shows a script (variables and arguments).

A contract turns one job's layout, hyperparameters and channels into the environment and command-line
arguments the provider's container would give the script. The runner (:mod:`.script_mode`) is the same for
every cloud; only the contract differs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from multi_cloud.emulation.jobs.layout import ContainerLayout


def hp_string(value: Any) -> str:
    """A hyperparameter as the container passes it: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


class ContainerContract(Protocol):
    """What a provider's training container gives the script it runs."""

    @property
    def name(self) -> str: ...

    def environment(
        self, layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: Sequence[str]
    ) -> dict[str, str]: ...

    def arguments(self, hyperparameters: Mapping[str, Any]) -> list[str]: ...


@dataclass(frozen=True)
class SageMakerContract:
    """SageMaker framework containers (script mode): ``SM_*`` variables, ``--name value`` arguments."""

    name: str = "sagemaker"
    current_host: str = "algo-1"

    def environment(
        self, layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: Sequence[str]
    ) -> dict[str, str]:
        hps = {k: hp_string(v) for k, v in hyperparameters.items()}
        env = {
            "SM_MODEL_DIR": str(layout.model_dir),
            "SM_OUTPUT_DIR": str(layout.output_dir),
            "SM_OUTPUT_DATA_DIR": str(layout.output_data_dir),
            "SM_INPUT_DIR": str(layout.root / "input"),
            "SM_INPUT_CONFIG_DIR": str(layout.config_dir),
            "SM_CHECKPOINT_DIR": str(layout.checkpoint_dir),
            "SM_CHANNELS": json.dumps(sorted(channels)),
            "SM_HPS": json.dumps(hps),
            "SM_HOSTS": json.dumps([self.current_host]),
            "SM_CURRENT_HOST": self.current_host,
            "SM_NUM_CPUS": str(os.cpu_count() or 1),
            "SM_NUM_GPUS": "0",
            "SM_TRAINING_ENV": json.dumps(
                {"hyperparameters": hps, "channel_input_dirs": {c: str(layout.channel(c)) for c in channels}}
            ),
        }
        for channel in channels:
            env[f"SM_CHANNEL_{channel.upper()}"] = str(layout.channel(channel))
        for key, value in hps.items():
            env[f"SM_HP_{key.upper().replace('-', '_')}"] = value
        return env

    def arguments(self, hyperparameters: Mapping[str, Any]) -> list[str]:
        args: list[str] = []
        for key, value in hyperparameters.items():
            args += [f"--{key}", hp_string(value)]
        return args


@dataclass(frozen=True)
class VertexContract:
    """Vertex AI custom training: ``AIP_*`` variables and ``CLUSTER_SPEC``; arguments are the job's own."""

    name: str = "vertex"
    args: tuple[str, ...] = ()
    training_data_uri: str = ""
    validation_data_uri: str = ""
    test_data_uri: str = ""
    data_format: str = ""
    model_dir_uri: str = ""
    checkpoint_dir_uri: str = ""

    def environment(
        self, layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: Sequence[str]
    ) -> dict[str, str]:
        cluster = {
            "cluster": {"workerpool0": ["localhost:2222"]},
            "task": {"type": "workerpool0", "index": 0},
        }
        env = {
            "AIP_MODEL_DIR": self.model_dir_uri or str(layout.model_dir),
            "AIP_CHECKPOINT_DIR": self.checkpoint_dir_uri or str(layout.checkpoint_dir),
            "AIP_TENSORBOARD_LOG_DIR": str(layout.output_dir / "tensorboard"),
            "CLUSTER_SPEC": json.dumps(cluster),
            "TF_CONFIG": json.dumps({**cluster, "environment": "cloud"}),
        }
        optional = {
            "AIP_TRAINING_DATA_URI": self.training_data_uri,
            "AIP_VALIDATION_DATA_URI": self.validation_data_uri,
            "AIP_TEST_DATA_URI": self.test_data_uri,
            "AIP_DATA_FORMAT": self.data_format,
        }
        env.update({key: value for key, value in optional.items() if value})
        return env

    def arguments(self, hyperparameters: Mapping[str, Any]) -> list[str]:
        return [*self.args, *SageMakerContract().arguments(hyperparameters)]


@dataclass(frozen=True)
class AzureMLContract:
    """Azure ML command jobs: ``AZUREML_*`` variables, resolved ``${{inputs.*}}`` paths in the command."""

    name: str = "azureml"
    run_id: str = ""
    experiment_name: str = "Default"
    args: tuple[str, ...] = ()
    outputs: Mapping[str, str] = field(default_factory=dict)

    def environment(
        self, layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: Sequence[str]
    ) -> dict[str, str]:
        env = {
            "AZUREML_RUN_ID": self.run_id,
            "AZUREML_ARM_PROJECT_NAME": self.experiment_name,
            "AZUREML_EXPERIMENT_NAME": self.experiment_name,
            "AZUREML_CR_EXECUTION_WORKING_DIR_PATH": str(layout.root),
            "AZUREML_MODEL_DIR": str(layout.model_dir),
            "MLFLOW_RUN_ID": self.run_id,
            "MLFLOW_EXPERIMENT_NAME": self.experiment_name,
        }
        for channel in channels:
            env[f"AZURE_ML_INPUT_{channel}"] = str(layout.channel(channel))
        for name, path in self.outputs.items():
            env[f"AZURE_ML_OUTPUT_{name}"] = path
        return env

    def arguments(self, hyperparameters: Mapping[str, Any]) -> list[str]:
        return [*self.args, *SageMakerContract().arguments(hyperparameters)]


SAGEMAKER = SageMakerContract()
