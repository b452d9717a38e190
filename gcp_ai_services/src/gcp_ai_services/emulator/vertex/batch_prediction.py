"""Batch prediction jobs run in the server: read instances from Cloud Storage, predict, write result files.

As Vertex does, the job writes ``prediction.results-NNNNN-of-NNNNN`` (JSON Lines of
``{"instance", "prediction"}``) and ``prediction.errors_stats-NNNNN-of-NNNNN`` (``{"instance", "error"}``)
under ``<outputUriPrefix>/prediction-<model display name>-<UTC timestamp>/``. A batch the model refuses is
retried row by row so that only the bad rows fail, as do lines that are no instance; a job with no input
ends FAILED with the reason.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob
from multi_cloud.emulation.protocols.google.errors import CANONICAL, GoogleError
from multi_cloud.emulation.serving.vertex_prebuilt import PrebuiltModel, PredictionError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.vertex import gcs_files
from gcp_ai_services.emulator.vertex.endpoint_records import _load as load_served_model
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.model_registry import PREBUILT_PREDICTION, find_model
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState

INSTANCE_FORMATS = ("jsonl", "csv")
PREDICTION_FORMATS = ("jsonl",)
#: instances per request to the model (Vertex's default ``manualBatchTuningParameters.batchSize`` is 64)
DEFAULT_BATCH = 64
MAX_INPUT_BYTES = 512 * 1024 * 1024
Instance = Any


def check_request(state: VertexState, body: dict[str, Any]) -> None:
    """INVALID_ARGUMENT / NOT_FOUND / FAILED_PRECONDITION for a job Vertex would refuse at create time."""
    if not body.get("displayName"):
        raise GoogleError("INVALID_ARGUMENT", "batch_prediction_job.display_name is required.")
    model = str(body.get("model", ""))
    if not model:
        raise GoogleError("INVALID_ARGUMENT", "batch_prediction_job.model is required.")
    record, version = find_model(state, model)
    image = str(record.versions[version].get("containerSpec", {}).get("imageUri", ""))
    if not PREBUILT_PREDICTION.search(image):
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"The local emulator runs batch prediction on Vertex's prebuilt prediction images (e.g. "
            f"us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest); it cannot run {image}.",
        )
    source = body.get("inputConfig") or {}
    if source.get("instancesFormat") not in INSTANCE_FORMATS:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"input_config.instances_format {source.get('instancesFormat')!r} is not supported here: "
            f"use one of {', '.join(INSTANCE_FORMATS)}.",
        )
    uris = (source.get("gcsSource") or {}).get("uris")
    if not isinstance(uris, list) or not uris:
        raise GoogleError("INVALID_ARGUMENT", "input_config.gcs_source.uris is required.")
    for uri in uris:
        gcs_files.split_uri(str(uri))
    output = body.get("outputConfig") or {}
    if output.get("predictionsFormat") not in PREDICTION_FORMATS:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"output_config.predictions_format {output.get('predictionsFormat')!r} is not supported here: "
            "use jsonl.",
        )
    destination = str((output.get("gcsDestination") or {}).get("outputUriPrefix", ""))
    if not destination:
        raise GoogleError("INVALID_ARGUMENT", "output_config.gcs_destination.output_uri_prefix is required.")
    gcs_files.split_uri(destination)


def start_batch_prediction(state: VertexState, record: JobRecord) -> None:
    JOBS.submit(record.name, state.scope, lambda job: run_batch_prediction(state, record, job))


def run_batch_prediction(state: VertexState, record: JobRecord, job: BackgroundJob) -> None:
    """The job's whole life: RUNNING, then SUCCEEDED (even with failed rows), FAILED or CANCELLED."""
    if not record.move("RUNNING"):
        return
    try:
        _predict_all(state, record, job.stop_requested.is_set)
    except GoogleError as err:
        record.move("FAILED", err.rpc_status())
        return
    except Exception as exc:  # noqa: BLE001 - the local cloud's own failure ends the job, not the server
        record.move("FAILED", {"code": CANONICAL["INTERNAL"][0], "message": f"{type(exc).__name__}: {exc}"})
        return
    if job.stop_requested.is_set():
        record.move("CANCELLED", {"code": CANONICAL["CANCELLED"][0], "message": "CANCELLED"})
    else:
        record.move("SUCCEEDED")


