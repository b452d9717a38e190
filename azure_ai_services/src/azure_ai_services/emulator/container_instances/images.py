"""Which containers the local cloud can run: a Python image whose command runs Python.

Images cannot be pulled offline. A container runs as a local process when its image is a Python image
(``python``, ``python:3.x…``, ``library/python:…``, ``mcr.microsoft.com/azureml/…``,
``mcr.microsoft.com/devcontainers/python…``) and its ``command`` (or the image's default ``python3``) starts
``python``/``python3``/``python3.x``: the command runs with this interpreter. Anything else cannot start;
the container reports ACI's ``Failed`` event naming the image.
"""

from __future__ import annotations

import re
import sys

_PYTHON_IMAGE = re.compile(
    r"^(?:(?:docker\.io/)?(?:library/)?python(?::3(?:\.\d+)?[-.\w]*)?"
    r"|mcr\.microsoft\.com/azureml/[-./\w]+(?::[-.\w]+)?"
    r"|mcr\.microsoft\.com/devcontainers/python(?::[-.\w]+)?)$"
)
_PYTHON_COMMAND = re.compile(r"^(?:/usr(?:/local)?/bin/)?python(?:3(?:\.\d+)?)?$")
#: what ``python:3.x`` images run when the container gives no command
DEFAULT_COMMAND = ["python3"]


class NotRunnable(Exception):
    """The container cannot run locally; the message says why and what would run."""


def local_argv(image: str, command: list[str] | None) -> list[str]:
    """The argv to run for a container, with this interpreter in place of the image's Python."""
    if not _PYTHON_IMAGE.match(image):
        raise NotRunnable(
            f'Failed to pull image "{image}": the local cloud is offline and runs only Python images '
            "(python:3.x, mcr.microsoft.com/azureml/...) whose command runs Python."
        )
    argv = list(command or DEFAULT_COMMAND)
    if not _PYTHON_COMMAND.match(argv[0]):
        raise NotRunnable(
            f"Container command '{argv[0]}' of image \"{image}\" cannot start: the local cloud runs the "
            'Python command of a Python image (e.g. ["python", "-c", "..."] or ["python", "app.py"]).'
        )
    return [sys.executable, *argv[1:]]
