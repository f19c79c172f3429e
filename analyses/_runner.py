"""Registry, input hashing, freezing and checking of analyses.

Each analysis's outputs live in ``docs/results/<name>/`` beside a
``manifest.json`` that records the hash of its inputs and of every output file.
An analysis is *fresh* when the hash of its current inputs equals the recorded
one and no output was edited by hand; fresh analyses are skipped.

The input hash covers exactly what can change the results (owid/etl's
"checksums decide what is dirty"):
  - the Python code of the analysis's folder and, transitively, the local
    ``analyses.*`` modules it imports, as syntax trees without comments or
    docstrings (a comment stales nothing); other files of its folder as bytes;
  - the results writer (``_results.py``);
  - the catalog rows it read (by id) and whole catalog files only where it
    iterated over one; the list of what was read is kept in the manifest;
  - the repository files and the outside files and programs its Spec declares
    (a file by sha256 and size, a program by its version);
  - the profile, its parameters and the seed;
  - the versions of the packages that can change results.

After the results are written, the analysis's notebook (``notebook.py``) is
executed against them and its executed copy joins the outputs; its text, prose
included, is part of the input hash.

Machine measurements (timings, memory) are written apart, in ``measured/``,
with the machine that made them; they are not part of the byte-identical
re-run guarantee, and a re-run caused only by a changed catalog row or data
file keeps them as they were.
"""

import ast
import csv
import dataclasses
import datetime
import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import math
import os
import pathlib
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import types
import typing

from analyses import _executor, catalog
from analyses._results import Results
from analyses._spec import External, Spec
from analyses.arguments import ARGUMENTS

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
RESULTS_DIR = ROOT / "docs" / "results"
MEASURED = "measured"                          # sub-folder of a result for machine measurements
LOCK_FILE = ROOT / "requirements" / "lock.txt"
FRAMEWORK_FILES = ("analyses/_results.py",)    # shapes every output file
# Versions that can change any analysis's numbers or rendered charts.
HASHED_PACKAGES = ("torch", "transformers", "diffusers", "altair", "vl-convert-python")
NOT_ANALYSES = {"catalog", "modelstats"}  # packages shared by analyses, not analyses
MISSING = "missing"
NOTEBOOK = "notebook.py"                       # analyses/<name>/notebook.py, executed into results/<name>/
EXECUTED_NOTEBOOK = "notebook.ipynb"
NOTEBOOK_TIMEOUT_S = 900                       # per cell
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class AnalysisError(Exception):
    """A problem with an analysis's declaration or inputs (one line)."""


# ---------------------------------------------------------------- declarations

def params_problem(value, kind, where: str = "") -> str | None:
    """The first way ``value`` does not fit ``kind``, or None. ``kind``: a TypedDict or a dataclass (either given
    as a mapping of its fields), list[...], a union, or a plain type."""
    if typing.is_typeddict(kind) or dataclasses.is_dataclass(kind):
        return _mapping_problem(value, kind, where)
    origin = typing.get_origin(kind)
    if origin is list:
        return _list_problem(value, kind, where)
    if origin in (typing.Union, types.UnionType):
        fits = any(params_problem(value, k, where) is None for k in typing.get_args(kind))
        return None if fits else f"'{where.rstrip('.')}' must be {kind}, got {value!r}"
    allowed = (int, float) if kind is float else kind  # 1e11 and 100 both fit a float
    if isinstance(value, bool) and kind is not bool or not isinstance(value, allowed):
        return f"'{where.rstrip('.')}' must be {kind.__name__}, got {value!r}"
    return None


