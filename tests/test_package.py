"""The package surface: exports, import cost, generated code, the demo."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mls_async._libraries import LIBRARIES

ROOT = Path(__file__).resolve().parent.parent
HEAVY = tuple({entry.module.split(".")[0] for entry in LIBRARIES if entry.module} | {"pandas"})


@pytest.mark.parametrize(
    "module",
    [
        "mls_async",
        "mls_async.models",
        "mls_async.models.contrib",
        "mls_async.logic",
        "mls_async.components",
        "mls_async.datasets",
        "mls_async.dynamodb",
        "mls_async.apis",
        "mls_async.meta_tables",
        "mls_async.batch",
        "mls_async.models.automl",
        "mls_async.server",
    ],
)
def test_all_is_explicit_sorted_and_importable(module):
    imported = importlib.import_module(module)
    exported = imported.__all__
    assert exported == sorted(exported), f"{module}.__all__ is not sorted"
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert getattr(imported, name) is not None


def test_models_mirror_the_names_of_sktmls_models():
    import mls_async.models as models

    expected = {
        "AutoMLModel",
        "MLModel",
        "MLModelClient",
        "MLModelStatus",
        "MLSCatBoostModel",
        "MLSGenericModel",
        "MLSLightGBMModel",
        "MLSModel",
        "MLSModelError",
        "MLSPyTorchModel",
        "MLSRuleModel",
        "MLSTrainable",
        "MLSXGBoostModel",
        "ManualModel",
    }
    assert expected <= set(models.__all__)
    assert {"AUTOML_DONE", "AUTOML_FAILED", "AUTOML_TRAINING", "IN_USE", "NOT_IN_USE", "UNKNOWN"} == set(
        models.MLModelStatus.__members__
    )


def test_import_stays_light():
    code = (
        "import sys, mls_async, mls_async.models, mls_async.components, mls_async.datasets; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def _unasync(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(tree / "scripts" / "unasync.py"), *args], capture_output=True, text=True)


def test_generated_sync_code_is_current_and_hand_edits_are_caught(tmp_path):
    assert _unasync(ROOT, "--check").returncode == 0
    tree = tmp_path / "tree"
    for part in ("scripts", "mls_async", "tests"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
    generated = tree / "mls_async" / "_sync" / "model_client.py"
    generated.write_text(generated.read_text().replace("def get_manual_model", "def get_manual_model_edited"))
    result = _unasync(tree, "--check")
    assert result.returncode == 1 and "model_client.py is stale or edited by hand" in result.stderr
    assert "+    def get_manual_model(" in result.stderr  # a unified diff is printed

    generated.write_text(generated.read_text()[:-200])  # a truncated tail is caught too
    assert _unasync(tree, "--check").returncode == 1
    assert _unasync(tree).returncode == 0 and _unasync(tree, "--check").returncode == 0

    (tree / "mls_async" / "_sync" / "orphan.py").write_text("x = 1\n")
    result = _unasync(tree, "--check")
    assert result.returncode == 1 and "orphan.py has no async source" in result.stderr


def test_an_unused_rule_fails_the_check(tmp_path):
    tree = tmp_path / "tree"
    for part in ("scripts", "mls_async", "tests"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
    script = tree / "scripts" / "unasync.py"
    script.write_text(
        script.read_text().replace(
            "RULES: list[tuple[str, str]] = [", 'RULES: list[tuple[str, str]] = [\n    (r"\\bNeverSeen\\b", "X"),'
        )
    )
    result = _unasync(tree, "--check")
    assert result.returncode == 1 and "rules never used" in result.stderr and "NeverSeen" in result.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_the_demo_runs_end_to_end_on_one_connection_pool(tmp_path, capsys, monkeypatch):
    from mls_async._async.base_client import AsyncConnection
    from mls_async.demo import main

    pools = []
    opened = AsyncConnection.__init__

    def counted(self, **kwargs):
        pools.append(self)
        opened(self, **kwargs)

    monkeypatch.setattr(AsyncConnection, "__init__", counted)
    assert main(["--data-dir", str(tmp_path / "server")]) == 0
    output = capsys.readouterr().out
    assert "(same as local)" in output and "custom handler" in output and "server: STOPPED" in output
    assert len(pools) == 1


def test_the_public_surface_type_checks_as_written(tmp_path):
    """tests/typing_surface.py states what mypy must infer (``async with`` gives the class, resources typed)."""
    pytest.importorskip("mypy")
    root = Path(__file__).resolve().parents[1]
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--cache-dir",
        str(tmp_path / "mypy"),
        "tests/typing_surface.py",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_library_says_which_extra_installs_it(monkeypatch):
    from mls_async._libraries import LibraryMissing, library
    from mls_async.models import MLSCatBoostModel, MLSGenericModel, MLSModelError

    monkeypatch.setitem(sys.modules, "catboost", None)  # what an environment without catboost imports
    with pytest.raises(LibraryMissing, match=r"pip install 'mls-async\[catboost\]'"):
        MLSCatBoostModel(object(), "missing_model", "v1", ["a"])
    generic = MLSGenericModel([object()], "generic_model", "v1", ["a"])
    with pytest.raises(MLSModelError, match=r"mls-async\[catboost\]"):
        generic.set_model_lib("catboost")
    assert library("pytorch").module == "torch" and library("rule").module is None and library("nope") is None
