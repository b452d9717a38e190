"""The ``/opt/ml``-style directory tree of one training container, rooted in a local work directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContainerLayout:
    """Model, input (channels, config), output and checkpoint directories of one job."""

    root: Path

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def input_data(self) -> Path:
        return self.root / "input" / "data"

    @property
    def config_dir(self) -> Path:
        return self.root / "input" / "config"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.root / "output" / "data"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def channel(self, name: str) -> Path:
        return self.input_data / name

    def create(self, channels: Iterable[str]) -> None:
        for path in (
            self.model_dir,
            self.config_dir,
            self.output_data_dir,
            self.checkpoint_dir,
            self.logs_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)
        for name in channels:
            self.channel(name).mkdir(parents=True, exist_ok=True)