def _mapping_problem(value, kind, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"'{where.rstrip('.') or 'parameters'}' must be a mapping"
    hints = typing.get_type_hints(kind)
    unknown = next((key for key in value if key not in hints), None)
    if unknown is not None:
        return f"unknown parameter '{where}{unknown}' (known: {', '.join(hints)})"
    missing = next((key for key in hints if key not in value), None)
    if missing is not None:
        return f"missing parameter '{where}{missing}'"
    return next((problem for key, sub in hints.items()
                 if (problem := params_problem(value[key], sub, f"{where}{key}."))), None)


def _list_problem(value, kind, where: str) -> str | None:
    if not isinstance(value, list):
        return f"'{where.rstrip('.')}' must be a list, got {value!r}"
    item_kind = typing.get_args(kind)[0]
    return next((problem for i, item in enumerate(value)
                 if (problem := params_problem(item, item_kind, f"{where.rstrip('.')}[{i}]."))), None)


def profile_params(analysis: Spec, profile: str, shrink: bool = False) -> dict:
    """The parameters of one profile, with the test overrides applied when ``shrink``."""
    params = dict(analysis.profiles[profile])
    return {**params, **analysis.test_overrides} if shrink else params


def validate(name: str, spec: Spec) -> None:
    """One-line errors for a Spec that does not hold together, before anything runs."""
    problem = _declaration_problem(spec) or _profile_problem(spec) or _file_problem(spec)
    if problem:
        raise AnalysisError(f"analysis '{name}': {problem}")


def _declaration_problem(spec: Spec) -> str | None:
    if not spec.title:
        return "SPEC.title is empty"
    unknown = [t for t in spec.tests if t not in ARGUMENTS]
    if not spec.tests or unknown:
        return (f"SPEC.tests must name arguments from analyses/arguments.py"
                f"{'; unknown: ' + ', '.join(unknown) if unknown else ''}")
    if "quick" not in spec.profiles:
        return "SPEC.profiles has no 'quick' profile"
    if not typing.is_typeddict(spec.params):
        return "SPEC.params must be a TypedDict naming every parameter and its type"
    return None


def _profile_problem(spec: Spec) -> str | None:
    for profile in spec.profiles:
        for shrink in (False, True):
            problem = params_problem(profile_params(spec, profile, shrink), spec.params)
            if problem:
                return f"{'SPEC.test_overrides on profile' if shrink else 'profile'} '{profile}': {problem}"
    return None


def _file_problem(spec: Spec) -> str | None:
    if not (ROOT / "docs" / spec.page).is_file():
        return f"SPEC.page docs/{spec.page} does not exist"
    missing = [cat for cat in spec.catalog if not (catalog.CATALOG_DIR / f"{cat}.yaml").is_file()]
    if missing:
        return f"catalog file analyses/catalog/{missing[0]}.yaml does not exist"
    for path in spec.data:
        if pathlib.PurePath(path).is_absolute() or not (ROOT / path).is_file():
            return f"data file {path} is not a file of the repository (declare outside files in SPEC.external)"
    for outside in spec.external:
        if not isinstance(outside, External) or not (outside.is_program or outside.path.startswith("/")):
            return (f"SPEC.external entries must be External(path, debian) with an absolute path or a program "
                    f"name, got {outside!r}")
    return None


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


def _local_imports(tree: ast.Module, path: pathlib.Path) -> set[pathlib.Path]:
    """Local modules one Python file imports, absolute (analyses.x) or relative (from . import x)."""
    # The package a relative import starts from: analyses/exposure/analysis.py -> analyses.exposure
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found: set[pathlib.Path] = set()
    for node in ast.walk(tree):
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


def _code_hash(tree: ast.Module) -> str:
    """Hash of a module's syntax tree without docstrings: comments, blank lines and docstrings change nothing."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return _sha256(_stable_dump(tree).encode())


def _stable_dump(node) -> str:
    """ast.dump without empty fields: Python 3.12 adds type_params=[] and 3.13 drops empty fields from
    ast.dump, so its text would make a GPU runner's results stale only for running another Python."""
    if isinstance(node, list):
        return "[" + ", ".join(_stable_dump(item) for item in node) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    fields = (f"{key}={_stable_dump(value)}" for key, value in ast.iter_fields(node)
              if value is not None and not (isinstance(value, list) and not value))
    return f"{type(node).__name__}({', '.join(fields)})"


@functools.cache  # one parse per file and version: the site's build checks every analysis, sharing modules
def _file_hash(path: pathlib.Path, stamp: tuple[int, int]) -> tuple[str, tuple[pathlib.Path, ...]]:
    """(hash, local modules it imports) of one file; ``stamp`` (mtime, size) parses an edited file again."""
    if path.suffix != ".py":
        return _sha256(path.read_bytes()), ()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imports = tuple(sorted(_local_imports(tree, path)))
    # A notebook's prose is in its comments, and the executed copy shows it: hash it by its bytes.
    return (_sha256(path.read_bytes()) if path.name == NOTEBOOK else _code_hash(tree)), imports


def _file_hashes(files: set[pathlib.Path]) -> dict[str, str]:
    """Each file with its hash, plus every local module reached through their imports."""
    hashes, todo = {}, sorted(files)
    while todo:
        path = todo.pop()
        key = str(path.relative_to(ROOT))
        if key in hashes:
            continue
        stat = path.stat()
        hashes[key], imports = _file_hash(path, (stat.st_mtime_ns, stat.st_size))
        todo += imports
    return dict(sorted(hashes.items()))


def source_hashes(name: str) -> dict[str, str]:
    """Files of the analysis folder (its notebook aside) plus every local module reached through imports."""
    folder = PACKAGE_DIR / name
    files = {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.name != NOTEBOOK}
    return _file_hashes(files | {ROOT / f for f in FRAMEWORK_FILES})


def notebook_hash(name: str) -> str:
    """One hash for the notebook's text and everything it imports. Kept as one input of its own, so that
    when nothing else changed the runner re-executes the notebook alone, against the frozen results."""
    path = PACKAGE_DIR / name / NOTEBOOK
    return _sha256(json.dumps(_file_hashes({path}), sort_keys=True).encode()) if path.is_file() else MISSING


@functools.cache  # versions do not change within one process
def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {}
    for package in sorted(set(HASHED_PACKAGES) | set(extra)):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


@functools.cache
def program_version(program: str) -> str | None:
    """The first line of ``PROGRAM --version``, or None when the program is not on PATH."""
    path = shutil.which(program)
    if path is None:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "unknown"


def external_hash(outside: External) -> str:
    """'sha256:... size:N' for a file, 'version: ...' for a program, or MISSING."""
    if outside.is_program:
        version = program_version(outside.path)
        return MISSING if version is None else f"version: {version}"
    path = pathlib.Path(outside.path)
    if not path.is_file():
        return MISSING
    return f"sha256:{_sha256(path.read_bytes())} size:{path.stat().st_size}"


def _row_hash(row: catalog.Row) -> str:
    fields = {k: v for k, v in dataclasses.asdict(row).items() if k != "file"}  # moving a row changes nothing
    return _sha256(json.dumps(fields, sort_keys=True).encode())


def catalog_hashes(analysis: Spec, reads: dict) -> dict[str, str]:
    """Hashes of the catalog rows and whole files one run read (``reads`` as recorded in its manifest)."""
    rows = catalog.load(*analysis.catalog) if analysis.catalog else {}
    parts = {f"catalog row {r}": _row_hash(rows[r]) if r in rows else MISSING for r in reads.get("rows", [])}
    for file in reads.get("files", []):
        path = catalog.CATALOG_DIR / f"{file}.yaml"
        parts[f"catalog file {file}"] = _sha256(path.read_bytes()) if path.is_file() else MISSING
    return parts


def inputs(name: str, analysis: Spec, profile: str, reads: dict, shrink: bool = False) -> dict[str, str]:
    """Everything that can change the outputs, each with its own hash (so --check can say what changed)."""
    if profile not in analysis.profiles:
        raise AnalysisError(f"analysis '{name}' has no profile '{profile}' (has: {', '.join(analysis.profiles)})")
    parts = source_hashes(name)
    parts["notebook"] = notebook_hash(name)
    parts |= catalog_hashes(analysis, reads)
    for data in analysis.data:
        parts[data] = _sha256((ROOT / data).read_bytes())
    for outside in analysis.external:
        parts[f"external {outside.path}"] = external_hash(outside)
    parts["profile"] = json.dumps({profile: profile_params(analysis, profile, shrink), "seed": analysis.seed},
                                  sort_keys=True)
    for package, version in package_versions(analysis.packages).items():
        parts[f"package:{package}"] = version
    return parts


def input_hash(parts: dict[str, str]) -> str:
    return _sha256(json.dumps(parts, sort_keys=True).encode())


def measurement_key(parts: dict[str, str], device: str) -> str:
    """What decides a machine measurement: everything but cited figures, outside data files and the notebook,
    plus the device."""
    kept = {k: v for k, v in parts.items() if not k.startswith(("catalog ", "external /")) and k != "notebook"}
    return input_hash(kept | {"device": device})


def lock_hash() -> str:
    return _sha256(LOCK_FILE.read_bytes()) if LOCK_FILE.is_file() else MISSING


# ---------------------------------------------------------------- status

def read_manifest(name: str) -> dict | None:
    path = RESULTS_DIR / name / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else None


def recorded_profile(name: str) -> str:
    """The profile the committed results were made with ('quick' when there are none)."""
    manifest = read_manifest(name)
    return manifest["profile"] if manifest else "quick"


def _install_hint(outside: External) -> str:
    return f"{outside.path} is missing (apt-get install {outside.debian})"


def cannot_check(missing: list[External]) -> str:
    """One line for the outside inputs that are missing on this machine, with the command that installs them."""
    return (f"cannot check {', '.join(o.path for o in missing)}: missing here "
            f"(apt-get install {' '.join(sorted({o.debian for o in missing}))})")


def same_torch_build(before: dict[str, str], now: dict[str, str]) -> bool:
    """Whether a result was made with the same build of torch as this machine has: the local version label
    (2.13.0+cpu, 2.13.0+cu128) names the build."""
    def build(version: str | None) -> str:
        return (version or "").partition("+")[2]
    return build(before.get("package:torch")) == build(now.get("package:torch"))


def not_comparable(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The package keys to leave out of the comparison: all of them when the torch builds differ. A GPU runner's
    CUDA build of torch cannot be installed beside this machine's CPU build (nor the reverse), so its package
    versions are shown in the result's provenance rather than compared here."""
    return [] if same_torch_build(before, now) else [k for k in set(now) | set(before) if k.startswith("package:")]


def other_build_note(name: str) -> str:
    """' (made with torch X on DEVICE: ...)' when the result's torch build is not this machine's, else ''."""
    manifest = read_manifest(name) or {}
    before, now = manifest.get("inputs", {}), {f"package:{k}": v for k, v in package_versions(("torch",)).items()}
    if same_torch_build(before, now):
        return ""
    return (f" (made with torch {before.get('package:torch')} on {manifest.get('device_name')}; this machine has "
            f"{now['package:torch']}, so package versions are recorded, not compared)")


def status(name: str, profile: str | None = None, shrink: bool = False) -> tuple[list[str], list[External]]:
    """(problems, unverified) of the committed results for ``profile`` (default: the recorded one).

    problems: why the results cannot be trusted; empty when fresh. unverified: outside inputs that are
    missing on this machine, so their part of the check could not be made.
    """
    manifest = read_manifest(name)
    if manifest is None:
        return ["no results yet"], []
    analysis = spec(name)
    profile = profile or manifest["profile"]
    if "reads" not in manifest:
        return ["stale: the manifest predates read tracking"], []
    now = inputs(name, analysis, profile, manifest["reads"], shrink)
    before = manifest.get("inputs", {})
    missing = sorted(k for k, v in now.items() if v == MISSING and k.startswith("external "))
    missing += not_comparable(before, now)
    found = []
    if profile != manifest["profile"]:
        found.append(f"made with profile '{manifest['profile']}', '{profile}' asked for")
    elif input_hash(now) != manifest["input_hash"]:
        changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k) and k not in missing)
        if changed:
            found.append("stale: changed " + ", ".join(changed[:6]) + (" ..." if len(changed) > 6 else ""))
    directory = RESULTS_DIR / name
    recorded = dict(manifest.get("outputs", {}))
    recorded |= {f"{MEASURED}/{f}": h for f, h in manifest.get("measured", {}).get("files", {}).items()}
    on_disk = {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file() and p.name != "manifest.json"}
    for file_name in sorted(on_disk | set(recorded)):
        if file_name not in on_disk:
            found.append(f"missing output {file_name}")
        elif file_name not in recorded:
            found.append(f"unexpected file {file_name} (not written by the analysis)")
        elif _sha256((directory / file_name).read_bytes()) != recorded[file_name]:
            found.append(f"hand-edited {file_name}")
    return found, [o for o in analysis.external if f"external {o.path}" in missing]


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
    """What an analysis's run(ctx) gets: parameters, its declared inputs, results sinks, progress.

    Inputs come only through these doors, each refusing what the Spec does not declare:
    ctx.row(id) and ctx.rows(file) for catalog figures, ctx.data(path) for files, ctx.program(name)
    for outside programs. Deterministic outputs go to ctx.results; timings and memory of this
    machine go to ctx.measurements, and only while ctx.measuring is true.
    """

    def __init__(self, name: str, analysis: Spec, profile: str, device: str, shrink: bool = False,
                 measuring: bool = True):
        self.name, self.profile, self.device, self.seed = name, profile, device, analysis.seed
        self.params = profile_params(analysis, profile, shrink)
        self.results, self.measurements, self.measuring = Results(), Results(), measuring
        self.doing = "starting"
        self.reads: dict[str, set] = {"rows": set(), "files": set()}
        self._spec = analysis
        self._catalog = catalog.load(*analysis.catalog) if analysis.catalog else {}
        self._steps = 0
        self._t0 = time.perf_counter()

    def row(self, row_id: str) -> catalog.Row:
        """A catalog row of the declared catalog files; its content joins the input hash."""
        if row_id not in self._catalog:
            holder = next((r.file for i, r in catalog.load().items() if i == row_id), None)
            if holder is None:
                raise AnalysisError(f"no catalog row '{row_id}' in any file of analyses/catalog/ "
                                    "(ids are listed on the site's References page)")
            raise AnalysisError(f"catalog row '{row_id}' is in analyses/catalog/{holder}.yaml, which '{self.name}' "
                                f"does not declare: add \"{holder}\" to SPEC.catalog in analyses/{self.name}/__init__.py")
        self.reads["rows"].add(row_id)
        return self._catalog[row_id]

    def rows(self, file: str) -> dict[str, catalog.Row]:
        """Every row of one declared catalog file, by id: the whole file joins the input hash."""
        if file not in self._spec.catalog:
            raise AnalysisError(f"catalog file '{file}' is not declared by '{self.name}' (SPEC.catalog)")
        self.reads["files"].add(file)
        return {i: r for i, r in self._catalog.items() if r.file == file}

    def data(self, path: str) -> pathlib.Path:
        """A declared input file: a repository path (SPEC.data) or an outside file (SPEC.external)."""
        outside = {o.path: o for o in self._spec.external if not o.is_program}
        if path in outside:
            if not pathlib.Path(path).is_file():
                raise FileNotFoundError(_install_hint(outside[path]))
            return pathlib.Path(path)
        if path not in self._spec.data:
            raise AnalysisError(f"'{path}' is not a declared input of '{self.name}' (SPEC.data or SPEC.external)")
        return ROOT / path

    def program(self, name: str) -> str:
        """The full path of a declared outside program (SPEC.external); its version joins the input hash."""
        programs = {o.path: o for o in self._spec.external if o.is_program}
        if name not in programs:
            raise AnalysisError(f"program '{name}' is not a declared input of '{self.name}' (SPEC.external)")
        found = shutil.which(name)
        if found is None:
            raise FileNotFoundError(_install_hint(programs[name]))
        return found

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


