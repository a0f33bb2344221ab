"""The package as users get it: the CLI on an install without extras, and a complete sdist."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run the CLI as on an install that lacks ``blocked``: importing any of them fails as a missing module does.
CLI_WITHOUT = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
from mls_async.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


def run_cli_without(blocked: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI_WITHOUT, blocked, *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        ("fastapi", ["server", "--port", "1"], "server"),
        ("uvicorn", ["server", "--port", "1"], "server"),
        ("uvicorn", ["demo"], "all"),
        ("pyarrow,pyarrow.dataset", ["batch-predict", "m", "v1", "rows.parquet", "--output", "out"], "batch"),
    ],
)
def test_a_command_without_its_extra_says_in_one_line_what_to_install(blocked, args, extra, tmp_path):
    (tmp_path / "rows.parquet").write_bytes(b"")
    done = run_cli_without(blocked, *args, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"pip install 'mls-async[{extra}]'" in lines[0]
    assert "Traceback" not in done.stderr


def test_fitting_without_autogluon_names_the_extra(monkeypatch):
    from mls_async._extras import MissingExtra
    from mls_async.models.contrib import GenericLogicModel

    monkeypatch.setitem(sys.modules, "pandas", None)
    model = GenericLogicModel(
        model=None, model_name="fit_model", model_version="v1", features=["a"], predict_fn="predict_proba"
    )
    with pytest.raises(MissingExtra, match=r"pip install 'mls-async\[autogluon\]'"):
        model.fit(train_data=None, test_data=None, label="y")


def test_an_unrelated_missing_module_is_not_blamed_on_an_extra():
    from mls_async._extras import needs_extra

    with pytest.raises(ModuleNotFoundError) as raised, needs_extra("server", "this"):
        import not_a_module_of_any_extra  # noqa: F401
    assert type(raised.value) is ModuleNotFoundError


def _tracked(folder: str) -> set[str]:
    listed = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


@pytest.mark.slow
def test_the_sdist_holds_the_tests_their_fixtures_and_the_scripts(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know which files are tracked")
    # Built from a copy of the tracked files: setuptools writes its egg-info beside the sources.
    source = tmp_path / "source"
    for name in _tracked("."):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    with tarfile.open(tmp_path / built.stdout.strip().splitlines()[-1]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for folder in ("tests", "scripts", "benchmarks", "mls_async"):
        missing = _tracked(folder) - names
        assert not missing, f"the sdist lacks {sorted(missing)[:10]}"
    assert {"LICENSE", "README.md", "noxfile.py", "pyproject.toml"} <= names
