"""Registry, input hashing, freezing and checking of analyses.

Each analysis's outputs live in ``docs/results/<name>/`` beside a
``manifest.json`` that records the hash of its inputs and of every output file.
An analysis is *fresh* when the hash of its current inputs equals the recorded
one and no output was edited by hand; fresh analyses are skipped.

The input hash covers (owid/etl's "checksums decide what is dirty"):
  - every file in the analysis's folder and, transitively, the local
    ``analyses.*`` modules its Python files import;
  - the framework modules that shape outputs (``_results.py``, ``_format.py``);
  - the catalog files and data files its Spec declares;
  - the profile and its parameters;
  - the versions of the packages that can change results.
"""

import ast
import datetime
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import platform
import random
import shutil
import subprocess
import sys
import time
import traceback

from analyses import catalog
from analyses._results import Results
from analyses._spec import Spec
from analyses.arguments import ARGUMENTS

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
RESULTS_DIR = ROOT / "docs" / "results"
FRAMEWORK_FILES = ("analyses/_results.py", "analyses/_format.py")
# Versions that can change any analysis's numbers or rendered charts.
HASHED_PACKAGES = ("torch", "transformers", "diffusers", "altair", "vl-convert-python")
NOT_ANALYSES = {"catalog"}


class AnalysisError(Exception):
    """A problem with an analysis's declaration or inputs (one line)."""


def validate(name: str, spec: Spec) -> None:
    """One-line errors for a Spec that does not hold together."""
    if not spec.title:
        raise AnalysisError(f"analysis '{name}': SPEC.title is empty")
    unknown = [t for t in spec.tests if t not in ARGUMENTS]
    if not spec.tests or unknown:
        raise AnalysisError(f"analysis '{name}': SPEC.tests must name arguments from analyses/arguments.py"
                            f"{'; unknown: ' + ', '.join(unknown) if unknown else ''}")
    if "quick" not in spec.profiles:
        raise AnalysisError(f"analysis '{name}': SPEC.profiles has no 'quick' profile")
    if not (ROOT / "docs" / spec.page).is_file():
        raise AnalysisError(f"analysis '{name}': SPEC.page docs/{spec.page} does not exist")
    for cat in spec.catalog:
        if not (catalog.CATALOG_DIR / f"{cat}.yaml").is_file():
            raise AnalysisError(f"analysis '{name}': catalog file analyses/catalog/{cat}.yaml does not exist")
    for path in spec.data:
        if not (ROOT / path).is_file():
            raise AnalysisError(f"analysis '{name}': data file {path} does not exist")


# ---------------------------------------------------------------- registry

def names() -> list[str]:
    """Every analysis: a sub-package of analyses/ with an __init__.py, not private."""
    return sorted(p.name for p in PACKAGE_DIR.iterdir()
                  if p.is_dir() and (p / "__init__.py").is_file()
                  and not p.name.startswith("_") and p.name not in NOT_ANALYSES)


def spec(name: str) -> Spec:
    if name not in names():
        raise AnalysisError(f"unknown analysis '{name}' (known: {', '.join(names()) or 'none'})")
    module = importlib.import_module(f"analyses.{name}")
    found = getattr(module, "SPEC", None)
    if not isinstance(found, Spec):
        raise AnalysisError(f"analysis '{name}': analyses/{name}/__init__.py defines no SPEC = Spec(...)")
    validate(name, found)
    return found