def check_tables_finite(results: Results) -> None:
    """NaN or infinity in a table cell would pass into the CSV and break the site's build far from its cause:
    refuse it here, naming the table, the row and the column."""
    for name, table in results.tables.items():
        for i, row in enumerate(table["rows"]):
            for column, cell in row.items():
                if isinstance(cell, (int, float)) and not math.isfinite(cell):
                    raise AnalysisError(f"table '{name}' row {i} column '{column}' is not finite ({cell})")


def execute_notebook(name: str, frozen: pathlib.Path, profile: str, device: str, shrink: bool) -> bytes:
    """Execute analyses/<name>/notebook.py in a fresh kernel, against the results just written to ``frozen``,
    and return the executed notebook. Its outputs are made deterministic: no execution counts, timings,
    random cell ids or interpreter versions; stderr (warnings, progress bars) is dropped, it is not a result."""
    import jupytext
    import nbclient
    import nbformat
    import traitlets.config

    from analyses import _notebook

    notebook = jupytext.read(PACKAGE_DIR / name / NOTEBOOK)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           _notebook.FROZEN_ENV: str(frozen), _notebook.PROFILE_ENV: profile,
           _notebook.DEVICE_ENV: device, _notebook.SHRINK_ENV: "1" if shrink else ""}
    try:
        # The kernel talks over local sockets (IPC) in a scratch folder, not TCP: nothing listens on the network.
        with tempfile.TemporaryDirectory() as sockets:
            ipc = {"KernelManager": {"transport": "ipc", "ip": str(pathlib.Path(sockets) / "kernel")}}
            nbclient.NotebookClient(notebook, kernel_name=KERNEL["name"], timeout=NOTEBOOK_TIMEOUT_S,
                                    record_timing=False, resources={"metadata": {"path": str(ROOT)}},
                                    config=traitlets.config.Config(ipc)).execute(env=env)
    except nbclient.exceptions.CellExecutionError as error:
        where = ""
        for i, cell in enumerate(notebook.cells):
            for output in (o for o in cell.get("outputs", []) if o.get("output_type") == "error"):
                # IPython's traceback names the cell's own frames "Cell In[n], line k": keep the innermost.
                lines = re.findall(r"Cell In\[\d+\], line (\d+)", re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output.traceback)))
                line = int(lines[-1]) if lines else 1
                where = f" in cell {i + 1}, line {line} ({cell.source.splitlines()[line - 1].strip()!r})"
        raise AnalysisError(f"its notebook analyses/{name}/{NOTEBOOK} failed{where}: "
                            f"{error.ename}: {error.evalue}") from None
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    for i, cell in enumerate(notebook.cells):
        cell.id, cell.metadata = f"cell-{i + 1}", {}
        if cell.cell_type == "code":
            cell.execution_count = None
            outputs = []
            for output in cell.outputs:
                if output.get("name") == "stderr":
                    continue
                if "execution_count" in output:
                    output.execution_count = None
                if outputs and output.get("name") == "stdout" and outputs[-1].get("name") == "stdout":
                    outputs[-1].text += output.text  # one block of printed lines, as Jupyter shows them
                else:
                    outputs.append(output)
            cell.outputs = outputs
    nbformat.validate(notebook)
    return (nbformat.writes(notebook) + "\n").encode()


