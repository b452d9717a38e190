"""``cloudai demo [NAME]``: run a demo found through the ``cloudai.demos`` entry points."""

from __future__ import annotations

import typer


def demo(
    name: str = typer.Argument("", help="Demo to run; omit to list them."),
) -> None:
    """Run a capstone demo on the local backends (or list the demos)."""
    from multi_cloud.cli.demos import find_demos
    from multi_cloud.core.errors import NotFound

    demos = find_demos()
    if not name:
        typer.echo("Demos (run one with `cloudai demo NAME`):")
        for demo_name, target in sorted(demos.items()):
            typer.echo(f"  {demo_name:<28} {target.value}")
        return
    if name not in demos:
        raise NotFound(f"no demo called {name!r}; available: {', '.join(sorted(demos))}")
    code = demos[name].load()()
    if code:
        raise typer.Exit(int(code))
