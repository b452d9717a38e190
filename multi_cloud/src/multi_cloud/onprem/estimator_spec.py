"""Train from an estimator spec ("sklearn.ensemble.RandomForestClassifier" + params) via a shipped script."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import TrainingSpec

ESTIMATOR_SCRIPT = Path(__file__).parent / "scripts" / "train_estimator.py"
DOTTED_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def check_estimator(estimator: str, params: Mapping[str, Any]) -> None:
    """InvalidArgument unless ``estimator`` imports as an estimator class accepting ``params``."""
    if not DOTTED_PATH.match(estimator):
        raise InvalidArgument(
            f"estimator {estimator!r} is not a dotted class path; "
            "use e.g. 'sklearn.ensemble.RandomForestClassifier'"
        )
    module_name, _, class_name = estimator.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidArgument(
            f"cannot import {module_name!r} for estimator {estimator!r} ({exc}); check the spelling "
            "or install the package that provides it"
        ) from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type) or not hasattr(cls, "fit") or not hasattr(cls, "predict"):
        raise InvalidArgument(
            f"{estimator!r} is not an estimator class with fit() and predict(); "
            "name a class such as 'sklearn.linear_model.LogisticRegression'"
        )
    accepted = set(cls().get_params()) if hasattr(cls, "get_params") else set(params)
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise InvalidArgument(
            f"{class_name} has no parameter(s) {', '.join(unknown)}; "
            f"it accepts: {', '.join(sorted(accepted))}"
        )
    try:
        json.dumps(dict(params))
    except TypeError as exc:
        raise InvalidArgument(
            f"estimator params must be JSON values (numbers, strings, lists): {exc}"
        ) from exc


def estimator_training_spec(
    name: str,
    estimator: str,
    params: Mapping[str, Any],
    data_uri: str,
    *,
    label_column: int = 0,
    output_uri: str = "",
    timeout_seconds: int = 3600,
) -> TrainingSpec:
    """The script-mode job that fits ``estimator(**params)`` on the CSV files at ``data_uri``."""
    check_estimator(estimator, params)
    return TrainingSpec(
        name=name,
        entry_point=str(ESTIMATOR_SCRIPT),
        hyperparameters={
            "estimator": estimator,
            "params": json.dumps(dict(params), sort_keys=True),
            "label-column": int(label_column),
        },
        inputs={"train": data_uri},
        output_uri=output_uri,
        timeout_seconds=timeout_seconds,
    )
