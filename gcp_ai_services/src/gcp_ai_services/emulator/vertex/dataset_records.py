"""Vertex datasets: tabular ones point at CSV files; image and text ones hold data items imported from files.

An import file is JSON Lines (``{"imageGcsUri" | "textContent" | "textGcsUri", "classificationAnnotation":
{"displayName"}, "dataItemResourceLabels": {"aiplatform.googleapis.com/ml_use"}}``) or CSV
(``[ML_USE,]IMAGE_URI_OR_TEXT[,LABEL]``), as Google's single-label classification import formats say.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.vertex.resources import new_id, now

SCHEMA = "gs://google-cloud-aiplatform/schema/dataset/"
METADATA_SCHEMAS = {
    "tabular": SCHEMA + "metadata/tabular_1.0.0.yaml",
    "image": SCHEMA + "metadata/image_1.0.0.yaml",
    "text": SCHEMA + "metadata/text_1.0.0.yaml",
}
DATA_ITEM_SCHEMAS = {
    "image": SCHEMA + "dataitem/image_1.0.0.yaml",
    "text": SCHEMA + "dataitem/text_1.0.0.yaml",
}
IMPORT_SCHEMAS = {
    SCHEMA + "ioformat/image_classification_single_label_io_format_1.0.0.yaml": "image",
    SCHEMA + "ioformat/text_classification_single_label_io_format_1.0.0.yaml": "text",
}
ML_USE = "aiplatform.googleapis.com/ml_use"
ML_USES = {"training", "validation", "test"}
MAX_IMPORT_FILE_BYTES = 100 * 1024 * 1024
MAX_CSV_BYTES = 100 * 1024 * 1024
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}


@dataclass
class DataItem:
    """One imported item: its payload (``imageGcsUri`` or text), its label and its ML use."""

    name: str
    payload: dict[str, Any]
    label: str
    ml_use: str = ""
    create_time: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        labels = {ML_USE: self.ml_use} if self.ml_use else {}
        return {
            "name": self.name,
            "payload": self.payload,
            "labels": labels,
            "createTime": self.create_time,
            "updateTime": self.create_time,
        }


@dataclass
class DatasetRecord:
    name: str
    body: dict[str, Any]
    kind: str
    items: list[DataItem] = field(default_factory=list)
    create_time: str = field(default_factory=now)
    update_time: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        body = {
            **self.body,
            "name": self.name,
            "createTime": self.create_time,
            "updateTime": self.update_time,
        }
        body["etag"] = str(abs(hash((self.name, self.update_time))))
        if self.kind != "tabular":
            body["dataItemCount"] = str(len(self.items))
        return body


def kind_of(schema_uri: str) -> str:
    """``tabular``, ``image`` or ``text`` for a dataset metadata schema; INVALID_ARGUMENT otherwise."""
    for kind, uri in METADATA_SCHEMAS.items():
        if schema_uri == uri:
            return kind
    raise GoogleError(
        "INVALID_ARGUMENT",
        f"Unsupported metadata_schema_uri {schema_uri!r}: the local Vertex AI keeps tabular, image and text "
        f"datasets ({', '.join(METADATA_SCHEMAS.values())}).",
    )


def tabular_sources(metadata: dict[str, Any]) -> list[str]:
    """The CSV URIs of a tabular dataset's ``inputConfig``, each checked to exist and to have a header."""
    config = metadata.get("inputConfig") or {}
    if config.get("bigquerySource"):
        raise GoogleError(
            "UNIMPLEMENTED",
            "Tabular datasets from BigQuery (inputConfig.bigquerySource) are not emulated: the local cloud "
            "has no BigQuery. Export the table to CSV in Cloud Storage and pass gcs_source.",
        )
    uris = (config.get("gcsSource") or {}).get("uri") or []
    uris = [uris] if isinstance(uris, str) else [str(u) for u in uris]
    if not uris:
        raise GoogleError("INVALID_ARGUMENT", "dataset.metadata.inputConfig.gcsSource.uri is required.")
    for uri in uris:
        header = read_object(uri, MAX_CSV_BYTES).decode("utf-8", "replace").splitlines()[:1]
        if not header or len(next(csv.reader(header))) < 2:
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"{uri} is not a CSV file with a header row of at least two columns.",
            )
    return uris


