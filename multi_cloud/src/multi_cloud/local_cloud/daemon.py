"""The background process behind ``cloudai local up``: run the local cloud until SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from multi_cloud.local_cloud.cloud import LocalCloud
from multi_cloud.local_cloud.paths import state_paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    paths = state_paths(args.state_dir)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    cloud = LocalCloud().start()
    cloud.apply_env()  # backends that call each other (the AI emulator reads moto) find them here too
    try:
        state = {"pid": os.getpid(), "started": time.time(), **cloud.describe()}
        tmp = paths.state.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(paths.state)  # atomic: readers never see half a file
        print(f"local cloud up: {json.dumps(state['backends'])}", flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        cloud.stop()
        paths.state.unlink(missing_ok=True)
        print("local cloud stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
