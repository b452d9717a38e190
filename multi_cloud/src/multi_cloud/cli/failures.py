"""Turn expected failures into a one-line reason on stderr and a non-zero exit code."""

from __future__ import annotations

import sys
from typing import Any


def run_guarded(app: Any) -> int:
    from multi_cloud.core.errors import CloudError

    try:
        code = app(standalone_mode=False)
    except CloudError as err:
        print(f"cloudai: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cloudai: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return code if isinstance(code, int) else 0
