"""An AutoML pipeline's data: the dataset's rows or items split into training (with validation) and test.

Splits follow ``inputDataConfig``: ``fractionSplit`` (default 80/10/10), ``predefinedSplit`` (a column of
TRAIN/VALIDATE/TEST) or, for images, each item's ML use label. Validation rows join training: the local
search cross-validates on them instead of holding them out.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.automl.tabular import (
    CLASSIFICATION,
    TabularInputError,
    TabularProblem,
    default_objective,
    resolve_column_types,
)
from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.vertex.automl_inputs import AutoMLTask
from gcp_ai_services.emulator.vertex.dataset_records import MAX_CSV_BYTES, tabular_sources

MIN_TABULAR_ROWS = 1000
MIN_IMAGES_PER_LABEL = 5
SEED = 0


@dataclass
class TabularTable:
    train: Any
    test: Any
    problem: TabularProblem


@dataclass
class ImageSplit:
    train_uris: list[str]
    train_labels: list[str]
    test_uris: list[str]
    test_labels: list[str]


def tabular_table(task: AutoMLTask) -> TabularTable:
    """The dataset's CSV rows with a target, split, and the problem they pose; INVALID_ARGUMENT if not."""
    import pandas as pd

    frames = []
    for uri in tabular_sources(task.dataset.body.get("metadata") or {}):
        try:
            frames.append(pd.read_csv(io.BytesIO(read_object(uri, MAX_CSV_BYTES))))
        except (ValueError, pd.errors.ParserError) as exc:
            raise GoogleError("INVALID_ARGUMENT", f"{uri} cannot be read as CSV: {exc}") from exc
    frame = pd.concat(frames, ignore_index=True)
    target = str(task.inputs["targetColumn"])
    if target not in frame.columns:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Target column {target!r} does not exist in the dataset {task.dataset.name}; its columns are "
            f"{list(frame.columns)}.",
        )
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if len(frame) < MIN_TABULAR_ROWS:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"The dataset {task.dataset.name} has {len(frame):,} rows with a value in {target!r}; AutoML "
            f"tabular training needs at least {MIN_TABULAR_ROWS:,}.",
        )
    kind = str(task.inputs["predictionType"])
    if kind == CLASSIFICATION:
        frame[target] = frame[target].astype(str)
        if frame[target].nunique() < 2:
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"Target column {target!r} has a single class; classification needs two or more.",
            )
    else:
        frame[target] = pd.to_numeric(frame[target], errors="coerce")
        if frame[target].isna().any():
            raise GoogleError(
                "INVALID_ARGUMENT", f"Target column {target!r} is not numeric: regression needs numbers."
            )
    declared = _declared_types(task.inputs.get("transformations") or [])
    try:
        types = resolve_column_types(frame, target, declared)
    except TabularInputError as exc:
        raise GoogleError("INVALID_ARGUMENT", str(exc)) from exc
    objective = str(task.inputs.get("optimizationObjective") or "") or default_objective(
        kind, frame[target].nunique()
    )
    if objective == "maximize-au-roc" and kind == CLASSIFICATION and frame[target].nunique() > 2:
        raise GoogleError(
            "INVALID_ARGUMENT",
            "optimizationObjective maximize-au-roc is for binary classification; the target has more "
            "classes: use minimize-log-loss.",
        )
    split = (task_config(task).get("predefinedSplit") or {}).get("key")
    if split:
        if split not in frame.columns:
            raise GoogleError(
                "INVALID_ARGUMENT", f"Predefined split column {split!r} does not exist in the dataset."
            )
        role = frame.pop(split).astype(str).str.upper()
        types.pop(split, None)
        train, test = frame[role != "TEST"], frame[role == "TEST"]
    else:
        train, test = _fraction_split(frame, target if kind == CLASSIFICATION else None, _test_fraction(task))
    if test.empty:
        raise GoogleError("INVALID_ARGUMENT", "The split leaves no test rows to evaluate the model on.")
    problem = TabularProblem(target, kind, objective, types)
    return TabularTable(train.reset_index(drop=True), test.reset_index(drop=True), problem)


def image_split(task: AutoMLTask) -> ImageSplit:
    """The labelled images split by ML use, unassigned ones by fraction; INVALID_ARGUMENT when too few."""
    from collections import Counter

    items = [item for item in task.dataset.items if item.label]
    counts = Counter(item.label for item in items)
    if len(counts) < 2:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Dataset {task.dataset.name} needs images of at least two labels; it has {sorted(counts)}.",
        )
    few = sorted(label for label, n in counts.items() if n < MIN_IMAGES_PER_LABEL)
    if few:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Label {few[0]!r} has {counts[few[0]]} images; the local AutoML needs at least "
            f"{MIN_IMAGES_PER_LABEL} per label.",
        )
    assigned_test = [i for i in items if i.ml_use == "test"]
    assigned_train = [i for i in items if i.ml_use in ("training", "validation")]
    rest = [i for i in items if not i.ml_use]
    if rest:
        import pandas as pd

        frame = pd.DataFrame({"index": range(len(rest)), "label": [i.label for i in rest]})
        train, test = _fraction_split(frame, "label", _test_fraction(task) if not assigned_test else 0.0)
        assigned_train += [rest[i] for i in train["index"]]
        assigned_test += [rest[i] for i in test["index"]]
    if not assigned_test:
        raise GoogleError("INVALID_ARGUMENT", "The split leaves no test images to evaluate the model on.")
    return ImageSplit(
        [str(i.payload["imageGcsUri"]) for i in assigned_train],
        [i.label for i in assigned_train],
        [str(i.payload["imageGcsUri"]) for i in assigned_test],
        [i.label for i in assigned_test],
    )


def task_config(task: AutoMLTask) -> dict[str, Any]:
    return task.data_config


def _test_fraction(task: AutoMLTask) -> float:
    fractions = task_config(task).get("fractionSplit") or {}
    return float(fractions.get("testFraction", 0.1) or 0.1)


def _fraction_split(frame: Any, stratify: str | None, test_fraction: float) -> tuple[Any, Any]:
    from sklearn.model_selection import train_test_split

    if test_fraction <= 0:
        return frame, frame.iloc[0:0]
    labels = frame[stratify] if stratify and frame[stratify].value_counts().min() >= 2 else None
    size = math.ceil(test_fraction * len(frame))
    if labels is not None:  # a stratified test split holds every class at least once
        size = max(size, int(labels.nunique()))
    train, test = train_test_split(frame, test_size=size, random_state=SEED, stratify=labels)
    return train, test


def _declared_types(transformations: list[Any]) -> dict[str, str]:
    """``[{"numeric": {"columnName": "age"}}]`` (the SDK's ``column_specs``) as ``{"age": "numeric"}``."""
    declared = {}
    for entry in transformations:
        if isinstance(entry, dict) and len(entry) == 1:
            kind, options = next(iter(entry.items()))
            name = (options or {}).get("columnName") or (options or {}).get("column_name")
            if name:
                declared[str(name)] = str(kind)
    return declared
