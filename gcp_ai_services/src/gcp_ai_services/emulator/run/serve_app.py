"""Serve ``module:app`` on ``$PORT``, as a Cloud Run revision: WSGI with werkzeug, ASGI with uvicorn.

Run as ``python -m gcp_ai_services.emulator.run.serve_app main:app`` in the revision's code folder (the
buildpacks' default ``gunicorn -b :$PORT main:app``, which also takes ASGI apps here). Standard library,
werkzeug and uvicorn only: this runs in the revision's own process.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from typing import Any


def is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) else getattr(app, "__call__", None)  # noqa: B004
    return inspect.iscoroutinefunction(call)


def main(target: str) -> None:
    sys.path.insert(0, os.getcwd())
    module_name, _, attribute = target.partition(":")
    app = getattr(importlib.import_module(module_name), attribute or "app")
    port = int(os.environ.get("PORT", "8080"))
    if is_asgi(app):
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")
        return
    from werkzeug.serving import make_server

    print(f"Serving {target} (WSGI) on port {port}", flush=True)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "main:app")
