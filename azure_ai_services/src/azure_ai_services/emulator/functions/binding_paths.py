"""Blob binding paths (``"uploads/{name}.jpg"``): match a trigger's blobs, fill an output's template."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone

from multi_cloud.emulation.protocols.azure.errors import AzureError

_PARAMETER = re.compile(r"\{(?P<name>[^{}]+)\}")


def split_path(path: str) -> tuple[str, str]:
    """``"container/pattern"`` -> (container, blob pattern); the container may not hold parameters."""
    container, _, pattern = path.partition("/")
    if not container or "{" in container:
        raise AzureError(
            400,
            "BadRequest",
            f"blob path {path!r} must start with a container name, e.g. 'uploads/{{name}}'",
        )
    return container, pattern


def blob_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching blob names of ``pattern`` with one group per ``{parameter}``."""
    regex, position = "", 0
    for parameter in _PARAMETER.finditer(pattern):
        regex += re.escape(pattern[position : parameter.start()])
        regex += f"(?P<{_group(parameter.group('name'))}>.+?)"
        position = parameter.end()
    regex += re.escape(pattern[position:])
    return re.compile(f"^{regex or '.+'}$", re.DOTALL)


def literal_prefix(pattern: str) -> str:
    """The blob name prefix before the first parameter (what the poller lists)."""
    return pattern.split("{", 1)[0]


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{name}`` from ``values`` (plus ``{rand-guid}`` and ``{DateTime}``)."""

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        if name == "rand-guid":
            return str(uuid.uuid4())
        if name == "DateTime":
            return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
        if name not in values:
            raise KeyError(
                f"the output path {template!r} uses {{{name}}}, which the trigger does not provide "
                f"(it provides {', '.join(sorted(values)) or 'nothing'})"
            )
        return values[name]

    return _PARAMETER.sub(value, template)


def _group(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    return cleaned if cleaned[:1].isalpha() else f"p_{cleaned}"
