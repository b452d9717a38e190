"""The knobs of a batch transform job (split, mini-batches, assembly, filters, join) as request fields.

SageMaker (locally, the local cloud) checks them when the job is created: a bad value is its
``ValidationException`` naming the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SPLIT_TYPES = ("None", "Line", "RecordIO", "TFRecord")
BATCH_STRATEGIES = ("MultiRecord", "SingleRecord")
ASSEMBLE_WITH = ("None", "Line")
JOIN_SOURCES = ("Input", "None")
#: SageMaker's default and ceiling for one request (mini-batch) to the model container
DEFAULT_MAX_PAYLOAD_MB = 6
MAX_PAYLOAD_MB = 100
BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class TransformOptions:
    """How records are cut from the input, sent to the model, and written back (SageMaker's defaults)."""

    content_type: str = "text/csv"
    accept: str = ""  # empty: the same as content_type
    split_type: str = "Line"
    batch_strategy: str = "MultiRecord"
    max_payload_mb: int = DEFAULT_MAX_PAYLOAD_MB  # 0: no limit (chunked requests)
    assemble_with: str = "Line"
    input_filter: str = "$"
    output_filter: str = "$"
    join_source: str = "None"

    @property
    def output_type(self) -> str:
        return self.accept or self.content_type

    @property
    def max_payload_bytes(self) -> int | None:
        return self.max_payload_mb * BYTES_PER_MB if self.max_payload_mb else None

    def request_fields(self) -> dict[str, Any]:
        """The parts of ``CreateTransformJob`` these options fill (merged into TransformInput/Output)."""
        return {
            "BatchStrategy": self.batch_strategy,
            "MaxPayloadInMB": self.max_payload_mb,
            "TransformInput": {"ContentType": self.content_type, "SplitType": self.split_type},
            "TransformOutput": {"Accept": self.output_type, "AssembleWith": self.assemble_with},
            "DataProcessing": {
                "InputFilter": self.input_filter,
                "OutputFilter": self.output_filter,
                "JoinSource": self.join_source,
            },
        }
