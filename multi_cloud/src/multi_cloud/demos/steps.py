"""Run a demo as named steps with live progress, timings, and a one-line reason on failure."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from rich.console import Console
from rich.markup import escape

#: lines of a failed step's captured output shown under its reason
TAIL_LINES = 12


class DemoFailed(Exception):
    """A step failed; the demo stops, tears down, and exits non-zero."""


class Steps:
    """``with steps.step("Train"):`` shows a spinner, then a tick and the seconds taken.

    What the SDKs print inside a step (upload bars, polling dots) is kept off the screen, and shown only
    when the step fails.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.console.file = self.console.file  # bind today's stdout: the steps redirect sys.stdout
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.perf_counter()
        chatter = io.StringIO()
        console = self.console
        with console.status(f"{title}..."), redirect_stdout(chatter), redirect_stderr(chatter):
            try:
                yield
            except Exception as exc:
                seconds = time.perf_counter() - started
                console.print(f"[red]✗[/] {escape(title)} [dim]({seconds:.1f} s)[/]")
                tail = chatter.getvalue().strip().splitlines()[-TAIL_LINES:]
                if tail:
                    console.print("[dim]" + escape("\n".join(tail)) + "[/]")
                raise DemoFailed(f"{title}: {exc}") from exc
        seconds = time.perf_counter() - started
        self.timings[title] = seconds
        self.console.print(f"[green]✓[/] {escape(title)} [dim]({seconds:.1f} s)[/]")
