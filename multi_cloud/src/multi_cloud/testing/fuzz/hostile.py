"""Hostile HTTP aimed at one target: foreign origins and hosts, lying lengths, huge chunks, deep JSON, junk.

Each case says what a hardened server must answer (the expectation) and whether the error must be in
the AWS JSON shape. A case whose client goes away mid-request can get no answer; it must not hang.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from multi_cloud.testing.fuzz.targets import Target
from multi_cloud.testing.fuzz.wire import Answer, RawRequest, build

Expectation = Callable[[Answer], bool]


def refused(answer: Answer) -> bool:
    return answer.status == 403 and not any(h.startswith("access-control-allow") for h in answer.headers)


def status(*codes: int) -> Expectation:
    return lambda answer: answer.status in codes


def client_error(answer: Answer) -> bool:
    return 400 <= answer.status < 500


def no_server_error(answer: Answer) -> bool:
    return answer.answered and (answer.status < 500 or answer.status == 501)


def gone_or_client_error(answer: Answer) -> bool:
    """The client left mid-request: a closed connection or a 4xx, never a hang or a 5xx."""
    return not answer.hung and (not answer.answered or 400 <= answer.status < 500)


def too_large_or_gone(answer: Answer) -> bool:
    """413, or a reset: the server answered and closed while the client was still sending."""
    return not answer.hung and (answer.status == 413 or answer.dropped)


@dataclass(frozen=True)
class HostileCase:
    name: str
    request: RawRequest
    expect: Expectation
    #: the error must be in the AWS JSON shape (cases the server can still tell are JSON requests)
    json_shape: bool = False
    #: sends the whole body limit: for benches, not for CI
    heavy: bool = False


def hostile_cases(target: Target) -> list[HostileCase]:
    """Every hostile case for ``target``."""
    t = target
    post = _poster(t)
    evil = "http://evil.example"
    cases = [
        HostileCase("foreign Origin", post(t.body, Origin=evil), refused, json_shape=True),
        HostileCase("null Origin", post(t.body, Origin="null"), refused, json_shape=True),
        HostileCase("Origin lookalike", post(t.body, Origin="http://127.0.0.1.evil.example"), refused),
        HostileCase("cross-site fetch", post(t.body, Sec_Fetch_Site="cross-site"), refused, json_shape=True),
        HostileCase(
            "DNS rebinding Host", post(t.body, Host=f"evil.example:{t.port}"), refused, json_shape=True
        ),
        HostileCase("Host lookalike", post(t.body, Host="localhost.evil.example"), refused),
        HostileCase(
            "cross-site preflight",
            RawRequest(
                build(
                    "OPTIONS",
                    t.path,
                    [
                        ("Host", t.host_header),
                        ("Origin", evil),
                        ("Access-Control-Request-Method", "POST"),
                        ("Access-Control-Request-Headers", "content-type,x-amz-target"),
                    ],
                )
            ),
            refused,
        ),
        HostileCase(
            "oversize Content-Length",
            RawRequest(_head(t, [("Content-Length", str(t.max_body_bytes + 1))])),
            status(413),
            json_shape=True,
        ),
        HostileCase(
            "chunk size 2**64-1, 3 bytes, gone",
            RawRequest(
                _head(t, [("Transfer-Encoding", "chunked")]) + b"ffffffffffffffff\r\nabc", then_close=True
            ),
            gone_or_client_error,
        ),
        HostileCase(
            "chunk size of 100 hex digits",
            RawRequest(
                _head(t, [("Transfer-Encoding", "chunked")]) + b"f" * 100 + b"\r\nabc", then_close=True
            ),
            gone_or_client_error,
        ),
        HostileCase(
            "chunk size not hex",
            RawRequest(_head(t, [("Transfer-Encoding", "chunked")]) + b"zz\r\nabc\r\n0\r\n\r\n"),
            client_error,
        ),
        HostileCase(
            "Content-Length shorter than the body", post(b'{"Text": "x"}', Content_Length="3"), client_error
        ),
        HostileCase(
            "Content-Length longer than the body, gone",
            RawRequest(_head(t, [("Content-Length", "1000")]) + b"{}", then_close=True),
            gone_or_client_error,
        ),
        HostileCase("negative Content-Length", post(b"{}", Content_Length="-5"), client_error),
        HostileCase(
            "Content-Length and chunked",
            RawRequest(
                _head(t, [("Content-Length", "2"), ("Transfer-Encoding", "chunked")])
                + f"{len(t.body):x}\r\n".encode()
                + t.body
                + b"\r\n0\r\n\r\n"
            ),
            no_server_error,
        ),
        HostileCase(
            "JSON nested 100k deep", post(b"[" * 100_000 + b"]" * 100_000), client_error, json_shape=True
        ),
        HostileCase(
            "JSON objects nested 50k deep",
            post(b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
            client_error,
            json_shape=True,
        ),
        HostileCase("body not UTF-8", post(b'{"Text": "\xff\xfe\xfa"}'), client_error, json_shape=True),
        HostileCase("body not JSON", post(b"\x00\x01\x02 not json"), client_error, json_shape=True),
        HostileCase("JSON string instead of object", post(b'"just a string"'), client_error, json_shape=True),
        HostileCase(
            "unknown X-Amz-Target", post(b"{}", X_Amz_Target="NoSuchService.NoSuchOperation"), client_error
        ),
        HostileCase("garbage request line", RawRequest(b"\x00\x01GARBAGE\r\n\r\n"), client_error),
        HostileCase("headers over 64 KiB", post(t.body, X_Padding="a" * 70_000), status(431)),
        HostileCase(
            "path not UTF-8",
            RawRequest(
                b"GET /\xff\xfe%ff HTTP/1.1\r\nHost: "
                + t.host_header.encode()
                + b"\r\nConnection: close\r\n\r\n"
            ),
            no_server_error,
        ),
        HostileCase(
            "header values not UTF-8",
            RawRequest(_head(t, [("X-Amz-Date", "\xff\xfe"), ("Content-Length", str(len(t.body)))]) + t.body),
            no_server_error,
        ),
        HostileCase("bad percent-encoding", RawRequest(_request_to(t, "/%zz%")), no_server_error),
        HostileCase("NUL in the path", RawRequest(_request_to(t, "/%00/a")), no_server_error),
        HostileCase("20 kB path", RawRequest(_request_to(t, "/" + "a" * 20_000)), no_server_error),
        HostileCase(
            "unknown method",
            RawRequest(build("BREW", t.path, [("Host", t.host_header)])),
            no_server_error,
        ),
        HostileCase(
            "HTTP/1.0 without Host",
            RawRequest(f"GET {t.path} HTTP/1.0\r\n\r\n".encode()),
            no_server_error,
        ),
        HostileCase(
            "chunked body over the limit",
            _oversize_chunked(t),
            too_large_or_gone,
            json_shape=True,
            heavy=True,
        ),
    ]
    return cases


def _poster(t: Target) -> Callable[..., RawRequest]:
    def post(body: bytes, **headers: str) -> RawRequest:
        return RawRequest(build("POST", t.path, t.headers(**headers), body))

    return post


def _head(t: Target, extra: list[tuple[str, str]]) -> bytes:
    return build("POST", t.path, [*t.headers(), *extra])


def _request_to(t: Target, path: str) -> bytes:
    return build("GET", path, [("Host", t.host_header)])


def _oversize_chunked(t: Target) -> RawRequest:
    chunk = 1024 * 1024
    block = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
    head = _head(t, [("Transfer-Encoding", "chunked")])
    return RawRequest(head, block=block, times=t.max_body_bytes // chunk + 2, rest=b"0\r\n\r\n")
