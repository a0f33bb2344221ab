"""``mls-async server`` in its own process on a free loopback port, and what every benchmark shares.

The account and API key the benchmarks' servers know, the server with feature reads of a
set latency, and the line that names the machine a run was measured on.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["APIKEY", "CLIENT_ID", "PASSWORD", "USER", "ServerProcess", "feature_server", "machine"]

USER, PASSWORD = "bench", "bench-pass"
CLIENT_ID, APIKEY = "bench-client", "bench-key"


def machine() -> str:
    """The first words of a benchmark's report: the machine and the Python it ran on."""
    return f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


class ServerProcess:
    """Start the local server as a separate process (its own CPU), stop it on exit."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._command = [
            sys.executable,
            "-m",
            "mls_async.server",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "warning",
            *args,
        ]
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        self._process = subprocess.Popen(self._command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"the server did not start: {' '.join(self._command)}")
            time.sleep(0.1)

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(20)


def feature_server(data_dir: Path, latency_ms: float, *args: str) -> ServerProcess:
    """The server with the benchmarks' account and API key, each profile read taking ``latency_ms``."""
    return ServerProcess(
        data_dir,
        "--user",
        f"{USER}:{PASSWORD}",
        "--apikey",
        f"{CLIENT_ID}:{APIKEY}",
        "--feature-latency-ms",
        str(latency_ms),
        *args,
    )