def _predict_all(state: VertexState, record: JobRecord, stopped: Callable[[], bool]) -> None:
    body = record.body
    model, version = find_model(state, str(body["model"]))
    spec = model.versions[version]
    served = load_served_model(model.name, version, str(spec.get("artifactUri", "")), state.work_root)
    source = body["inputConfig"]
    rows = list(_read_instances([str(u) for u in source["gcsSource"]["uris"]], source["instancesFormat"]))
    instances = [row for row in rows if not isinstance(row, Unreadable)]
    size = int((body.get("manualBatchTuningParameters") or {}).get("batchSize") or DEFAULT_BATCH)
    parameters = body.get("modelParameters")
    results: list[str] = []
    errors = [
        json.dumps(
            {
                "instance": row.text,
                "error": {"code": CANONICAL["INVALID_ARGUMENT"][0], "message": row.message},
            }
        )
        for row in rows
        if isinstance(row, Unreadable)
    ]
    for start in range(0, len(instances), max(size, 1)):
        if stopped():
            return
        for instance, prediction, error in _predict_batch(
            served, instances[start : start + size], parameters
        ):
            if error is None:
                results.append(json.dumps({"instance": instance, "prediction": prediction}))
            else:
                errors.append(json.dumps({"instance": instance, "error": error}))
    folder = _output_folder(body, str(spec.get("displayName", "model")))
    with tempfile.TemporaryDirectory(dir=state.work_root) as work:
        # an empty file is not written: gcp-storage-emulator refuses 0-byte media uploads
        for kind, lines in (("results", results), ("errors_stats", errors)):
            if lines:
                Path(work, f"prediction.{kind}-00000-of-00001").write_text("".join(f"{x}\n" for x in lines))
        gcs_files.upload_directory(Path(work), folder)
    record.extra["outputInfo"] = {"gcsOutputDirectory": folder}
    record.extra["completionStats"] = {
        "successfulCount": str(len(results)),
        "failedCount": str(len(errors)),
        "incompleteCount": "0",
    }
    record.extra["modelVersionId"] = version


def _predict_batch(
    served: PrebuiltModel, batch: list[Instance], parameters: Any
) -> Iterator[tuple[Instance, Any, dict[str, Any] | None]]:
    """``(instance, prediction, None)`` or ``(instance, None, error)``: a refused batch goes row by row."""
    request: dict[str, Any] = {"instances": batch}
    if parameters is not None:
        request["parameters"] = parameters
    try:
        predictions = served.predict(request)["predictions"]
    except PredictionError as whole:
        if len(batch) == 1:
            yield batch[0], None, {"code": CANONICAL["INVALID_ARGUMENT"][0], "message": whole.message}
            return
        for instance in batch:
            yield from _predict_batch(served, [instance], parameters)
        return
    yield from ((instance, prediction, None) for instance, prediction in zip(batch, predictions, strict=True))


@dataclass(frozen=True)
class Unreadable:
    """An input line that is no instance (not JSON; unquoted text in CSV): a failed row of the job."""

    text: str
    message: str


def _read_instances(uris: list[str], instances_format: str) -> Iterator[Instance | Unreadable]:
    """Every instance of every input file, in order; unreadable lines as :class:`Unreadable`."""
    for uri in uris:
        matched = _matching_objects(uri)
        if not matched:
            raise GoogleError("NOT_FOUND", f"No Cloud Storage object matches the gcs_source {uri}.")
        for object_uri in matched:
            text = read_object(object_uri, MAX_INPUT_BYTES).decode("utf-8-sig", errors="replace")
            lines = [line for line in text.splitlines() if line.strip()]
            if instances_format == "csv":  # the first row is the header, as Vertex reads CSV input
                yield from (_csv_row(line, object_uri, n) for n, line in enumerate(lines[1:], 2))
            else:
                yield from (_json_line(line, object_uri, n) for n, line in enumerate(lines, 1))


def _json_line(line: str, uri: str, number: int) -> Instance | Unreadable:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return Unreadable(line, f"{uri} line {number} is not JSON (instances_format jsonl): {exc.msg}.")


def _csv_row(line: str, uri: str, number: int) -> list[Any] | Unreadable:
    """One CSV row as Vertex reads it: unquoted values are numbers, quoted ones strings."""
    try:
        return list(next(csv.reader([line], quoting=csv.QUOTE_NONNUMERIC)))
    except (ValueError, csv.Error) as exc:
        return Unreadable(
            line, f"{uri} row {number}: {exc} (quote strings in CSV input; unquoted values are numbers)."
        )


def _matching_objects(uri: str) -> list[str]:
    """``gs://`` URIs of the objects ``uri`` names: itself, or those its ``*`` wildcards match."""
    bucket, name = gcs_files.split_uri(uri)
    literal = name.split("*", 1)[0]
    names = gcs_files.list_objects(f"gs://{bucket}/{literal}")
    if "*" in name:
        found = [n for n in names if fnmatch.fnmatchcase(n, name)]
    else:
        found = [n for n in names if n == name]
    return [f"gs://{bucket}/{n}" for n in sorted(found)]


def _output_folder(body: dict[str, Any], display_name: str) -> str:
    """``<prefix>/prediction-<model>-<YYYY_MM_DDThh_mm_ss_mmmZ>`` as Vertex names its output directory."""
    prefix = str(body["outputConfig"]["gcsDestination"]["outputUriPrefix"]).rstrip("/")
    stamp = datetime.now(timezone.utc)
    text = stamp.strftime("%Y_%m_%dT%H_%M_%S_") + f"{stamp.microsecond // 1000:03d}Z"
    return f"{prefix}/prediction-{display_name}-{text}"
