"""``cloudai`` entry point; subcommands import their dependencies only when they run."""

from __future__ import annotations

import sys

import typer

from multi_cloud.cli import demo_cmd, doctor_cmd, grading_cmd, local_cmd

app = typer.Typer(
    name="cloudai",
    help="Cloud AI Platforms: run the curriculum's local cloud, check your setup, run demos.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(local_cmd.app, name="local")
app.command("doctor")(doctor_cmd.doctor)
app.command("demo")(demo_cmd.demo)
app.command("assign")(grading_cmd.assign)
app.command("grade")(grading_cmd.grade)
app.command("check")(grading_cmd.check)


def run() -> None:
    """Console-script entry: CloudErrors become a one-line reason and exit code 1."""
    from multi_cloud.cli.failures import run_guarded

    sys.exit(run_guarded(app))


if __name__ == "__main__":
    run()
