"""Terraform module structure checks (python-hcl2): typed, described variables and outputs; tags.

Run ``python -m multi_cloud.iac.terraform_checks DIR [DIR...]``: every ``*.tf`` file of each directory is
one module. Findings are printed one per line; the exit status is 1 when there is any. Rules:

* ``variable-type`` / ``variable-description``: every variable declares both;
* ``outputs-missing``: a module with resources declares at least one output;
  ``output-description``: every output is described;
* ``resource-tags``: every resource of a taggable type (taggable_types.py) has non-empty ``tags``
  (``labels`` on Google) unless its provider block sets ``default_tags`` (``default_labels``);
* ``parse-error``: a file python-hcl2 cannot read.

Reads the output of python-hcl2 (quoted labels, ``__is_block__`` markers) and of its fork bc-python-hcl2
that checkov installs (values wrapped in lists, ``__start_line__`` markers) alike.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.iac.taggable_types import PROVIDER_DEFAULTS, tag_argument


@dataclass(frozen=True)
class Finding:
    module: str
    rule: str
    block: str
    message: str

    def __str__(self) -> str:
        return f"{self.module}: {self.rule}: {self.block}: {self.message}"


@dataclass
class Module:
    """The merged top-level blocks of every .tf file in one directory."""

    path: Path
    blocks: dict[str, list[Any]]


def load_module(directory: Path) -> tuple[Module, list[Finding]]:
    import hcl2

    blocks: dict[str, list[Any]] = {}
    findings = []
    for path in sorted(directory.glob("*.tf")):
        try:
            with path.open(encoding="utf-8") as handle:
                parsed = hcl2.load(handle)
        except Exception as exc:  # noqa: BLE001 - lark raises many error types for bad HCL
            findings.append(Finding(str(directory), "parse-error", path.name, f"{type(exc).__name__}: {exc}"))
            continue
        for kind, entries in parsed.items():
            blocks.setdefault(kind, []).extend(entries)
    return Module(directory, blocks), findings


def _label(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _unwrap(value: Any) -> Any:
    """bc-python-hcl2 wraps attribute values and block bodies in one-element lists."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _body(value: Any) -> dict[str, Any]:
    """A block body keyed by unquoted labels/names, without the parsers' ``__...__`` markers."""
    value = _unwrap(value)
    if not isinstance(value, dict):
        return {}
    return {_label(k): v for k, v in value.items() if not str(k).startswith("__")}


def _scalar(value: Any) -> str:
    """A plain string from ``"x"``, ``${x}`` or ``['${x}']``."""
    text = str(_unwrap(value)).strip('"')
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _non_empty(value: Any) -> bool:
    value = _unwrap(value)
    if isinstance(value, dict):
        return any(not str(k).startswith("__") for k in value)
    if isinstance(value, str):
        return value.strip('"') not in ("", "${null}", "null", "${{}}")
    return value is not None and value != []


def named_blocks(
    module: Module, kind: str, depth: int = 1
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """(labels, body) of every ``kind`` block; ``depth`` is its number of labels (resource: 2)."""
    for entry in module.blocks.get(kind, []):
        yield from _walk(entry, (), depth)


def _walk(node: Any, labels: tuple[str, ...], depth: int) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    if len(labels) == depth:
        yield labels, _body(node)
        return
    for key, value in _body(node).items():
        yield from _walk(value, (*labels, key), depth)


def check_module(directory: Path | str) -> list[Finding]:
    directory = Path(directory)
    module, findings = load_module(directory)
    name = str(directory)
    findings.extend(_check_variables(module, name))
    findings.extend(_check_outputs(module, name))
    findings.extend(_check_tags(module, name))
    return findings


def _check_variables(module: Module, name: str) -> Iterator[Finding]:
    for (variable,), body in named_blocks(module, "variable"):
        if "type" not in body:
            yield Finding(
                name,
                "variable-type",
                f"variable.{variable}",
                "declare a type (string, number, map(string)...)",
            )
        if not _non_empty(body.get("description")):
            yield Finding(name, "variable-description", f"variable.{variable}", "add a description")


def _check_outputs(module: Module, name: str) -> Iterator[Finding]:
    outputs = list(named_blocks(module, "output"))
    if module.blocks.get("resource") and not outputs:
        yield Finding(name, "outputs-missing", "module", "a module with resources must declare its outputs")
    for (output,), body in outputs:
        if not _non_empty(body.get("description")):
            yield Finding(name, "output-description", f"output.{output}", "add a description")


def _check_tags(module: Module, name: str) -> Iterator[Finding]:
    defaults = _providers_with_defaults(module)
    for (kind, resource), body in named_blocks(module, "resource", depth=2):
        argument = tag_argument(kind)
        if argument is None or _non_empty(body.get(argument)):
            continue
        provider = _scalar(body.get("provider", kind.split("_", 1)[0])).split(".")[0]
        if provider in defaults:
            continue
        setting = PROVIDER_DEFAULTS.get(provider)
        hint = f" or set {setting} in the {provider} provider block" if setting else ""
        yield Finding(name, "resource-tags", f"resource.{kind}.{resource}", f"add {argument}{hint}")


def _providers_with_defaults(module: Module) -> set[str]:
    found = set()
    for (provider,), body in named_blocks(module, "provider"):
        setting = PROVIDER_DEFAULTS.get(provider)
        if setting is None or setting not in body:
            continue
        value = body[setting]
        block = _body(value)
        # default_tags is a block holding ``tags``; default_labels is a map attribute
        if _non_empty(block.get("tags")) or (setting == "default_labels" and _non_empty(value)):
            found.add(provider)
    return found


def check_modules(directories: Sequence[Path | str]) -> list[Finding]:
    findings = []
    for directory in directories:
        path = Path(directory)
        if not path.is_dir() or not any(path.glob("*.tf")):
            findings.append(Finding(str(path), "parse-error", "module", "not a directory with .tf files"))
            continue
        findings.extend(check_module(path))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    directories = list(sys.argv[1:] if argv is None else argv)
    if not directories:
        print("usage: python -m multi_cloud.iac.terraform_checks DIR [DIR...]", file=sys.stderr)
        return 2
    findings = check_modules(directories)
    for finding in findings:
        print(finding)
    print(f"terraform structure: {len(directories)} module(s), {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
