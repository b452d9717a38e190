"""Batch transform: predict every CSV object under a URI into ``<name>.out``, one line per row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.core.types import BatchPredictionJob, JobState
from multi_cloud.onprem.locations import Entry, ObjectLocations
from multi_cloud.onprem.model_runtime import ModelRuntime


class CsvProblem(ValueError):
    """An input object is not a numeric CSV of the model's width; the message names object, line and fix."""


@dataclass(frozen=True)
class ParsedObject:
    name: str
    rows: Any  # 2-D float array


def is_csv(entry: Entry) -> bool:
    return entry.name.lower().endswith(".csv") or entry.content_type.startswith("text/csv")


def parse_csv(name: str, data: bytes, n_features: int) -> Any:
    """The rows of a label-free numeric CSV as a float array; CsvProblem naming the first bad line."""
    import numpy as np

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvProblem(
            f"{name} is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); send plain CSV"
        ) from None
    rows = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != n_features:
            raise CsvProblem(
                f"{name} line {line_number} has {len(fields)} values; the model expects {n_features} "
                "features (batch input carries no label column)"
            )
        try:
            rows.append([float(field) for field in fields])
        except ValueError:
            bad = next(f for f in fields if not _is_number(f))
            raise CsvProblem(f"{name} line {line_number}: {bad.strip()!r} is not a number") from None
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), n_features)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def run_batch(
    *,
    name: str,
    provider: str,
    runtime: ModelRuntime,
    locations: ObjectLocations,
    input_uri: str,
    output_uri: str,
) -> BatchPredictionJob:
    """Read and check every input first (so a corrupt file writes nothing), then predict and write."""
    job = BatchPredictionJob(
        name=name,
        status="InProgress",
        state=JobState.RUNNING,
        provider=provider,
        input_uri=input_uri,
        output_uri=output_uri,
    )
    try:
        parsed = [
            ParsedObject(entry.name, parse_csv(entry.name, entry.read(), runtime.n_features))
            for entry in locations.entries(input_uri)
            if is_csv(entry)
        ]
    except (CsvProblem, CloudError) as exc:
        return _failed(job, str(exc))
    if not parsed:
        return _failed(
            job, f"no CSV objects under {input_uri}; upload .csv files (or text/csv objects) there"
        )
    records = 0
    for item in parsed:
        values = runtime.predict(item.rows)[0] if len(item.rows) else ()
        body = "".join(f"{format_value(v)}\n" for v in values)
        locations.write(
            locations.child(output_uri, f"{item.name}.out"), body.encode(), content_type="text/csv"
        )
        records += len(values)
    return BatchPredictionJob(
        name=name,
        status="Completed",
        state=JobState.SUCCEEDED,
        provider=provider,
        input_uri=input_uri,
        output_uri=output_uri,
        records=records,
    )


def _failed(job: BatchPredictionJob, reason: str) -> BatchPredictionJob:
    return BatchPredictionJob(
        name=job.name,
        status="Failed",
        state=JobState.FAILED,
        provider=job.provider,
        input_uri=job.input_uri,
        output_uri=job.output_uri,
        failure_reason=reason,
    )
