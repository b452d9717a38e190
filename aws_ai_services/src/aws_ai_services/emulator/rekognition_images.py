"""Rekognition's ``Image`` parameter: inline ``Bytes`` (5 MB) or an ``S3Object`` read from moto (15 MB).

Inline bytes over 5 MB are refused by the model check before this runs (``ValidationException`` at
'image.bytes', as AWS answers). Only JPEG and PNG are accepted, as by Rekognition; anything else is
``InvalidImageFormatException`` with the on-prem decoder's description of what was sent. Pixels are
decoded under a budget (``imaging.ANALYSIS_MAX_SIDE``; OCR ``OCR_MAX_SIDE``).
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.aws.errors import AwsError

from aws_ai_services.emulator.control_plane import ControlPlane

MAX_S3_BYTES = 15 * 1024 * 1024
#: longest side Rekognition analyses ("Input image dimensions ... exceed maximum dimension size")
MAX_SIDE_PIXELS = 10_000
FORMATS = ("JPEG", "PNG")
S3_PROBLEM = "Unable to get object metadata from S3. Check object key, region and/or access permissions."


def image_bytes(image: dict[str, Any] | None, control_plane: ControlPlane, region: str) -> bytes:
    """The encoded image named by an ``Image`` structure, with Rekognition's errors for bad ones."""
    image = image or {}
    if ("Bytes" in image) == ("S3Object" in image):
        raise AwsError(
            "InvalidParameterException", "Request has invalid parameters: give exactly one of Bytes, S3Object"
        )
    if "Bytes" in image:
        data: bytes = image["Bytes"]
        if not data:
            raise AwsError(
                "InvalidParameterException", "Request has invalid parameters: Image.Bytes is empty"
            )
        return data
    return _from_s3(image["S3Object"], control_plane, region)


def _from_s3(location: dict[str, Any], control_plane: ControlPlane, region: str) -> bytes:
    from botocore.exceptions import ClientError, ParamValidationError

    request = {"Bucket": location.get("Bucket", ""), "Key": location.get("Name", "")}
    if location.get("Version"):
        request["VersionId"] = location["Version"]
    s3 = control_plane.client("s3", region)
    try:
        head = s3.head_object(**request)
        if head["ContentLength"] > MAX_S3_BYTES:
            raise AwsError(
                "ImageTooLargeException",
                f"Image size is too large: s3://{request['Bucket']}/{request['Key']} is "
                f"{head['ContentLength']:,} bytes, over {MAX_S3_BYTES:,}",
            )
        return bytes(s3.get_object(**request)["Body"].read())
    except (ClientError, ParamValidationError) as exc:  # missing object, or a name S3 refuses
        raise AwsError(
            "InvalidS3ObjectException", f"{S3_PROBLEM} (s3://{request['Bucket']}/{request['Key']})"
        ) from exc


def decode(data: bytes, max_side: int | None = None) -> Any:
    """BGR pixels of a JPEG or PNG; ``InvalidImageFormatException`` naming what the bytes are otherwise."""
    from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, decode_image, image_size, sniff_format

    kind = sniff_format(data[:4096])
    if kind not in FORMATS:
        described = "not a recognised image" if kind == "unknown" else kind
        raise AwsError(
            "InvalidImageFormatException",
            f"Request has invalid image format: the input is {described}; Rekognition accepts JPEG and PNG",
        )
    try:
        width, height = image_size(data)
        if max(width, height) > MAX_SIDE_PIXELS:
            raise AwsError(
                "ImageTooLargeException",
                f"Input image dimensions {width} x {height} exceed maximum dimension size of "
                f"{MAX_SIDE_PIXELS} pixels",
            )
        return decode_image(data, max_side=max_side or ANALYSIS_MAX_SIDE).pixels
    except InvalidArgument as exc:
        raise AwsError(
            "InvalidImageFormatException", f"Request has invalid image format: {exc.message}"
        ) from exc


def load(
    image: dict[str, Any] | None, control_plane: ControlPlane, region: str, max_side: int | None = None
) -> Any:
    return decode(image_bytes(image, control_plane, region), max_side)