# ---------------------------------------------------------------- hashing

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_file(module: str) -> pathlib.Path | None:
    """analyses.x.y -> its file in this repository, or None when it is not local."""
    parts = module.split(".")
    if parts[0] != "analyses":
        return None
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _local_imports(path: pathlib.Path) -> set[pathlib.Path]:
    """Local modules one Python file imports, absolute (analyses.x) or relative (from . import x)."""
    # The package a relative import starts from: analyses/exposure/analysis.py -> analyses.exposure
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found: set[pathlib.Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            modules = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for module in modules:
            file = _module_file(module)
            if file:
                found.add(file)
    return found


def source_files(name: str) -> list[pathlib.Path]:
    """Files of the analysis folder plus every local module reached through imports."""
    folder = PACKAGE_DIR / name
    files = {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    files |= {ROOT / f for f in FRAMEWORK_FILES}
    todo = [p for p in files if p.suffix == ".py"]
    while todo:
        for imported in _local_imports(todo.pop()):
            if imported not in files:
                files.add(imported)
                todo.append(imported)
    return sorted(files)


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {}
    for package in sorted(set(HASHED_PACKAGES) | set(extra)):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def inputs(name: str, analysis: Spec, profile: str) -> dict[str, str]:
    """Everything that can change the outputs, each with its own hash (so --check can say what changed)."""
    if profile not in analysis.profiles:
        raise AnalysisError(f"analysis '{name}' has no profile '{profile}' (has: {', '.join(analysis.profiles)})")
    parts = {str(p.relative_to(ROOT)): _sha256(p.read_bytes()) for p in source_files(name)}
    for cat in analysis.catalog:
        path = catalog.CATALOG_DIR / f"{cat}.yaml"
        parts[str(path.relative_to(ROOT))] = _sha256(path.read_bytes())
    for data in analysis.data:
        parts[data] = _sha256((ROOT / data).read_bytes())
    parts["profile"] = json.dumps({profile: analysis.profiles[profile], "seed": analysis.seed}, sort_keys=True)
    for package, version in package_versions(analysis.packages).items():
        parts[f"package:{package}"] = version
    return parts


def input_hash(parts: dict[str, str]) -> str:
    return _sha256(json.dumps(parts, sort_keys=True).encode())


# ---------------------------------------------------------------- status

def read_manifest(name: str) -> dict | None:
    path = RESULTS_DIR / name / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else None


def problems(name: str) -> list[str]:
    """Why the committed results of one analysis cannot be trusted; empty when fresh."""
    manifest = read_manifest(name)
    if manifest is None:
        return ["no results yet"]
    analysis = spec(name)
    now = inputs(name, analysis, manifest["profile"])
    found = []
    if input_hash(now) != manifest["input_hash"]:
        before = manifest.get("inputs", {})
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
        found.append("stale: changed " + ", ".join(changed[:6]) + (" ..." if len(changed) > 6 else ""))
    directory = RESULTS_DIR / name
    on_disk = {p.name for p in directory.iterdir() if p.is_file() and p.name != "manifest.json"}
    recorded = manifest.get("outputs", {})
    for file_name in sorted(on_disk | set(recorded)):
        if file_name not in on_disk:
            found.append(f"missing output {file_name}")
        elif file_name not in recorded:
            found.append(f"unexpected file {file_name} (not written by the analysis)")
        elif _sha256((directory / file_name).read_bytes()) != recorded[file_name]:
            found.append(f"hand-edited {file_name}")
    return found


# ---------------------------------------------------------------- running

def resolve_device(device: str) -> tuple[str, str]:
    """'auto' picks CUDA when torch sees a GPU; returns (device, human-readable name)."""
    has_torch = importlib.util.find_spec("torch") is not None
    if device == "auto":
        device = "cpu"
        if has_torch:
            import torch
            device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        import torch
        if not torch.cuda.is_available():
            raise AnalysisError("--device cuda was asked for, but torch sees no CUDA device")
        return device, torch.cuda.get_device_name(0)
    if device != "cpu":
        raise AnalysisError(f"unknown device '{device}' (use auto, cpu or cuda)")
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return device, f"{cpu} ({os.cpu_count()} logical cores)"


class Context:
    """What an analysis's run(ctx) gets: parameters, catalog rows, a results sink, progress."""

    def __init__(self, name: str, analysis: Spec, profile: str, device: str):
        self.name, self.profile, self.device, self.seed = name, profile, device, analysis.seed
        self.params = dict(analysis.profiles[profile])
        self.catalog = catalog.load(*analysis.catalog) if analysis.catalog else {}
        self.results = Results()
        self.doing = "starting"
        self._steps = 0
        self._t0 = time.perf_counter()

    def row(self, row_id: str) -> catalog.Row:
        """A catalog row; only rows of the declared catalog files can be read (declared inputs)."""
        if row_id not in self.catalog:
            raise AnalysisError(f"catalog row '{row_id}' is not in the declared catalog files of '{self.name}'")
        return self.catalog[row_id]

    def step(self, what: str) -> None:
        """Announce a step: one progress line, and what a failure message will say it was doing."""
        self._steps += 1
        self.doing = what
        print(f"  [{self.name}] {self._steps}. {what} ({time.perf_counter() - self._t0:.1f} s)", flush=True)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    if importlib.util.find_spec("numpy"):
        import numpy
        numpy.random.seed(seed)
    if "torch" in sys.modules:  # seeding torch is the analysis's own business if it imports torch later
        sys.modules["torch"].manual_seed(seed)


def _git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "analyses"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return commit + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_one(name: str, profile: str, device: str, device_name: str) -> None:
    """Run one analysis and replace its results directory only when everything was written."""
    analysis = spec(name)
    parts = inputs(name, analysis, profile)
    ctx = Context(name, analysis, profile, device)
    _seed_everything(analysis.seed)
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.perf_counter()
    try:
        ctx.doing = "importing its code"
        module = importlib.import_module(f"analyses.{name}.analysis")
        ctx.doing = "starting"
        module.run(ctx)
    except Exception as error:
        error.doing = ctx.doing  # what the failure message reports it was doing
        raise
    ctx.doing = "writing results"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    staging = RESULTS_DIR / f".{name}.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        written = ctx.results.write(staging, name)
        manifest = {
            "analysis": name,
            "title": analysis.title,
            "page": analysis.page,
            "profile": profile,
            "params": ctx.params,
            "seed": analysis.seed,
            "device": device,
            "device_name": device_name,
            "input_hash": input_hash(parts),
            "inputs": parts,
            "outputs": {f: _sha256((staging / f).read_bytes()) for f in written},
            "git_commit": _git_commit(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "packages": package_versions(analysis.packages),
            "started_utc": started.isoformat(timespec="seconds"),
            "wall_time_s": round(time.perf_counter() - t0, 2),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        final = RESULTS_DIR / name
        old = RESULTS_DIR / f".{name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run(selected: list[str], force: bool = False, profile: str = "quick", device: str = "auto",
        check: bool = False) -> int:
    """The command line's work; returns the exit status."""
    try:
        chosen = selected or names()
        for name in chosen:
            spec(name)
    except (AnalysisError, catalog.CatalogError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if check:
        bad = []
        for name in chosen:
            try:
                found = problems(name)
            except (AnalysisError, catalog.CatalogError) as error:
                found = [str(error)]
            for problem in found:
                print(f"{name}: {problem}", file=sys.stderr)
            if found:
                bad.append(name)
            else:
                print(f"{name}: up to date")
        if bad:
            print(f"{len(bad)} analysis result(s) need refreshing: nox -s analyses -- {' '.join(bad)}",
                  file=sys.stderr)
        return 1 if bad else 0
    try:
        device, device_name = resolve_device(device)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        if not force and not problems(name):
            print(f"{name}: up to date, skipped")
            continue
        print(f"{name}: running profile '{profile}' on {device} ({device_name})", flush=True)
        try:
            run_one(name, profile, device, device_name)
            print(f"{name}: done, results in docs/results/{name}/")
        except Exception as error:  # one failing analysis must not stop the others
            frame = traceback.extract_tb(error.__traceback__)[-1]
            doing = getattr(error, "doing", "preparing its inputs")
            print(f"error: analysis '{name}' failed while {doing} ({type(error).__name__}: {error}) "
                  f"at {pathlib.Path(frame.filename).name}:{frame.lineno}; its previous results are untouched",
                  file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"{len(failed)} analysis(es) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
