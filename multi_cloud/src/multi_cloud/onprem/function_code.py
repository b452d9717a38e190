"""Validate a function's name and handler against its source, and copy the code into a version directory."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import uuid
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument, NotFound

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HANDLER = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv")


def validate_function_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(
            f"invalid function name {name!r}: use 1-64 letters, digits, '-' or '_' (e.g. 'resize-image')"
        )


def module_file(code_dir: Path, module: str) -> Path | None:
    """The file that ``import module`` would load from ``code_dir`` (module.py or package/__init__.py)."""
    base = code_dir.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def top_level_names(source: str, filename: str) -> set[str] | None:
    """Names bound at module level (None if a star import makes that unknowable)."""
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        raise InvalidArgument(
            f"{filename} line {exc.lineno}: syntax error ({exc.msg}); fix the code and deploy again"
        ) from None
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try)):  # e.g. a handler defined under "if": accept, can't tell
            return None
    return names


def validate_handler(code_dir: Path, handler: str) -> None:
    """Check that ``handler`` ("module.function") names a function defined in ``code_dir``.

    Checked statically (the code is parsed, not run), so deploying never executes user code.
    """
    if not isinstance(handler, str) or not _HANDLER.match(handler):
        raise InvalidArgument(
            f"invalid handler {handler!r}: use 'module.function', "
            "e.g. 'app.handler' for def handler() in app.py"
        )
    module, _, function = handler.rpartition(".")
    path = module_file(code_dir, module)
    if path is None:
        raise InvalidArgument(
            f"handler {handler!r}: no {module.replace('.', '/')}.py in the source directory; "
            f"add it or change the handler's module part"
        )
    names = top_level_names(path.read_text(encoding="utf-8"), str(path.name))
    if names is not None and function not in names:
        raise InvalidArgument(
            f"handler {handler!r}: {path.name} defines no top-level {function!r}; "
            f"add 'def {function}(event, context): ...' or fix the handler's function part"
        )


def check_source_dir(source_dir: str | Path) -> Path:
    path = Path(source_dir)
    if not path.is_dir():
        raise NotFound(f"source directory {path} does not exist; pass the folder that holds your handler")
    return path


def copy_code(source: Path, destination: Path) -> str:
    """Copy ``source`` to ``destination`` atomically (temp dir + rename); return the code's SHA-256."""
    temp = destination.parent / f".tmp-{uuid.uuid4().hex}"
    shutil.copytree(source, temp, ignore=_IGNORED)
    try:
        os.rename(temp, destination)
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return code_sha256(destination)


def code_sha256(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
