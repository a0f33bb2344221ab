"""Sessions: tests on every supported Python, lint, typecheck, generated-code check, docs, benchmarks.

nox -s tests-3.11    # the whole suite, torch included (its CPU build, installed first)
nox -s tests-3.12 tests-3.13   # the suite without the slow tests, and without torch
nox -s lint typecheck unasync docs
nox -s benchmarks
nox -s parity        # against the original sktmls 2026.10.7 (installed with --no-deps)
"""

from __future__ import annotations

import glob
import os

import nox

nox.options.sessions = ["unasync", "lint", "typecheck", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.12", "3.13"]
# The version that runs the whole suite; the others run it without the slow tests.
FULL_SUITE_PYTHON = "3.11"
TORCH = "torch==2.13.0"
ORIGINAL = "sktmls==2026.10.7"


def _pyenv_interpreters_on_path() -> None:
    """Let nox find pyenv's interpreters: pyenv's shims answer only for the selected version."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    folders = []
    for version in PYTHONS:
        found = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin")))
        if found:
            folders.append(found[-1])
    if folders:
        os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])


_pyenv_interpreters_on_path()


def install(session: nox.Session, extras: str = "dev", *, torch: bool = True) -> None:
    """Install the project; torch's CPU build first, since a plain resolution pulls CUDA."""
    if torch:
        session.install(TORCH)
    session.install("-e", f".[{extras}]")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite: all of it on FULL_SUITE_PYTHON, the fast part elsewhere (torch's CPU build is for 3.11 here)."""
    if session.python == FULL_SUITE_PYTHON:
        install(session)
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
    else:
        install(session, "test", torch=False)
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow", *session.posargs)


@nox.session
def fast(session: nox.Session) -> None:
    """The suite without the AutoGluon fits, the README snippets and the loopback demo."""
    install(session)
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("mypy", "-e", ".[server]")
    session.run("mypy", "mls_async")


@nox.session
def unasync(session: nox.Session) -> None:
    session.run("python", "scripts/unasync.py", "--check", external=True)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, built strictly: a broken reference or a missing page fails."""
    session.install("-e", ".[docs]")
    site = os.path.join(session.create_tmp(), "site")
    # NO_MKDOCS_2_WARNING: mkdocs-material's notice about MkDocs 2.0, printed on every build.
    session.run("mkdocs", "build", "--strict", "--site-dir", site, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Ratios against baselines measured in the same run (bench_features needs the original)."""
    install(session, "parity")
    session.install("--no-deps", ORIGINAL)
    session.run("python", "-m", "benchmarks.bench_client")
    session.run("python", "-m", "benchmarks.bench_predict")
    session.run("python", "-m", "benchmarks.bench_features")


@nox.session
def parity(session: nox.Session) -> None:
    """The original SDK against the local server, and our requests against the original's."""
    install(session, "parity")
    session.install("--no-deps", ORIGINAL)
    session.run("python", "-m", "pytest", "-q", "tests/parity", *session.posargs, env={"MLS_PARITY_REQUIRED": "1"})