def import_items(dataset: DatasetRecord, config: dict[str, Any]) -> list[DataItem]:
    """The data items of one ``ImportDataConfig``; INVALID_ARGUMENT naming the file and line of a bad one."""
    schema = str(config.get("importSchemaUri", ""))
    kind = IMPORT_SCHEMAS.get(schema)
    if kind is None:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Unsupported import_schema_uri {schema!r}: use one of {sorted(IMPORT_SCHEMAS)}.",
        )
    if kind != dataset.kind:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"import_schema_uri {schema} is for {kind} data; {dataset.name} is a {dataset.kind} dataset.",
        )
    uris = (config.get("gcsSource") or {}).get("uris") or []
    if not uris:
        raise GoogleError("INVALID_ARGUMENT", "import_configs[].gcs_source.uris is required.")
    items: list[DataItem] = []
    for uri in uris:
        text = read_object(str(uri), MAX_IMPORT_FILE_BYTES).decode("utf-8", "replace")
        reader = _jsonl_rows if str(uri).endswith((".jsonl", ".json")) else _csv_rows
        for line, payload, label, ml_use in reader(text, str(uri), kind):
            if ml_use and ml_use not in ML_USES:
                raise GoogleError(
                    "INVALID_ARGUMENT",
                    f"{uri} line {line}: ML use {ml_use!r} is not one of {sorted(ML_USES)}.",
                )
            items.append(DataItem(f"{dataset.name}/dataItems/{new_id()}", payload, label, ml_use))
    if not items:
        raise GoogleError("INVALID_ARGUMENT", f"The import files {list(uris)} hold no data items.")
    return items


def _jsonl_rows(text: str, uri: str, kind: str) -> Any:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as exc:
            raise GoogleError("INVALID_ARGUMENT", f"{uri} line {line} is not JSON: {exc}") from exc
        if not isinstance(row, dict):
            raise GoogleError("INVALID_ARGUMENT", f"{uri} line {line} must be a JSON object.")
        label = str((row.get("classificationAnnotation") or {}).get("displayName", ""))
        ml_use = str((row.get("dataItemResourceLabels") or {}).get(ML_USE, ""))
        yield line, _payload(kind, row, uri, line), label, ml_use


def _csv_rows(text: str, uri: str, kind: str) -> Any:
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        ml_use = cells.pop(0).lower() if cells and cells[0].lower() in ML_USES | {"unassigned"} else ""
        if not cells:
            raise GoogleError("INVALID_ARGUMENT", f"{uri} line {line} has no content column.")
        content, label = cells[0], (cells[1] if len(cells) > 1 else "")
        if kind == "image":
            yield (
                line,
                _payload(kind, {"imageGcsUri": content}, uri, line),
                label,
                ml_use.replace("unassigned", ""),
            )
        else:
            key = "textGcsUri" if content.startswith("gs://") else "textContent"
            yield line, _payload(kind, {key: content}, uri, line), label, ml_use.replace("unassigned", "")


def _payload(kind: str, row: dict[str, Any], uri: str, line: int) -> dict[str, Any]:
    if kind == "image":
        image = str(row.get("imageGcsUri", ""))
        if not image.startswith("gs://"):
            raise GoogleError(
                "INVALID_ARGUMENT", f"{uri} line {line}: imageGcsUri must be a gs:// URI, got {image!r}."
            )
        suffix = "." + image.rsplit(".", 1)[-1].lower() if "." in image.rsplit("/", 1)[-1] else ""
        return {"imageGcsUri": image, "mimeType": _IMAGE_TYPES.get(suffix, "image/jpeg")}
    if row.get("textGcsUri"):
        return {"gcsUri": str(row["textGcsUri"]), "mimeType": "text/plain"}
    content = row.get("textContent")
    if not isinstance(content, str) or not content:
        raise GoogleError("INVALID_ARGUMENT", f"{uri} line {line}: textContent or textGcsUri is required.")
    return {"textContent": content, "mimeType": "text/plain"}
