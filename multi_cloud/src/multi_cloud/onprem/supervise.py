"""Run a local container's command as a child; kill it and everything it started if the emulator dies.

Started by an emulator (Cloud Run revisions, Azure container groups) as
``python -m multi_cloud.onprem.supervise <fd> <argv...>``: ``fd`` is
the read end of a pipe whose write end only the emulator holds; when the emulator exits (even killed), the
pipe hangs up and :func:`~multi_cloud.onprem.worker_limits.die_with_parent` kills the revision's process
tree. A normal stop kills this process's tree from the emulator (:func:`~multi_cloud.onprem.process_tree.
kill_tree`).
Standard library and ``worker_limits`` only.
"""

from __future__ import annotations

import subprocess
import sys

from multi_cloud.onprem import worker_limits


def main(arguments: list[str]) -> int:
    guard, argv = int(arguments[0]), arguments[1:]
    worker_limits.become_subreaper()  # orphans of the revision's children come back here, to be killed
    worker_limits.die_with_parent(guard)
    child = subprocess.Popen(argv)  # noqa: S603 - the learner's own revision; cwd, env and output inherited
    try:
        return child.wait()
    finally:
        worker_limits.kill_descendants()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
