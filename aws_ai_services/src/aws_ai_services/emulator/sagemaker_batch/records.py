"""Batch transform of one S3 object, record by record, as SageMaker does it (pure functions, no I/O).

1. split the object into records (``SplitType``: ``Line`` = one record per non-empty line, ``None`` =
   the whole object); 2. group records into mini-batches (``MultiRecord``: as many as fit in
   ``MaxPayloadInMB``; ``SingleRecord``: one each) — each mini-batch is one request to the model;
3. ``InputFilter`` picks what the model sees; 4. ``JoinSource=Input`` joins the whole input record with
its prediction (CSV: the prediction appended as a last column; a JSON object: a ``SageMakerOutput``
key; other JSON: ``{"SageMakerInput": ..., "SageMakerOutput": ...}``); 5. ``OutputFilter`` picks what
is kept; 6. records are rendered in ``Accept`` and assembled (``Line``: one per line; ``None``: as is).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.serving.payloads import CSV, BadPayload, Rows, media_type, rows_from_value

from aws_ai_services.emulator.sagemaker_batch.jsonpath_filter import FilterError, apply_filter
from aws_ai_services.emulator.sagemaker_batch.options import JobOptions

Predict = Callable[[Rows], Sequence[Any]]


class RecordError(ValueError):
    """A record that cannot be transformed; SageMaker fails the job with ``ClientError``."""


@dataclass(frozen=True)
class TransformedObject:
    body: bytes
    records: int
    requests: int  # mini-batches sent to the model


def transform_object(data: bytes, options: JobOptions, predict: Predict) -> TransformedObject:
    """Transform one input object's bytes into its ``.out`` object's bytes."""
    input_type = media_type(options.content_type)
    output_type = media_type(options.output_type, "Accept")
    records = split_records(data, options.split_type)
    parsed = [parse_record(record, input_type, where) for where, record in records]
    batches = mini_batches([len(record.encode()) + 1 for _, record in records], options)
    rendered: list[str] = []
    for batch in batches:
        inputs = [model_rows(parsed[i], options.input_filter, records[i][0], input_type) for i in batch]
        predictions = list(predict([row for rows in inputs for row in rows]))
        offset = 0
        for i, rows in zip(batch, inputs, strict=True):
            output: Any = predictions[offset] if len(rows) == 1 else predictions[offset : offset + len(rows)]
            offset += len(rows)
            joined = join_record(parsed[i], output, input_type) if options.join_source == "Input" else output
            kept = _filtered(options.output_filter, joined, records[i][0])
            rendered.append(render_record(kept, output_type))
    separator = "\n" if options.assemble_with == "Line" else ""
    body = "".join(record + separator for record in rendered).encode()
    return TransformedObject(body=body, records=len(records), requests=len(batches))


def split_records(data: bytes, split_type: str) -> list[tuple[str, str]]:
    """``(where, record)`` pairs: ``("line 3", ...)`` per non-empty line, or the whole object."""
    text = data.decode("utf-8-sig", errors="replace")
    if split_type == "None":
        return [("the object", text.strip())] if text.strip() else []
    lines = enumerate(text.split("\n"), start=1)
    return [(f"line {number}", line.rstrip("\r")) for number, line in lines if line.strip()]


def mini_batches(sizes: Sequence[int], options: JobOptions) -> list[list[int]]:
    """Record indexes per request: ``SingleRecord`` one each, ``MultiRecord`` up to MaxPayloadInMB."""
    limit = options.max_payload_bytes
    batches: list[list[int]] = []
    used = 0
    for index, size in enumerate(sizes):
        if limit is not None and size > limit:
            raise RecordError(
                f"record {index + 1} is {size} bytes, over MaxPayloadInMB={options.max_payload_mb}; raise "
                "MaxPayloadInMB or split the input into smaller records (SplitType=Line)"
            )
        full = limit is not None and used + size > limit
        if not batches or options.batch_strategy == "SingleRecord" or full:
            batches.append([])
            used = 0
        batches[-1].append(index)
        used += size
    return batches


def parse_record(record: str, content_type: str, where: str) -> Any:
    """A CSV record as its list of fields; a JSON / JSON Lines record as its value."""
    if content_type == CSV:
        return next(csv.reader(io.StringIO(record)), [])
    try:
        return json.loads(record)
    except ValueError as exc:
        raise RecordError(f"{where} is not valid JSON: {exc}") from exc


def model_rows(parsed: Any, input_filter: str, where: str, content_type: str) -> Rows:
    selected = _filtered(input_filter, parsed, where)
    label = f"{where} is not numeric CSV" if content_type == CSV else f"{where} is not numeric"
    try:
        return rows_from_value(selected, where)
    except BadPayload as exc:
        cause = exc.__cause__ or exc
        raise RecordError(f"{label}: {cause}") from exc


def join_record(parsed: Any, output: Any, content_type: str) -> Any:
    if content_type == CSV:
        return [*parsed, *(output if isinstance(output, list) else [output])]
    if isinstance(parsed, dict):
        return {**parsed, "SageMakerOutput": output}
    return {"SageMakerInput": parsed, "SageMakerOutput": output}


def render_record(value: Any, accept: str) -> str:
    if accept != CSV:
        return json.dumps(value)
    if isinstance(value, dict):
        raise RecordError("a JSON object cannot be written as text/csv; set Accept to application/jsonlines")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(value if isinstance(value, list) else [value])
    return buffer.getvalue()


def _filtered(expression: str, value: Any, where: str) -> Any:
    try:
        return apply_filter(expression, value)
    except FilterError as exc:
        raise RecordError(f"{where}: {exc}") from exc
