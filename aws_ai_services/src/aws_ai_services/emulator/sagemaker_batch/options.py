"""The knobs of a recorded ``CreateTransformJob`` (split, mini-batches, assembly, filters, join), checked as
SageMaker checks them: a bad value is a ``ValidationException`` naming the member."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_ai_services.emulator.sagemaker_batch.jsonpath_filter import FilterError, parse_filter

SPLIT_TYPES = ("None", "Line", "RecordIO", "TFRecord")
#: what the local cloud splits (RecordIO / TFRecord framing fails the job, see the fidelity table)
COMPUTED_SPLIT_TYPES = ("None", "Line")
BATCH_STRATEGIES = ("MultiRecord", "SingleRecord")
ASSEMBLE_WITH = ("None", "Line")
JOIN_SOURCES = ("Input", "None")
#: SageMaker's default and ceiling for one request (mini-batch) to the model container
DEFAULT_MAX_PAYLOAD_MB = 6
MAX_PAYLOAD_MB = 100
BYTES_PER_MB = 1024 * 1024


class InvalidOptions(ValueError):
    """What ``CreateTransformJob`` refuses with ``ValidationException``."""


@dataclass(frozen=True)
class JobOptions:
    """How records are cut from the input, sent to the model, and written back."""

    content_type: str = "text/csv"
    accept: str = ""  # empty: the same as content_type
    split_type: str = "None"
    batch_strategy: str = "MultiRecord"
    max_payload_mb: int = DEFAULT_MAX_PAYLOAD_MB  # 0: no limit (chunked requests)
    assemble_with: str = "None"
    input_filter: str = "$"
    output_filter: str = "$"
    join_source: str = "None"

    @property
    def output_type(self) -> str:
        return self.accept or self.content_type

    @property
    def max_payload_bytes(self) -> int | None:
        return self.max_payload_mb * BYTES_PER_MB if self.max_payload_mb else None

    @classmethod
    def from_request(cls, request: Mapping[str, Any]) -> JobOptions:
        """From ``CreateTransformJob`` / ``DescribeTransformJob`` fields (SageMaker's defaults else)."""
        given = request.get("TransformInput") or {}
        output = request.get("TransformOutput") or {}
        processing = request.get("DataProcessing") or {}
        payload = request.get("MaxPayloadInMB")
        return cls(
            content_type=given.get("ContentType") or "text/csv",
            accept=output.get("Accept") or "",
            split_type=given.get("SplitType") or "None",
            batch_strategy=request.get("BatchStrategy") or "MultiRecord",
            max_payload_mb=DEFAULT_MAX_PAYLOAD_MB if payload is None else int(payload),
            assemble_with=output.get("AssembleWith") or "None",
            input_filter=processing.get("InputFilter") or "$",
            output_filter=processing.get("OutputFilter") or "$",
            join_source=processing.get("JoinSource") or "None",
        )

    def validate(self) -> None:
        """InvalidOptions with SageMaker's message for the first member out of its constraints."""
        for value, member, allowed in (
            (self.split_type, "transformInput.splitType", SPLIT_TYPES),
            (self.batch_strategy, "batchStrategy", BATCH_STRATEGIES),
            (self.assemble_with, "transformOutput.assembleWith", ASSEMBLE_WITH),
            (self.join_source, "dataProcessing.joinSource", JOIN_SOURCES),
        ):
            if value not in allowed:
                raise InvalidOptions(
                    f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
                    f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
                )
        if not 0 <= self.max_payload_mb <= MAX_PAYLOAD_MB:
            raise InvalidOptions(
                f"1 validation error detected: Value '{self.max_payload_mb}' at 'maxPayloadInMB' failed to "
                f"satisfy constraint: Member must have value less than or equal to {MAX_PAYLOAD_MB}"
            )
        for member, expression in (("inputFilter", self.input_filter), ("outputFilter", self.output_filter)):
            try:
                parse_filter(expression)
            except FilterError as exc:
                raise InvalidOptions(f"Invalid dataProcessing.{member}: {exc}") from exc
