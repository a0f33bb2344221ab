"""A notebook on a real Jupyter kernel: top-level ``await``, sync clients in the kernel's running loop,
``model.predict`` and ``await model.predict_async`` on one async profile client, reuse across cells."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, USER

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat (the dev extra)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (the dev extra)")
pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (the dev extra) for a real kernel")

pytestmark = pytest.mark.e2e

CELLS = [
    # 1: setup
    """
import json
from mls_async import AsyncMLS, AsyncMLSProfileAPIClient, MLSProfileAPIClient
from mls_async.models.contrib import GenericLogicModel

kwargs = {{"env": "LOCAL", "username": {user!r}, "password": {password!r}, "base_url": {url!r}}}


class FirstColumn:
    def predict(self, rows):
        return [row[0] for row in rows]


model = GenericLogicModel(
    model_name="notebook_model", model_version="v1", features=["user_id"], model=FirstColumn(),
    predict_fn="predict",
    preprocess_logic={{"merge": [{{"pf": ["user", "usage", {{"var": "user_id"}}, ["traffic"]]}}]}},
    postprocess_logic={{"list": [{{"var": "y"}}]}})
""",
    # 2: top-level await on the root client
    """
mls = AsyncMLS(**kwargs)
await mls.profiles.put_user_profiles("usage", {"u1": {"traffic": 1.5}, "u2": {"traffic": 2.5}})
print(json.dumps(await mls.profiles.get_user_profile("usage", "u1", ["traffic"])))
""",
    # 3: sync clients inside the kernel's running loop
    """
with MLSProfileAPIClient(**kwargs) as sync_profiles:
    print(json.dumps([sync_profiles.get_user_profile("usage", "u2", ["traffic"]),
                      model.predict(["u1"], pf_client=sync_profiles)]))
""",
    # 4: the sync predict, then await, with one async profile client
    """
profiles = AsyncMLSProfileAPIClient(**kwargs)
first = model.predict(["u1"], pf_client=profiles)
second = await model.predict_async(["u2"], pf_client=profiles)
print(json.dumps([first, second]))
""",
    # 5: the same clients, a cell later, in both orders
    """
third = await model.predict_async(["u1"], pf_client=profiles)
fourth = model.predict(["u2"], pf_client=mls.profiles)
fifth = await mls.profiles.get_user_profile("usage", "u2", ["traffic"])
print(json.dumps([third, fourth, fifth]))
await profiles.aclose()
await mls.aclose()
""",
]


def test_a_notebook_mixing_await_and_sync_calls_on_a_real_kernel(live_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    source = [
        cell.format(user=USER, password=PASSWORD, url=live_server) if index == 0 else cell
        for index, cell in enumerate(CELLS)
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in source])
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    def printed(index: int) -> object:
        outputs = notebook.cells[index].outputs
        assert [output.output_type for output in outputs] == ["stream"], outputs
        return json.loads(outputs[0].text)

    assert printed(1) == {"traffic": 1.5}
    assert printed(2) == [{"traffic": 2.5}, {"items": [1.5]}]
    assert printed(3) == [{"items": [1.5]}, {"items": [2.5]}]
    assert printed(4) == [{"items": [1.5]}, {"items": [2.5]}, {"traffic": 2.5}]
