"""``cloudai doctor``: mode, credentials, local backends and engines, each problem with its fix."""

from __future__ import annotations

import typer


def doctor() -> None:
    """Check this machine for the curriculum: settings, credentials, local cloud, engines."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from multi_cloud.cli.checks import run_checks

    checks = run_checks()
    table = Table(title="cloudai doctor", show_lines=False)
    for column in ("area", "check", "status", "fix"):
        table.add_column(column)
    colours = {"ok": "green", "warn": "yellow", "error": "red", "info": "cyan"}
    for check in checks:
        table.add_row(
            check.area,
            check.name,
            f"[{colours[check.level]}]{check.level}[/] {escape(check.detail)}",
            escape(check.fix),
        )
    Console(width=160).print(table)
    errors = [c for c in checks if c.level == "error"]
    if errors:
        typer.echo(f"{len(errors)} problem(s) block this mode; see the fix column.", err=True)
        raise typer.Exit(1)
