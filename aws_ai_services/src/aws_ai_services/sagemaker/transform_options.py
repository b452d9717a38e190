"""The knobs of a batch transform job (split, mini-batches, assembly, filters, join) and their checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import Unsupported

from aws_ai_services.sagemaker.aws_validation import aws_error, check_enum, check_range
from aws_ai_services.sagemaker.jsonpath_filter import FilterError, parse_filter

OPERATION = "CreateTransformJob"
SPLIT_TYPES = ("None", "Line", "RecordIO", "TFRecord")
LOCAL_SPLIT_TYPES = ("None", "Line")
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

    def validate(self) -> None:
        """What CreateTransformJob rejects with ValidationException (moto checks none of it)."""
        check_enum(OPERATION, self.split_type, "transformInput.splitType", SPLIT_TYPES)
        check_enum(OPERATION, self.batch_strategy, "batchStrategy", BATCH_STRATEGIES)
        check_enum(OPERATION, self.assemble_with, "transformOutput.assembleWith", ASSEMBLE_WITH)
        check_enum(OPERATION, self.join_source, "dataProcessing.joinSource", JOIN_SOURCES)
        check_range(OPERATION, self.max_payload_mb, "maxPayloadInMB", 0, MAX_PAYLOAD_MB)
        for member, expression in (("inputFilter", self.input_filter), ("outputFilter", self.output_filter)):
            try:
                parse_filter(expression)
            except FilterError as exc:
                raise aws_error(OPERATION, f"Invalid dataProcessing.{member}: {exc}") from exc

    def check_local(self) -> None:
        """Record formats the local transform cannot read (SageMaker's RecordIO/TFRecord framing)."""
        if self.split_type not in LOCAL_SPLIT_TYPES:
            raise Unsupported(
                f"SplitType {self.split_type} (binary record framing) is not computed locally; use Line "
                "or None with CSV / JSON Lines input, or run the job with CLOUDAI_MODE=cloud.",
                provider="aws",
                operation="models.batch_predict",
            )

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

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> TransformOptions:
        """The options a recorded job was created with (``DescribeTransformJob``)."""
        given = description.get("TransformInput", {})
        output = description.get("TransformOutput", {})
        processing = description.get("DataProcessing") or {}
        return cls(
            content_type=given.get("ContentType") or "text/csv",
            accept=output.get("Accept", ""),
            split_type=given.get("SplitType") or "None",
            batch_strategy=description.get("BatchStrategy") or "MultiRecord",
            max_payload_mb=int(description.get("MaxPayloadInMB", DEFAULT_MAX_PAYLOAD_MB)),
            assemble_with=output.get("AssembleWith") or "None",
            input_filter=processing.get("InputFilter") or "$",
            output_filter=processing.get("OutputFilter") or "$",
            join_source=processing.get("JoinSource") or "None",
        )
