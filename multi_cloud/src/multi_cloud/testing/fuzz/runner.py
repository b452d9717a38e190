"""Send fuzz requests to a server and count what came back: the figures tests assert and the bench prints."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from multi_cloud.testing.fuzz.hostile import HostileCase, hostile_cases
from multi_cloud.testing.fuzz.model_requests import generate
from multi_cloud.testing.fuzz.shapes import aws_error_code, has_aws_error_shape
from multi_cloud.testing.fuzz.targets import Target
from multi_cloud.testing.fuzz.wire import Answer, exchange

ANY_AWS_PROTOCOL = ("json", "rest-json", "query", "rest-xml")


@dataclass
class Figures:
    """Per-server counts: sent, answered, dropped, hung, 5xx, errors in the protocol's shape, memory.

    ``server_errors`` counts 5xx other than 501: a 501 says the local cloud does not implement an
    operation (a fidelity gap, counted apart), not that it failed on the input.
    """

    server: str
    sent: int = 0
    answered: int = 0
    drops: int = 0
    hangs: int = 0
    server_errors: int = 0
    not_implemented: int = 0
    errors: int = 0
    shaped: int = 0
    #: requests the client abandoned mid-way (hostile cases): no answer is possible, none is a drop
    client_left: int = 0
    seconds: float = 0.0
    rss_growth_bytes: int = 0
    examples: list[str] = field(default_factory=list)
    #: "<service>: 5xx" / "<service>: unshaped" -> count (the label's first word names the service)
    problems: Counter[str] = field(default_factory=Counter)

    @property
    def shape_percent(self) -> float:
        return 100.0 * self.shaped / self.errors if self.errors else 100.0

    def count(self, answer: Answer, *, shaped: bool, label: str, client_left: bool = False) -> None:
        self.sent += 1
        self.answered += answer.answered
        if client_left and answer.dropped:
            self.client_left += 1
            return
        self.drops += answer.dropped
        self.hangs += answer.hung
        if answer.status == 501:
            self.not_implemented += 1
        elif answer.status >= 500:
            self.server_errors += 1
            self.problems[f"{label.split('.')[0]}: 5xx"] += 1
            self._example(f"{answer.status} {label}: {answer.body[:160]!r}")
        if answer.status >= 400:
            self.errors += 1
            self.shaped += shaped
            if not shaped:
                self.problems[f"{label.split('.')[0]}: unshaped"] += 1
                self._example(f"unshaped {answer.status} {label}: {answer.body[:160]!r}")
        if not answer.answered:
            self._example(f"{'hung' if answer.hung else 'dropped'}: {label}")

    def _example(self, text: str) -> None:
        if len(self.examples) < 12:
            self.examples.append(text)

    def line(self) -> str:
        return (
            f"{self.server:8} sent {self.sent:5}  answered {self.answered:5}  drops {self.drops:3}  "
            f"hangs {self.hangs:3}  5xx {self.server_errors:4} (+{self.not_implemented:3} 501)  "
            f"error shape {self.shape_percent:5.1f} %  "
            f"RSS {self.rss_growth_bytes / 2**20:+7.1f} MiB  {self.seconds:6.1f} s"
            + (f"  ({self.client_left} left by the client)" if self.client_left else "")
        )


def rss_bytes() -> int:
    """This process's resident memory (the servers run in it)."""
    try:
        with open("/proc/self/statm") as statm:
            import os

            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def is_shaped(answer: Answer, protocols: Iterable[str], method: str = "POST") -> bool:
    """An error botocore can read a code from, in one of ``protocols``."""
    if answer.status < 400:
        return True
    if method == "HEAD":
        return True
    return any(aws_error_code(answer, protocol) for protocol in protocols)


def run_hostile(
    target: Target, *, heavy: bool = False, timeout: float = 10.0
) -> list[tuple[HostileCase, Answer, bool]]:
    """Every hostile case once: (case, answer, met its expectation and shape)."""
    outcomes = []
    for case in hostile_cases(target):
        if case.heavy and not heavy:
            continue
        answer = exchange(target.host, target.port, case.request, timeout=timeout)
        ok = case.expect(answer) and (
            not case.json_shape or not answer.answered or has_aws_error_shape(answer, "json")
        )
        outcomes.append((case, answer, ok))
    return outcomes


def run_model_fuzz(
    target: Target,
    services: dict[str, str],
    *,
    count: int,
    seed: int = 0,
    timeout: float = 10.0,
    budget_seconds: float = 600.0,
    unimplemented: set[str] | None = None,
) -> Figures:
    """``count`` generated requests spread over ``services`` (name -> path prefix), within the time budget.

    Operations answered 501 are added to ``unimplemented`` and not drawn again (pass the same set to
    a later run to start from what an earlier one learnt).
    """
    figures = Figures(target.name)
    started = time.monotonic()
    before = rss_bytes()
    per_service = max(1, count // max(1, len(services)))
    unimplemented = unimplemented if unimplemented is not None else set()
    streams = [
        generate(
            name,
            count=per_service,
            seed=seed,
            host_header=target.host_header,
            path_prefix=prefix,
            unimplemented=unimplemented,
        )
        for name, prefix in services.items()
    ]
    for requests in zip(*streams, strict=False):
        for request in requests:
            if time.monotonic() - started > budget_seconds:
                break
            answer = exchange(target.host, target.port, request.raw, timeout=timeout)
            if answer.status == 501:
                unimplemented.add(request.operation)
            shaped = is_shaped(answer, (request.protocol,), request.method)
            figures.count(
                answer, shaped=shaped, label=f"{request.service}.{request.operation} ({request.mutation})"
            )
    figures.seconds = time.monotonic() - started
    figures.rss_growth_bytes = rss_bytes() - before
    return figures


def hostile_figures(target: Target, outcomes: list[tuple[HostileCase, Answer, bool]]) -> Figures:
    """Hostile outcomes as figures (their own errors may be in any AWS protocol's shape)."""
    figures = Figures(target.name)
    for case, answer, _ok in outcomes:
        protocols = ("json",) if case.json_shape else ANY_AWS_PROTOCOL
        gone = case.request.then_close or case.heavy  # the client leaves, or the server may cut it off
        figures.count(answer, shaped=is_shaped(answer, protocols), label=case.name, client_left=gone)
    return figures


def alive(target: Target, timeout: float = 10.0) -> bool:
    """The target still answers its valid operation with 200."""
    return exchange(target.host, target.port, target.valid_request(), timeout=timeout).status == 200
