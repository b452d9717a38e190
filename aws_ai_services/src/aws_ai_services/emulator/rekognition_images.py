"""Rekognition's ``Image`` parameter: inline ``Bytes`` (5 MB) or an ``S3Object`` read from moto (15 MB).

Only JPEG and PNG are accepted, as by Rekognition; anything else is ``InvalidImageFormatException`` with
the on-prem decoder's description of what was sent.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.aws.errors import AwsError

from aws_ai_services.emulator.control_plane import ControlPlane

MAX_BYTES = 5 * 1024 * 1024
MAX_S3_BYTES = 15 * 1024 * 1024
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
        if len(data) > MAX_BYTES:
            raise AwsError(
                "ImageTooLargeException",
                f"Image size is too large: {len(data):,} bytes; inline Bytes may hold {MAX_BYTES:,} bytes "
                "(use an S3Object for images up to 15 MB)",
            )
        return data
    return _from_s3(image["S3Object"], control_plane, region)


def _from_s3(location: dict[str, Any], control_plane: ControlPlane, region: str) -> bytes:
    from botocore.exceptions import ClientError

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
    except ClientError as exc:
        raise AwsError(
            "InvalidS3ObjectException", f"{S3_PROBLEM} (s3://{request['Bucket']}/{request['Key']})"
        ) from exc


def decode(data: bytes) -> Any:
    """BGR pixels of a JPEG or PNG; ``InvalidImageFormatException`` naming what the bytes are otherwise."""
    from multi_cloud.onprem.engines.imaging import decode_image, sniff_format

    kind = sniff_format(data[:4096])
    if kind not in FORMATS:
        described = "not a recognised image" if kind == "unknown" else kind
        raise AwsError(
            "InvalidImageFormatException",
            f"Request has invalid image format: the input is {described}; Rekognition accepts JPEG and PNG",
        )
    try:
        return decode_image(data).pixels
    except InvalidArgument as exc:
        raise AwsError(
            "InvalidImageFormatException", f"Request has invalid image format: {exc.message}"
        ) from exc


def load(image: dict[str, Any] | None, control_plane: ControlPlane, region: str) -> Any:
    return decode(image_bytes(image, control_plane, region))
