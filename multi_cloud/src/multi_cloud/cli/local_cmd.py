"""``cloudai local up | down | status | env``: the background local cloud."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Run the local cloud (moto and the emulators) in the background.", no_args_is_help=True
)


@app.command()
def up() -> None:
    """Start the local cloud in the background (PID file and log in the state directory)."""
    from rich.console import Console

    from multi_cloud.local_cloud import control

    status = control.up()
    console = Console()
    console.print(f"[green]local cloud up[/] (pid {status.pid}, state {status.state_dir})")
    for name, info in status.backends.items():
        console.print(f"  {name:<10} {info['url']}")
    for name, reason in status.skipped.items():
        console.print(f"  [yellow]{name:<10} skipped: {reason}[/]")
    console.print('Point any shell at it with: eval "$(cloudai local env)"')


@app.command()
def down() -> None:
    """Stop the background local cloud."""
    from multi_cloud.local_cloud import control

    pid = control.down()
    typer.echo(f"local cloud stopped (pid {pid})")


@app.command()
def status() -> None:
    """Say whether the local cloud runs, where, and whether each backend answers."""
    import ssl
    import urllib.request

    from multi_cloud.local_cloud import control

    current = control.status()
    if current.note:
        typer.echo(current.note)
    if not current.running:
        typer.echo(f"local cloud: not running (state dir {current.state_dir}). Start it: cloudai local up")
        raise typer.Exit(3)
    typer.echo(f"local cloud: running (pid {current.pid}, state dir {current.state_dir})")
    for name, info in current.backends.items():
        try:
            urllib.request.urlopen(info["url"], timeout=2)  # noqa: S310 - loopback
            answering = "answering"
        except urllib.error.HTTPError:
            answering = "answering"
        except urllib.error.URLError as exc:  # an HTTPS backend signed by the local CA still answered
            tls = isinstance(exc.reason, ssl.SSLError)
            answering = "answering (TLS, local CA)" if tls else "NOT answering"
        except OSError:
            answering = "NOT answering"
        typer.echo(f"  {name:<10} {info['url']}  {answering}")


@app.command()
def env() -> None:
    """Print shell exports for the running local cloud: eval "$(cloudai local env)"."""
    from multi_cloud.core.errors import NotFound
    from multi_cloud.local_cloud import control

    current = control.status()
    if not current.running or not current.env:
        raise NotFound("no local cloud is running; start it with: cloudai local up")
    typer.echo(control.shell_exports(current.env))


@app.command()
def install(component: str = typer.Argument(..., help="What to install, e.g. azurite")) -> None:
    """Install a local-cloud component once into the user cache (e.g. Azurite from npm)."""
    from multi_cloud.local_cloud.installers import run_installer

    typer.echo(run_installer(component))
