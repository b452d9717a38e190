"""Run one Azurite service (blob or queue) on a free loopback port, learn the port, and never orphan it."""

from __future__ import annotations

import re
import subprocess
import threading
from collections import deque
from pathlib import Path

from multi_cloud.core.errors import Unavailable

from azure_ai_services.azurite.node import NodeRuntime

_LISTENING = re.compile(r"successfully listens on https?://[\d.]+:(?P<port>\d+)")
START_TIMEOUT = 20.0
#: in-memory blobs are bounded (Azurite's default is half of this machine's memory)
EXTENT_MEMORY_MB = 512
#: runs the service script with its own argv, and exits when stdin closes: Azurite never outlives the Python
#: process that started it, even when that process is killed and never calls stop()
STDIN_WATCHDOG = (
    "const [script, ...rest] = process.argv.slice(1);"
    "process.argv = [process.argv[0], script, ...rest];"
    "process.stdin.on('end', () => process.exit(0));"
    "process.stdin.on('error', () => process.exit(0));"
    "process.stdin.resume();"
    "require(script);"
)


class AzuriteProcess:
    """``node <azurite>/dist/src/<service>/main.js`` with port 0; ``port`` once it listens."""

    def __init__(
        self, runtime: NodeRuntime, script: Path, service: str, workdir: Path, compile_cache: Path
    ) -> None:
        self.service = service
        self.port = 0
        self._listening = threading.Event()
        self._output: deque[str] = deque(maxlen=20)
        option = f"--{service}"
        self._process = subprocess.Popen(
            [
                str(runtime.node),
                "-e",
                STDIN_WATCHDOG,
                str(script),
                f"{option}Host",
                "127.0.0.1",
                f"{option}Port",
                "0",
                "--skipApiVersionCheck",
                "--inMemoryPersistence",
                "--extentMemoryLimit",
                str(EXTENT_MEMORY_MB),
                "--disableTelemetry",
                "--loose",
            ],
            cwd=workdir,
            # Node 22+ caches compiled modules there: later starts skip most of Azurite's parse time
            env={**runtime.environ(), "NODE_COMPILE_CACHE": str(compile_cache)},
            stdin=subprocess.PIPE,  # held open until stop() or this process's death
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, name=f"azurite-{service}", daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:  # drained until exit, so Azurite never blocks on a full pipe
            self._output.append(line.rstrip())
            found = _LISTENING.search(line)
            if found and not self.port:
                self.port = int(found.group("port"))
                self._listening.set()
        self._listening.set()

    def wait_listening(self, timeout: float = START_TIMEOUT) -> int:
        self._listening.wait(timeout)
        if not self.port:
            self.stop()
            output = "\n".join(self._output) or "(no output)"
            raise Unavailable(f"azurite-{self.service} did not start within {timeout:.0f} s:\n{output}")
        return self.port

    def stop(self, timeout: float = 5.0) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout)
