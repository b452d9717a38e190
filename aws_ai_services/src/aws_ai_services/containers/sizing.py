"""Task sizes: Fargate's valid CPU/memory pairs and a small table to size a model server from its model."""

from __future__ import annotations

import math
from dataclasses import dataclass

from multi_cloud.core.errors import InvalidArgument

#: Fargate (Linux) memory choices in MiB for each CPU setting in CPU units (1024 units = 1 vCPU)
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: resident memory of the server process before the model: Python, numpy, scikit-learn, werkzeug (measured
#: ~195 MiB with an iris model), rounded up
RUNTIME_MIB = 256
#: unpickling needs the file's bytes and the objects at once; trees and arrays take about 2-3x the file size
LOAD_FACTOR = 3.0
#: free memory kept for request buffers and concurrent predictions
HEADROOM = 1.25


@dataclass(frozen=True)
class TaskSize:
    """CPU units (1024 = 1 vCPU) and memory in MiB: the task definition's ``cpu`` and ``memory``."""

    cpu: int
    memory: int

    @property
    def vcpus(self) -> float:
        return self.cpu / 1024

    @property
    def kubernetes_cpu(self) -> str:
        """The same CPU as a Kubernetes quantity ("250m", "1")."""
        millicores = self.cpu * 1000 // 1024
        return f"{millicores // 1000}" if millicores % 1000 == 0 else f"{millicores}m"

    @property
    def kubernetes_memory(self) -> str:
        return f"{self.memory}Mi"


#: the small table lessons size from: each tier doubles the one before
TASK_SIZES: dict[str, TaskSize] = {
    "small": TaskSize(256, 512),
    "medium": TaskSize(512, 1024),
    "large": TaskSize(1024, 2048),
    "xlarge": TaskSize(2048, 4096),
    "2xlarge": TaskSize(4096, 8192),
}


def fargate_size(cpu: int, memory: int) -> TaskSize:
    """``TaskSize(cpu, memory)`` if Fargate offers the pair, else InvalidArgument listing valid ones."""
    if cpu not in FARGATE_MEMORY:
        raise InvalidArgument(
            f"Fargate has no cpu={cpu}; choose one of {', '.join(map(str, FARGATE_MEMORY))}"
        )
    choices = FARGATE_MEMORY[cpu]
    if memory not in choices:
        raise InvalidArgument(
            f"Fargate does not offer cpu={cpu} with memory={memory} MiB; with cpu={cpu} choose memory "
            f"(MiB) from {', '.join(map(str, choices[:6]))}{', ...' if len(choices) > 6 else ''} up to "
            f"{choices[-1]}"
        )
    return TaskSize(cpu, memory)


def memory_needed(model_bytes: int) -> int:
    """MiB a server with a model file of ``model_bytes`` needs: runtime + loaded model, plus headroom."""
    if model_bytes < 0:
        raise InvalidArgument(f"model_bytes must be >= 0, got {model_bytes}")
    model_mib = model_bytes / (1024 * 1024) * LOAD_FACTOR
    return math.ceil((RUNTIME_MIB + model_mib) * HEADROOM)


def size_for_model(model_bytes: int) -> tuple[str, TaskSize]:
    """The smallest tier of :data:`TASK_SIZES` whose memory holds :func:`memory_needed`."""
    needed = memory_needed(model_bytes)
    for name, size in TASK_SIZES.items():
        if size.memory >= needed:
            return name, size
    largest = max(TASK_SIZES.values(), key=lambda s: s.memory)
    raise InvalidArgument(
        f"a {model_bytes / 2**20:.0f} MiB model needs about {needed} MiB, more than the largest tier "
        f"({largest.memory} MiB): pick a pair with fargate_size() (up to 120 GiB), or shrink the model"
    )
