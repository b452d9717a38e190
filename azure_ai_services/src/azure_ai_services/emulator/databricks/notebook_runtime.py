"""What a notebook task sees as globals: a small ``dbutils`` (widgets, notebook.exit, fs) and ``display``.

Copied next to the notebook's script when a task runs; it imports nothing from the emulator. Widget values
come from ``DATABRICKS_WIDGETS`` (the task's ``base_parameters`` and the run's ``notebook_params``);
``dbutils.notebook.exit(value)`` writes ``value`` to ``DATABRICKS_NOTEBOOK_EXIT`` and ends the notebook,
and that value is the run's ``notebook_output.result``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn


class _Widgets:
    def __init__(self) -> None:
        self._values: dict[str, str] = json.loads(os.environ.get("DATABRICKS_WIDGETS", "{}"))
        self._defaults: dict[str, str] = {}

    def text(self, name: str, defaultValue: str = "", label: str = "") -> None:  # noqa: N803 - dbutils' names
        self._defaults[name] = str(defaultValue)

    def dropdown(self, name: str, defaultValue: str, choices: Any = (), label: str = "") -> None:  # noqa: N803
        self.text(name, defaultValue)

    combobox = dropdown

    def get(self, name: str) -> str:
        if name in self._values:
            return self._values[name]
        if name in self._defaults:
            return self._defaults[name]
        raise ValueError(f"InputWidgetNotDefined: no input widget named {name} is defined")

    def getAll(self) -> dict[str, str]:  # noqa: N802 - dbutils' name
        return {**self._defaults, **self._values}


class _Notebook:
    def exit(self, value: Any) -> NoReturn:
        target = os.environ.get("DATABRICKS_NOTEBOOK_EXIT")
        if target:
            Path(target).write_text(str(value))
        sys.exit(0)


class _Fs:
    """``dbutils.fs`` over the local DBFS root (``DATABRICKS_DBFS_ROOT``)."""

    def _local(self, path: str) -> Path:
        root = Path(os.environ["DATABRICKS_DBFS_ROOT"])
        return root / path.removeprefix("dbfs:").lstrip("/")

    def ls(self, path: str) -> list[str]:
        return sorted(child.name for child in self._local(path).iterdir())

    def head(self, path: str, maxBytes: int = 65536) -> str:  # noqa: N803 - dbutils' name
        return self._local(path).read_bytes()[:maxBytes].decode("utf-8", "replace")

    def put(self, path: str, contents: str, overwrite: bool = False) -> bool:
        local = self._local(path)
        if local.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists: pass overwrite=True")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(contents)
        return True

    def cp(self, source: str, destination: str) -> bool:
        target = self._local(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._local(source), target)
        return True


class DBUtils:
    def __init__(self) -> None:
        self.widgets = _Widgets()
        self.notebook = _Notebook()
        self.fs = _Fs()


dbutils = DBUtils()


def display(value: Any) -> None:
    print(value)


def spark_session() -> Any:
    """A local SparkSession (``spark`` in a notebook), only where pyspark and a JRE exist."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.master("local[*]").appName("databricks-task").getOrCreate()
