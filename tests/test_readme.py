"""The README's Python snippets run as written against a live local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, USER

README = Path(__file__).resolve().parent.parent / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_readme_has_snippets():
    assert len(SNIPPETS) >= 2


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_readme_snippet_runs_as_written(index, live_server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLS_")}
    env.update(MLS_BASE_URL=live_server, MLS_USERNAME=USER, MLS_PASSWORD=PASSWORD,
               MLS_MODEL_DIR=str(tmp_path / "models"))
    script = tmp_path / f"snippet_{index}.py"
    script.write_text(SNIPPETS[index])
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, f"README snippet {index} failed:\n{SNIPPETS[index]}\n{done.stderr[-3000:]}"
