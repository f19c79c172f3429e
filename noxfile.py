"""Build, test and run the essay's analyses.

    nox -s site                  run stale analyses on the CPU, then build the site (the main job)
    nox -s tests                 unit tests, the freshness check, the strict build and the browser test
    nox -s analyses -- [NAME ...] [--force] [--profile quick|full] [--device auto|cpu|cuda] [--check]
    nox -s serve                 preview with live reload on http://127.0.0.1:8000
    nox -s new -- NAME           scaffold a new analysis (package, page, test)
    nox -s census -- PATH ...    parameters, memory and FLOPs of any transformers/diffusers config
    nox -s bench [-- census]     time the build steps, or the census (medians of several runs)

Virtualenvs are reused, and a session skips pip entirely while pyproject.toml
is unchanged since its last install, which keeps warm runs fast.
"""

import hashlib
import os
import pathlib

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["site"]

ROOT = pathlib.Path(__file__).parent
PYTHON = "3.11"


def install(session: nox.Session, extras: str) -> None:
    """pip-install the project with ``extras``, unless this venv already has this pyproject.toml's set."""
    stamp = pathlib.Path(session.virtualenv.location) / f".installed-{extras}"
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == key:
        return
    # torch==2.13.0 resolves to the local CPU wheel on CPU machines. On a GPU runner,
    # set TORCH_INDEX_URL (e.g. PyTorch's CUDA wheel index) to take the CUDA build of the same version.
    if os.environ.get("TORCH_INDEX_URL"):
        session.install("torch==2.13.0", "--index-url", os.environ["TORCH_INDEX_URL"])
    session.install("-e", f".[{extras}]")
    stamp.write_text(key)


@nox.session(python=PYTHON)
def analyses(session: nox.Session) -> None:
    """Run stale analyses (or those named) and freeze their results under docs/results/."""
    install(session, "analyses")
    session.run("python", "-m", "analyses", "run", *session.posargs)


@nox.session(python=PYTHON)
def site(session: nox.Session) -> None:
    """The main job: bring every analysis up to date on the CPU, then build the site into site/."""
    install(session, "analyses,site")
    session.run("python", "-m", "analyses", "run", "--device", "cpu")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Preview the site with live reload (results are read as frozen; run `nox -s analyses` to refresh)."""
    install(session, "analyses,site")
    session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit and contract tests, the freshness check, the strict build and the browser test."""
    install(session, "analyses,site,tests")
    session.run("python", "-m", "analyses", "run", "--check")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def new(session: nox.Session) -> None:
    """Scaffold a new analysis: nox -s new -- NAME."""
    if len(session.posargs) != 1:
        session.error("usage: nox -s new -- NAME")
    install(session, "analyses")
    session.run("python", "-m", "analyses", "new", session.posargs[0])


@nox.session(python=PYTHON)
def census(session: nox.Session) -> None:
    """Count any model: nox -s census -- PATH_OR_ID ... [--json] (a config.json, a folder, or a Hub id)."""
    if not session.posargs:
        session.error("usage: nox -s census -- PATH_OR_ID ... [--json]")
    install(session, "analyses")
    session.run("python", "-m", "analyses.census", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks, medians of several runs: build times (default), or `-- census` for the census."""
    install(session, "analyses,site")
    if session.posargs[:1] == ["census"]:
        session.run("python", "benchmarks/census.py", *session.posargs[1:])
    else:
        session.run("python", "benchmarks/build_times.py", *session.posargs)
