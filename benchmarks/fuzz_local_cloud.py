"""Fuzz the local cloud: ≥ 1,000 model-generated requests and every hostile-HTTP case per server.

Run: .venv/bin/python benchmarks/fuzz_local_cloud.py   (starts moto and the AWS AI emulator in this process)

Per server it prints: sent, answered, dropped connections, hangs (no answer within 10 s), 5xx (501 "not
implemented" counted apart), the share of error answers botocore can read a code from (error shape), and
the growth of this process's resident memory (the servers run in it) over the measured run, after a
300-request warm-up has loaded moto's backends and the AI engines. Then the issue-8 reproducers: RSS
after 1,000 chunked bombs (chunk size 2**64-1, 3 bytes, gone) and the seconds until a connection stalled
mid-header, and one trickling header bytes, are closed. ``CLOUDAI_FUZZ_COUNT`` and ``CLOUDAI_FUZZ_SEED``
change the size and the draw.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

COUNT = int(os.environ.get("CLOUDAI_FUZZ_COUNT", "1200"))
SEED = int(os.environ.get("CLOUDAI_FUZZ_SEED", "2026"))
BOMBS = 1000
SERVICES = {
    "moto": {"sagemaker": "", "s3": "", "lambda": ""},
    "aws-ai": {
        "rekognition": "/rekognition",
        "comprehend": "/comprehend",
        "polly": "/polly",
        "lexv2-models": "/lex-models-v2",
        "lexv2-runtime": "/lex-runtime-v2",
        "sagemaker-runtime": "/sagemaker-runtime",
    },
}
CHUNKED_BOMB = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc"
)


def bomb_growth(target) -> float:  # type: ignore[no-untyped-def]
    """MiB of RSS growth after BOMBS chunked bombs."""
    from multi_cloud.testing.fuzz.runner import rss_bytes

    before = rss_bytes()
    for _ in range(BOMBS):
        with socket.create_connection((target.host, target.port)) as sock:
            sock.sendall(CHUNKED_BOMB)
    time.sleep(1.0)
    return (rss_bytes() - before) / 2**20


def close_seconds(target, trickle: bool) -> float:  # type: ignore[no-untyped-def]
    """Seconds until the server ends a connection stalled (or trickling) mid-header."""
    started = time.monotonic()
    with socket.create_connection((target.host, target.port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sock.settimeout(1.0)
        while time.monotonic() - started < 120:
            try:
                if not sock.recv(4096):
                    break
            except TimeoutError:
                if trickle:
                    sock.sendall(b"a")
            except OSError:
                break
    return time.monotonic() - started


def both_closes(target) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Close times of a stalled and a trickling connection, measured side by side."""
    closes: dict[str, float] = {}

    def measure(kind: str) -> None:
        closes[kind] = close_seconds(target, trickle=kind == "trickling")

    threads = [threading.Thread(target=measure, args=(kind,)) for kind in ("stalled", "trickling")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return closes


def main() -> None:
    from multi_cloud.emulation.http.limits import DEFAULT_LIMITS, MOTO_LIMITS
    from multi_cloud.local_cloud.cloud import LocalCloud
    from multi_cloud.testing.fuzz.runner import alive, hostile_figures, run_hostile, run_model_fuzz
    from multi_cloud.testing.fuzz.targets import aws_ai_target, moto_target

    logging.disable(logging.CRITICAL)  # the servers log every failure they answer
    cloud = LocalCloud(preferred_ports=False).start()
    try:
        urls = {backend.name: backend.url for backend in cloud.backends}
        targets = [moto_target(urls["moto"], MOTO_LIMITS.max_body_bytes)]
        if "aws-ai" in urls:
            targets.append(aws_ai_target(urls["aws-ai"], DEFAULT_LIMITS.max_body_bytes))
        print(f"fuzzing the local cloud: {COUNT} generated requests per server, seed {SEED}")
        for target in targets:
            lacking: set[str] = set()
            run_model_fuzz(target, SERVICES[target.name], count=300, seed=SEED + 1, unimplemented=lacking)
            figures = run_model_fuzz(
                target,
                SERVICES[target.name],
                count=COUNT,
                seed=SEED,
                budget_seconds=600,
                unimplemented=lacking,
            )
            outcomes = run_hostile(target, heavy=True)
            hostile = hostile_figures(target, outcomes)
            print(f"  generated {figures.line()}")
            print(f"  hostile   {hostile.line()}")
            for case, answer, ok in outcomes:
                if not ok:
                    print(f"    hostile case failed: {case.name}: {answer.status} {answer.body[:100]!r}")
            if figures.problems:
                print("    by service: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.problems.items())))
            for example in figures.examples[:6]:
                print(f"    e.g. {example[:150]}")
            print(f"    {len(lacking)} operations answered 501 (not implemented locally)")
            print(f"  {target.name}: RSS after {BOMBS} chunked bombs: {bomb_growth(target):+.1f} MiB")
            closes = both_closes(target)
            print(
                f"  {target.name}: mid-header connection closed after {closes['stalled']:.1f} s (stalled), "
                f"{closes['trickling']:.1f} s (trickling); alive afterwards: {alive(target)}"
            )
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
