"""The README's Python snippets run as written, with only what the README tells a user to set.

The README says: start ``mls-async server``, paste the ``export`` line it prints, run the
snippet. This test does exactly that: it starts the server command, takes the variables
from that line and nothing else (HOME points into the test's directory, so that
``~/models`` stays there too).
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_environment(home: Path) -> dict[str, str]:
    """The environment of a fresh shell: no MLS settings, and a home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLS_")}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # this checkout
    return env


@pytest.fixture(scope="module")
def server_exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Run ``mls-async server`` as the README says; yield the variables of the export line it prints."""
    home = tmp_path_factory.mktemp("home")
    command = [sys.executable, "-m", "mls_async", "server", "--port", str(_free_port()), "--log-level", "warning"]
    process = subprocess.Popen(
        command, env=_clean_environment(home), cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        printed: list[str] = []
        exports: dict[str, str] = {}
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while not exports and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            printed.append(line)
            if line.lstrip().startswith("export "):
                words = shlex.split(line.strip())[1:]
                exports = dict(word.split("=", 1) for word in words)
        assert exports, "mls-async server printed no export line:\n" + "".join(printed)
        base_url = exports["MLS_BASE_URL"]
        while time.monotonic() < deadline:  # the line comes before uvicorn listens
            try:
                with socket.create_connection(
                    (base_url.split("//")[1].split(":")[0], int(base_url.rsplit(":", 1)[1])), timeout=1
                ):
                    break
            except OSError:
                time.sleep(0.1)
        yield exports
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_readme_has_snippets():
    assert len(SNIPPETS) >= 2


def test_the_server_tells_what_to_export(server_exports):
    assert set(server_exports) == {"MLS_ENV", "MLS_BASE_URL", "MLS_USERNAME", "MLS_PASSWORD"}
    assert server_exports["MLS_ENV"] == "LOCAL"


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_readme_snippet_runs_as_written(index, server_exports, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_environment(home) | server_exports
    script = tmp_path / f"snippet_{index}.py"
    script.write_text(SNIPPETS[index])
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, f"README snippet {index} failed:\n{SNIPPETS[index]}\n{done.stderr[-3000:]}"
    assert not (tmp_path / "catboost_info").exists()
