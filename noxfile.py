"""Sessions: tests, lint, typecheck, generated-code check, benchmarks.

    nox -s tests         # the suite (torch 2.13.0 installed first: CPU build)
    nox -s lint typecheck unasync
    nox -s benchmarks
    nox -s parity        # against the original sktmls 2026.10.7 (installed with --no-deps)
"""

import nox

nox.options.sessions = ["unasync", "lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

TORCH = "torch==2.13.0"
ORIGINAL = "sktmls==2026.10.7"


def install(session: nox.Session, extras: str = "dev") -> None:
    session.install(TORCH)
    session.install("-e", f".[{extras}]")


@nox.session
def tests(session: nox.Session) -> None:
    install(session)
    session.run("python", "-m", "pytest", "-q", *session.posargs)


@nox.session
def fast(session: nox.Session) -> None:
    """The suite without the AutoGluon fits and the loopback demo."""
    install(session)
    session.run("python", "-m", "pytest", "-q", "-m", "not slow", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("mypy", "-e", ".[server]")
    session.run("mypy", "mls_async")


@nox.session
def unasync(session: nox.Session) -> None:
    session.run("python", "scripts/unasync.py", "--check", external=True)


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
    session.install(TORCH)
    session.install("-e", ".[parity]")
    session.install("--no-deps", ORIGINAL)
    session.run("python", "-m", "pytest", "-q", "tests/parity", *session.posargs, env={"MLS_PARITY_REQUIRED": "1"})
