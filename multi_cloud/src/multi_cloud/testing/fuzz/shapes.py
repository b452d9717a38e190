"""Does an error answer have the protocol's error shape? Asked of botocore's own response parsers."""

from __future__ import annotations

from multi_cloud.testing.fuzz.wire import Answer


def aws_error_code(answer: Answer, protocol: str) -> str:
    """The error code botocore reads from ``answer`` for ``protocol`` ("" when it finds none)."""
    from botocore.parsers import create_parser

    response = {"status_code": answer.status, "headers": dict(answer.headers), "body": answer.body}
    try:
        parsed = create_parser(protocol).parse(response, None)
    except Exception:  # noqa: BLE001 - an unparseable body is exactly what we count
        return ""
    code = str(parsed.get("Error", {}).get("Code", "") or "")
    return "" if code == str(answer.status) else code  # botocore falls back on the status for junk


def has_aws_error_shape(answer: Answer, protocol: str, method: str = "POST") -> bool:
    """True for an error whose code botocore finds (HEAD answers carry no body: status alone counts)."""
    if answer.status < 400:
        return False
    if method == "HEAD":
        return True
    return bool(aws_error_code(answer, protocol))
