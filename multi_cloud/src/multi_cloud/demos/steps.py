"""Run a demo as named steps with live progress, timings, and a one-line reason on failure."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class DemoFailed(Exception):
    """A step failed; the demo stops, tears down, and exits non-zero."""


class Steps:
    """``with steps.step("Train"):`` shows a spinner, then a tick and the seconds taken."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.perf_counter()
        with self.console.status(f"{title}..."):
            try:
                yield
            except Exception as exc:
                seconds = time.perf_counter() - started
                self.console.print(f"[red]✗[/] {title} [dim]({seconds:.1f} s)[/]")
                raise DemoFailed(f"{title}: {exc}") from exc
        seconds = time.perf_counter() - started
        self.timings[title] = seconds
        self.console.print(f"[green]✓[/] {title} [dim]({seconds:.1f} s)[/]")