def _git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "analyses"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return commit + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        # A copy of the tree without its .git (a lent GPU machine) is told its commit.
        return os.environ.get("ANALYSES_GIT_COMMIT", "unknown")


def _files(directory: pathlib.Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): _sha256(p.read_bytes()) for p in sorted(directory.rglob("*")) if p.is_file()}


def run_one(name: str, profile: str, device: str, device_name: str, force: bool = False, shrink: bool = False) -> None:
    """Run one analysis and replace its results directory only when everything was written. An exception
    carries ``doing``, the step it was in (ctx.step, or writing results), for the one-line error."""
    ctx = None
    try:
        analysis = spec(name)
        kept = _kept_measurements(name, analysis, profile, device, force, shrink)
        ctx = Context(name, analysis, profile, device, shrink, measuring=kept is None)
        if kept:
            print(f"  [{name}] keeping the measurements of {kept['started_utc']} ({kept['device_name']}): "
                  "only cited figures or outside data changed", flush=True)
        _seed_everything(analysis.seed)
        started = datetime.datetime.now(datetime.UTC)
        t0 = time.perf_counter()
        ctx.doing = "importing its code"
        module = importlib.import_module(f"analyses.{name}.analysis")
        ctx.doing = "starting"
        module.run(ctx)
        ctx.doing = "writing results"
        check_tables_finite(ctx.results)
        check_tables_finite(ctx.measurements)
        reads = {k: sorted(v) for k, v in ctx.reads.items()}
        parts = inputs(name, analysis, profile, reads, shrink)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        staging = RESULTS_DIR / f".{name}.new"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            written = ctx.results.write(staging, name)
            measured = kept or _write_measurements(ctx, staging, parts, device_name, started)
            if kept:
                shutil.copytree(RESULTS_DIR / name / MEASURED, staging / MEASURED)
            if (PACKAGE_DIR / name / NOTEBOOK).is_file():  # after the measurements: it may read them
                ctx.doing = "executing its notebook"
                (staging / EXECUTED_NOTEBOOK).write_bytes(execute_notebook(name, staging, profile, device, shrink))
                written.append(EXECUTED_NOTEBOOK)
            manifest = {
                "analysis": name, "title": analysis.title, "page": analysis.page, "profile": profile,
                "params": ctx.params, "shrunk_for_tests": shrink, "seed": analysis.seed, "device": device,
                "device_name": device_name, "input_hash": input_hash(parts), "inputs": parts, "reads": reads,
                "outputs": {f: _sha256((staging / f).read_bytes()) for f in written}, "measured": measured,
                "git_commit": _git_commit(), "lock_sha256": lock_hash(), "python": platform.python_version(),
                "platform": platform.platform(), "packages": package_versions(analysis.packages),
                "started_utc": started.isoformat(timespec="seconds"),
                "wall_time_s": round(time.perf_counter() - t0, 2),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            updates = [] if shrink else ledger_entries(name, RESULTS_DIR / name, staging, parts, started.date().isoformat())
            _replace_results(staging, RESULTS_DIR / name)
            record_updates(updates)
            for entry in updates:
                print(f"  [{name}] changed: {entry['item']}: {entry['old']} → {entry['new']} (recorded in "
                      f"{LEDGER.relative_to(ROOT)})", flush=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except Exception as error:
        error.doing = ctx.doing if ctx else "preparing its inputs"
        raise


# ---------------------------------------------------------------- updates and corrections

LEDGER = RESULTS_DIR / "updates.json"   # every change a re-freeze made to what the site concludes, oldest first
HEADLINE_PAGES = ("index.md", "arguments/*.md")   # the pages whose quoted values are the site's headlines


def headline_keys(name: str) -> set[str]:
    """The values of an analysis that the home page or an argument page quotes: its headlines and verdicts."""
    quoted = re.compile(r"\{\{\s*value\s+" + re.escape(name) + r"\.(\w+)")
    pages = [p for pattern in HEADLINE_PAGES for p in sorted((ROOT / "docs").glob(pattern))]
    return {key for page in pages for key in quoted.findall(page.read_text(encoding="utf-8"))}


def _shown(value: dict) -> str:
    """A value as a page shows it (3 significant figures, and its range): a change below that is not news."""
    from analyses._format import format_number
    unit = value["unit"] if value["unit"] in ("%", "×", "") else f" {value['unit']}"
    text = format_number(value["value"]) + unit
    if value.get("low") is not None:
        text += f" ({format_number(value['low'])} – {format_number(value['high'])})"
    return text


def verdict_item(row: dict) -> str:
    """How the ledger names one row of a verdicts table: its prediction, and its modality if it has one."""
    return " · ".join(filter(None, (row["prediction"], row.get("modality"))))


def _verdicts(directory: pathlib.Path) -> dict[str, str]:
    """An analysis's verdicts table (verdicts.csv: prediction, modality, verdict), by item."""
    path = directory / "verdicts.csv"
    if not path.is_file():
        return {}
    with open(path, newline="") as f:
        return {verdict_item(r): r["verdict"] for r in csv.DictReader(f)}


def ledger_entries(name: str, old: pathlib.Path, new: pathlib.Path, new_inputs: dict, date: str) -> list[dict]:
    """What a re-freeze changed that readers see: each headline value whose shown text changed, and each verdict
    that changed, with the inputs whose hashes differ (what changed, hence why). ``old`` and ``new`` are results
    folders; a first freeze, or one made for tests, has nothing to compare."""
    old_manifest = json.loads((old / "manifest.json").read_text()) if (old / "manifest.json").is_file() else None
    if old_manifest is None or old_manifest.get("shrunk_for_tests") or not (old / "results.json").is_file():
        return []
    before, after = (json.loads((d / "results.json").read_text())["values"] for d in (old, new))
    why = sorted(k for k in set(old_manifest["inputs"]) | set(new_inputs)
                 if old_manifest["inputs"].get(k) != new_inputs.get(k))
    entries = [{"item": key, "kind": "value", "label": after.get(key, before.get(key))["label"],
                "old": _shown(before[key]) if key in before else "(none)",
                "new": _shown(after[key]) if key in after else "(removed)"}
               for key in sorted(headline_keys(name) & (set(before) | set(after)))
               if (key in before) != (key in after) or _shown(before[key]) != _shown(after[key])]
    old_verdicts, new_verdicts = _verdicts(old), _verdicts(new)
    entries += [{"item": item, "kind": "verdict", "label": item, "old": old_verdicts.get(item, "(none)"),
                 "new": new_verdicts.get(item, "(removed)")}
                for item in sorted(set(old_verdicts) | set(new_verdicts)) if old_verdicts.get(item) != new_verdicts.get(item)]
    return [{"date": date, "analysis": name, **entry, "inputs_changed": why} for entry in entries]


def record_updates(entries: list[dict], ledger: pathlib.Path = LEDGER) -> None:
    """Append to the ledger (a list, oldest first), creating it on the first change."""
    if not entries:
        return
    existing = json.loads(ledger.read_text()) if ledger.is_file() else []
    ledger.write_text(json.dumps(existing + entries, indent=1, ensure_ascii=False) + "\n")


def _kept_measurements(name: str, analysis: Spec, profile: str, device: str, force: bool, shrink: bool):
    """The committed measurements' manifest entry when they still hold: the same code, profile, packages and
    device would time the same thing, so only a change of cited figures or outside data keeps them."""
    kept = (read_manifest(name) or {}).get("measured")
    if force or not kept or not (RESULTS_DIR / name / MEASURED).is_dir():
        return None
    return kept if kept.get("key") == measurement_key(inputs(name, analysis, profile, {}, shrink), device) else None


def _write_measurements(ctx, staging: pathlib.Path, parts: dict, device_name: str, started) -> dict:
    """Write this run's measurements apart, under measured/, and describe them for the manifest."""
    if not (ctx.measurements.values or ctx.measurements.tables):
        return {}
    (staging / MEASURED).mkdir()
    ctx.measurements.write(staging / MEASURED, ctx.name)
    return {"key": measurement_key(parts, ctx.device), "files": _files(staging / MEASURED), "device": ctx.device,
            "device_name": device_name, "python": platform.python_version(), "platform": platform.platform(),
            "started_utc": started.isoformat(timespec="seconds")}


def _replace_results(staging: pathlib.Path, final: pathlib.Path) -> None:
    """Swap the new results in, keeping the old ones until the new ones are in place."""
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def only_notebook_changed(name: str, profile: str, shrink: bool) -> bool:
    """True when the committed results are fresh in every input but the notebook (its text, or what it imports)."""
    manifest = read_manifest(name)
    if not manifest or manifest["profile"] != profile or manifest["shrunk_for_tests"] != shrink:
        return False
    now, before = inputs(name, spec(name), profile, manifest["reads"], shrink), manifest["inputs"]
    return {k for k in set(now) | set(before) if now.get(k) != before.get(k)} == {"notebook"}


def refresh_notebook(name: str, device: str) -> None:
    """Execute the notebook again against the committed results, which stay as they are, and record it."""
    manifest = read_manifest(name)
    folder = RESULTS_DIR / name
    executed = execute_notebook(name, folder, manifest["profile"], device, manifest["shrunk_for_tests"])
    manifest["inputs"]["notebook"] = notebook_hash(name)
    manifest["input_hash"] = input_hash(manifest["inputs"])
    manifest["outputs"][EXECUTED_NOTEBOOK] = _sha256(executed)
    (folder / f".{EXECUTED_NOTEBOOK}.new").write_bytes(executed)
    (folder / f".{EXECUTED_NOTEBOOK}.new").rename(folder / EXECUTED_NOTEBOOK)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _plan(chosen: list[str], profile: str | None) -> dict[str, str]:
    """Which profile each analysis runs in: the one asked for, else the one its results were made with.
    Analyses without the asked-for profile are left out, each with one line, before anything runs."""
    plan = {}
    for name in chosen:
        wanted = profile or recorded_profile(name)
        if wanted in spec(name).profiles:
            plan[name] = wanted
        else:
            print(f"{name}: has no '{wanted}' profile, skipped")
    return plan


def _check(plan: dict[str, str], shrink: bool) -> int:
    bad, in_ci = [], bool(os.environ.get("CI"))
    for name, profile in plan.items():
        try:
            found, unverified = status(name, profile, shrink)
        except (AnalysisError, catalog.CatalogError) as error:
            found, unverified = [str(error)], []
        for problem in found:
            print(f"{name}: {problem}", file=sys.stderr)
        if unverified:  # a fresh machine without the Debian data can check everything else
            print(f"{name}: {cannot_check(unverified)}{'; required in CI' if in_ci else ''}", file=sys.stderr)
        if found or (unverified and in_ci):
            bad.append(name)
        elif not unverified:
            print(f"{name}: up to date{other_build_note(name)}")
    if bad:
        print(f"{len(bad)} analysis result(s) need refreshing: nox -s analyses -- {' '.join(bad)}", file=sys.stderr)
    return 1 if bad else 0


def _where(error: Exception) -> str:
    """' at FILE:LINE' of the innermost frame in analysis code (not torch or altair, nor the framework's own
    checks, whose messages say what is wrong); empty when the analysis's code is not on the stack."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = pathlib.Path(frame.filename).resolve()
        if path.is_relative_to(PACKAGE_DIR) and not path.name.startswith("_"):
            return f" at {path.relative_to(ROOT)}:{frame.lineno}"
    return ""


def _needs_running(name: str, wanted: str, force: bool, kept_profile: bool, device: str, shrink: bool) -> bool:
    """Whether to run one analysis now, saying why not when it is skipped."""
    found, unverified = status(name, wanted, shrink)
    if not force and not found:
        print(f"{name}: up to date, skipped" + (f" ({cannot_check(unverified)})" if unverified else ""))
        return False
    if kept_profile and wanted != "quick" and device != "cuda":
        print(f"{name}: its '{wanted}' results need refreshing ({'; '.join(found) or 'forced'}), which takes "
              f"a GPU: nox -s analyses -- {name} --profile {wanted} --device cuda; left as they are",
              file=sys.stderr)
        return False
    return True


def _run_analysis(name: str, wanted: str, device: str, device_name: str, force: bool, shrink: bool,
                  full_traceback: bool) -> bool:
    """Run one analysis (or only re-execute its notebook); False, after one line on stderr, when it failed."""
    notebook_only = not force and only_notebook_changed(name, wanted, shrink)
    print(f"{name}: " + ("only its notebook changed: executing it against the frozen results" if notebook_only
                         else f"running profile '{wanted}'{' shrunk for tests' if shrink else ''} on {device} "
                              f"({device_name})"), flush=True)
    try:
        if notebook_only:
            refresh_notebook(name, device)
        else:
            run_one(name, wanted, device, device_name, force, shrink)
        print(f"{name}: done, results in docs/results/{name}/")
    except Exception as error:  # one failing analysis must not stop the others
        if full_traceback:
            traceback.print_exception(error, file=sys.stderr)
        doing = getattr(error, "doing", "executing its notebook" if notebook_only else "preparing its inputs")
        print(f"error: analysis '{name}' failed while {doing} ({type(error).__name__}: {error})"
              f"{_where(error)}; its previous results are untouched"
              + ("" if full_traceback else " (--traceback shows the whole stack)"), file=sys.stderr)
        return False
    return True


def _on_ray(name: str, wanted: str, device: str, shrink: bool, address: str | None) -> bool:
    """Train an analysis's independent runs on a Ray cluster; False, after one line on stderr, when that failed."""
    analysis = spec(name)
    try:
        jobs = _executor.jobs_of(name, profile_params(analysis, wanted, shrink), analysis.seed, device)
        print(f"{name}: training its {len(jobs)} runs on Ray, then assembling the results here", flush=True)
        _executor.run_on_ray(jobs, address)
    except Exception as error:
        print(f"error: analysis '{name}' failed on Ray ({type(error).__name__}: {error}); its previous results are "
              "untouched; the runs that finished keep their checkpoints", file=sys.stderr)
        return False
    return True


def dry_run(selected: list[str], profile: str | None, device: str, shrink: bool, accelerator: str,
            utilisation: float) -> int:
    """--dry-run: each chosen analysis's independent runs and what they cost; nothing runs."""
    try:
        plan = _plan(selected or names(), profile)
        peak = catalog.load().get(accelerator)
        if peak is None or peak.unit != "FLOP/s":
            raise AnalysisError(f"--accelerator {accelerator}: not a catalog row of a rate in FLOP/s (try "
                                "h100_fp32_flops, in analyses/catalog/cross_modal.yaml)")
    except (AnalysisError, catalog.CatalogError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    planned = "cpu" if device == "cpu" else "cuda"   # a plan for an accelerator unless the CPU is asked for
    for name, wanted in plan.items():
        analysis = spec(name)
        try:
            jobs = _executor.jobs_of(name, profile_params(analysis, wanted, shrink), analysis.seed, planned)
        except ValueError as error:
            print(f"{name}: {error}")
            continue
        print(_executor.plan(name, wanted, jobs, peak.value, f"{accelerator} ({peak.source})", utilisation) + "\n")
    return 0


def run(selected: list[str], force: bool = False, profile: str | None = None, device: str = "auto",
        check: bool = False, shrink: bool = False, full_traceback: bool = False, executor: str = "local",
        address: str | None = None) -> int:
    """The command line's work; returns the exit status.

    Without ``profile`` each analysis keeps the profile its results were made with; a stale result of a
    profile other than 'quick' is re-run only on a GPU (or when its profile is asked for by name), so a
    CPU build never replaces a 'full' result with a 'quick' one.
    """
    try:
        catalog.load()  # a bad row is named first, before it shows up as some analysis being stale
        chosen = selected or names()
        plan = _plan(chosen, profile)
    except (AnalysisError, catalog.CatalogError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if check:
        return _check(plan, shrink)
    try:
        device, device_name = resolve_device(device)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failed = []
    for name, wanted in plan.items():
        try:
            if not _needs_running(name, wanted, force, profile is None, device, shrink):
                continue
        except (AnalysisError, catalog.CatalogError) as error:
            print(f"error: analysis '{name}': {error}", file=sys.stderr)
            failed.append(name)
            continue
        if executor == "ray" and not _on_ray(name, wanted, device, shrink, address):
            failed.append(name)
            continue
        if not _run_analysis(name, wanted, device, device_name, force, shrink, full_traceback):
            failed.append(name)
    if failed:
        print(f"{len(failed)} analysis(es) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
