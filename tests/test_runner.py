"""The runner and frozen results, exercised through the real command line on a copy of the repository."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import typing

import pytest

from analyses import _runner
from tests.conftest import ROOT, requires, run_cli

SHRUNK = [n for n in _runner.names() if _runner.spec(n).test_overrides]


def _each(names: list[str]) -> list:
    """One test per analysis; those reading Debian data skip without it, outside CI."""
    return [pytest.param(n, marks=requires(*_runner.spec(n).external)) for n in names]


def _readers_of(row_id: str) -> list[str]:
    return [n for n in _runner.names() if row_id in (_runner.read_manifest(n) or {}).get("reads", {}).get("rows", [])]


def _outputs(folder) -> dict[str, bytes]:
    """Every deterministic output file of one result (measurements and the manifest left out)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and _runner.MEASURED not in p.relative_to(folder).parts}


def test_committed_results_are_fresh():
    result = run_cli("run", "--check")
    assert result.returncode == 0, result.stderr
    assert "exposure: up to date" in result.stdout


@pytest.mark.parametrize("name", _runner.names())
def test_every_analysis_honours_the_contract(name):
    """Title, arguments tested, typed profiles, results that validate, a manifest that says what was read,
    and a test of its own."""
    import jsonschema

    spec = _runner.spec(name)  # validates title, argument ids, profiles against SPEC.params, page, inputs
    assert spec.title and spec.tests and "quick" in spec.profiles
    schema = json.loads((ROOT / "tests" / "results.schema.json").read_text())
    folder = _runner.RESULTS_DIR / name
    results = json.loads((folder / "results.json").read_text())
    jsonschema.validate(results, schema)
    assert results["analysis"] == name
    manifest = _runner.read_manifest(name)
    assert set(manifest["reads"]) == {"rows", "files"} and len(manifest["lock_sha256"]) == 64
    assert not manifest["shrunk_for_tests"]
    if manifest["measured"]:  # measurements may be tables alone: no value is required there
        schema["properties"]["values"]["minProperties"] = 0
        jsonschema.validate(json.loads((folder / _runner.MEASURED / "results.json").read_text()), schema)
        assert manifest["measured"]["device"] == manifest["device"]
    own_tests = ROOT / "tests" / f"test_{name}.py"
    assert own_tests.is_file() and "def test_" in own_tests.read_text(), f"analysis '{name}' has no tests of its own"
    # Its notebook, executed when it was frozen: it draws every chart of the page and ends by finding what it
    # computed equal to the frozen values.
    assert (ROOT / "analyses" / name / _runner.NOTEBOOK).is_file(), f"analysis '{name}' has no notebook.py"
    assert _runner.EXECUTED_NOTEBOOK in manifest["outputs"]
    notebook = json.loads((folder / _runner.EXECUTED_NOTEBOOK).read_text())
    outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    drawn = sorted(o["metadata"]["essay"]["chart"] for o in outputs if "essay" in o.get("metadata", {}))
    measured = json.loads((folder / _runner.MEASURED / "results.json").read_text()) if manifest["measured"] else {}
    assert drawn == sorted([*results["charts"], *measured.get("charts", {})]), f"{name}: charts drawn: {drawn}"
    last = "".join(outputs[-1].get("text", ""))   # the file keeps multi-line text as a list of lines
    assert "equal the frozen ones" in last, f"{name}: the notebook does not end with check(...): {last!r}"
    assert not any("**NO**" in "".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)


# ---------------------------------------------------------------- what is hashed

def test_a_changed_row_stales_exactly_its_readers_and_a_new_row_nothing(repo_copy):
    catalog_file = repo_copy / "analyses" / "catalog" / "exposure.yaml"
    text = catalog_file.read_text()
    new_row = text[text.index("- id: words_per_token"):].split("\n- id:")[0].replace("words_per_token", "unused_row")
    catalog_file.write_text(text + ("" if text.endswith("\n") else "\n") + new_row + "\n")
    assert run_cli("run", "--check", cwd=repo_copy).returncode == 0   # nobody read it

    lines = catalog_file.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: words_per_token")
    value = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("value:"))
    lines[value] = lines[value].split(":")[0] + ": 0.7"
    catalog_file.write_text("\n".join(lines))
    result = run_cli("run", "--check", cwd=repo_copy)
    readers = _readers_of("words_per_token")
    assert result.returncode == 1 and {"exposure", "census"} <= set(readers) < set(_runner.names())
    for name in readers:
        assert f"{name}: stale: changed catalog row words_per_token" in result.stderr
    assert f"nox -s analyses -- {' '.join(readers)}" in result.stderr


def test_code_changes_stale_their_importers_and_comments_nothing(repo_copy):
    analysis = repo_copy / "analyses" / "exposure" / "analysis.py"
    analysis.write_text('"""A new docstring."""\n# a comment\n' + analysis.read_text().split('"""', 2)[2] + "\n\n")
    assert run_cli("run", "--check", cwd=repo_copy).returncode == 0
    checks = repo_copy / "analyses" / "_checks.py"  # imported by exposure's analysis, not by typical_set's
    checks.write_text(checks.read_text() + "\nHOLDS = 'holds'\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1 and "exposure: stale: changed analyses/_checks.py" in result.stderr
    assert "typical_set: up to date" in result.stdout
    # _format.py is imported by the notebooks' helpers too: every notebook is stale, typical_set's analysis not.
    fmt = repo_copy / "analyses" / "_format.py"
    fmt.write_text(fmt.read_text() + "\nSCALES = SCALES[:2]\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert "typical_set: stale: changed notebook\n" in result.stderr
    assert "exposure: stale: changed analyses/_checks.py, analyses/_format.py, notebook" in result.stderr


def test_an_outside_file_is_hashed_and_read_only_when_declared(repo_copy, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("first\n")
    run_cli("new", "reader", cwd=repo_copy, check=True)
    init = repo_copy / "analyses" / "reader" / "__init__.py"
    init.write_text(init.read_text().replace("from analyses._spec import Spec", "from analyses._spec import External, Spec")
                    .replace('    catalog=("exposure",),', f'    catalog=("exposure",),\n'
                             f'    external=(External("{outside}", debian="some-package"),),'))
    code = repo_copy / "analyses" / "reader" / "analysis.py"
    code.write_text(code.read_text().replace('    ctx.step("reading catalog rows")',
                                             f'    ctx.step("reading catalog rows")\n    ctx.data("{outside}").read_text()'))
    run_cli("run", "reader", cwd=repo_copy, check=True)
    assert run_cli("run", "--check", cwd=repo_copy).returncode == 0

    outside.write_text("second\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1 and f"reader: stale: changed external {outside}" in result.stderr
    assert "nox -s analyses -- reader\n" in result.stderr             # and no other analysis

    run_cli("run", "reader", cwd=repo_copy, check=True)
    outside.unlink()                    # a machine without the package: checked as far as it can be, said so

    def check(ci: bool) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": "true"} if ci else {})
        return subprocess.run([sys.executable, "-m", "analyses", "run", "--check"], cwd=repo_copy, env=env,
                              capture_output=True, text=True)

    result = check(ci=False)
    assert result.returncode == 0
    assert f"reader: cannot check {outside}: missing here (apt-get install some-package)\n" in result.stderr
    in_ci = check(ci=True)
    assert in_ci.returncode == 1 and "(apt-get install some-package); required in CI" in in_ci.stderr

    code.write_text(code.read_text().replace(f'ctx.data("{outside}")', 'ctx.data("/etc/hostname")'))
    result = run_cli("run", "reader", "--force", cwd=repo_copy)
    assert "'/etc/hostname' is not a declared input of 'reader'" in result.stderr


def test_hand_edited_and_unexpected_files_are_caught(repo_copy):
    results = repo_copy / "docs" / "results" / "exposure"
    (results / "results.json").write_text((results / "results.json").read_text().replace("236682000", "230000000"))
    (results / "notebook.ipynb").write_text((results / "notebook.ipynb").read_text().replace("236,682,000", "230"))
    (results / "extra.csv").write_text("a\n1\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1
    assert "exposure: hand-edited notebook.ipynb" in result.stderr
    assert "exposure: hand-edited results.json" in result.stderr
    assert "exposure: unexpected file extra.csv" in result.stderr


def test_a_notebook_is_hashed_by_its_text_and_refreshed_alone(repo_copy):
    """A prose edit stales the notebook, and only the notebook is executed again: the results stay."""
    notebook = repo_copy / "analyses" / "exposure" / _runner.NOTEBOOK
    notebook.write_text(notebook.read_text().replace("# ## Images a year", "# ## Images in a year"))
    assert "exposure: stale: changed notebook" in run_cli("run", "exposure", "--check", cwd=repo_copy).stderr
    folder = repo_copy / "docs" / "results" / "exposure"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in ("notebook.ipynb", "manifest.json")}
    result = run_cli("run", "exposure", cwd=repo_copy)
    assert "exposure: only its notebook changed: executing it against the frozen results" in result.stdout
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before
    assert "Images in a year" in (folder / "notebook.ipynb").read_text()
    assert run_cli("run", "exposure", "--check", cwd=repo_copy).returncode == 0
    # The analysis's own code is another matter: the whole analysis runs again.
    code = repo_copy / "analyses" / "exposure" / "analysis.py"
    code.write_text(code.read_text().replace("DAYS_PER_YEAR = 365.25", "DAYS_PER_YEAR = 365.2425"))
    assert "exposure: running profile 'quick'" in run_cli("run", "exposure", cwd=repo_copy).stdout


def test_a_notebook_that_disagrees_with_the_page_fails_its_analysis(repo_copy):
    notebook = repo_copy / "analyses" / "exposure" / _runner.NOTEBOOK
    notebook.write_text(notebook.read_text().replace("per_year = exposure.images_per_year(essay_rate, essay_hours)",
                                                     "per_year = exposure.images_per_year(essay_rate, 16)"))
    before = (repo_copy / "docs" / "results" / "exposure" / "results.json").read_bytes()
    result = run_cli("run", "exposure", cwd=repo_copy)
    assert result.returncode == 1
    # The hand check inside the notebook fails first, naming the cell; the previous results stay.
    assert ("error: analysis 'exposure' failed while executing its notebook (AnalysisError: its notebook "
            "analyses/exposure/notebook.py failed in cell 4, line 3 ('assert per_year == 10 * 3600 * 18 * 365.25'): "
            "AssertionError") in result.stderr
    assert (repo_copy / "docs" / "results" / "exposure" / "results.json").read_bytes() == before
    notebook.write_text(notebook.read_text().replace("assert per_year == 10 * 3600 * 18 * 365.25\n", ""))
    result = run_cli("run", "exposure", cwd=repo_copy)
    assert "AssertionError: differ from the frozen results: `images_per_year_essay`" in result.stderr


# ---------------------------------------------------------------- profiles

class _Recipe(typing.TypedDict):
    steps: int
    rate: float


class _Params(typing.TypedDict):
    sizes: list[list[int]]
    recipe: _Recipe
    name: str


def test_parameters_are_checked_against_their_types():
    good = {"sizes": [[1, 2]], "recipe": {"steps": 3, "rate": 1}, "name": "x"}   # an int is a fine float
    assert _runner.params_problem(good, _Params) is None
    cases = [({**good, "sizez": 1}, "unknown parameter 'sizez' (known: sizes, recipe, name)"),
             ({k: v for k, v in good.items() if k != "name"}, "missing parameter 'name'"),
             ({**good, "recipe": {"steps": 3.5, "rate": 1}}, "'recipe.steps' must be int, got 3.5"),
             ({**good, "recipe": {"steps": True, "rate": 1}}, "'recipe.steps' must be int, got True"),
             ({**good, "sizes": [[1, "2"]]}, "'sizes[0][1]' must be int, got '2'"),
             ({**good, "sizes": 4}, "'sizes' must be a list, got 4")]
    for params, message in cases:
        assert _runner.params_problem(params, _Params) == message


def test_a_typo_in_a_profile_fails_before_anything_runs(repo_copy):
    init = repo_copy / "analyses" / "dense_waste" / "__init__.py"
    text = init.read_text()
    full = text.index('"full"')
    init.write_text(text[:full] + text[full:].replace('"bench_repeats"', '"bench_repeat"', 1))
    result = run_cli("run", "exposure", "dense_waste", cwd=repo_copy)
    assert result.returncode == 2 and "exposure: done" not in result.stdout
    assert result.stderr.startswith("error: analysis 'dense_waste': profile 'full': unknown parameter 'bench_repeat'")


def test_the_asked_profile_is_honoured_and_a_full_result_never_downgraded(repo_copy):
    skipped = run_cli("run", "exposure", "--profile", "full", cwd=repo_copy, check=True)
    assert skipped.stdout.strip() == "exposure: has no 'full' profile, skipped"
    # Start from a quick result (the committed one may be a GPU runner's full one).
    run_cli("run", "dense_waste", "--profile", "quick", "--shrink", "--force", "--device", "cpu", cwd=repo_copy, check=True)
    check = run_cli("run", "dense_waste", "--check", "--profile", "full", cwd=repo_copy)
    assert check.returncode == 1 and "dense_waste: made with profile 'quick', 'full' asked for" in check.stderr

    run_cli("run", "dense_waste", "--profile", "full", "--shrink", "--device", "cpu", cwd=repo_copy, check=True)
    assert _manifest(repo_copy, "dense_waste")["profile"] == "full"
    # What `nox -s site` does: no profile named, on the CPU. The stale 'full' result is left, and said so.
    site = run_cli("run", "--device", "cpu", cwd=repo_copy, check=True)
    assert ("dense_waste: its 'full' results need refreshing (stale: changed profile), which takes a GPU: "
            "nox -s analyses -- dense_waste --profile full --device cuda; left as they are") in site.stderr
    assert _manifest(repo_copy, "dense_waste")["profile"] == "full"
    assert "dense_waste: stale: changed profile" in run_cli("run", "--check", cwd=repo_copy).stderr


def test_a_result_made_with_another_torch_build_records_its_packages_and_a_cpu_one_compares_them(repo_copy):
    """A GPU runner's CUDA torch cannot be installed beside the CPU build: its versions are shown, not compared.
    The same version drift on a CPU build is a stale result."""
    path = repo_copy / "docs" / "results" / "dense_waste" / "manifest.json"
    manifest = json.loads(path.read_text())

    def rewrite(torch_version: str, transformers_version: str):
        inputs = {**manifest["inputs"], "package:torch": torch_version, "package:transformers": transformers_version}
        path.write_text(json.dumps({**manifest, "inputs": inputs, "input_hash": _runner.input_hash(inputs),
                                    "device": "cuda", "device_name": "NVIDIA H200"}))

    rewrite("2.11.0+cu130", "5.17.0")
    check = run_cli("run", "dense_waste", "--check", cwd=repo_copy)
    assert check.returncode == 0, check.stderr
    here = _runner.package_versions(("torch",))["torch"]
    assert check.stdout.strip() == (f"dense_waste: up to date (made with torch 2.11.0+cu130 on NVIDIA H200; this "
                                    f"machine has {here}, so package versions are recorded, not compared)")
    rewrite("2.11.0+" + here.partition("+")[2], "5.17.0")
    check = run_cli("run", "dense_waste", "--check", cwd=repo_copy)
    assert check.returncode == 1
    assert "dense_waste: stale: changed package:torch, package:transformers" in check.stderr


def _manifest(repo, name) -> dict:
    return json.loads((repo / "docs" / "results" / name / "manifest.json").read_text())


@pytest.mark.parametrize("name", _each([n for n in _runner.names() if "full" in _runner.spec(n).profiles]))
def test_the_full_code_path_runs_shrunk_on_the_cpu(repo_copy, name):
    """The GPU profile's code, at test sizes: it cannot rot unseen, and its results can never pass as fresh."""
    result = run_cli("run", name, "--profile", "full", "--shrink", "--force", "--device", "cpu", cwd=repo_copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    manifest = _manifest(repo_copy, name)
    assert manifest["profile"] == "full" and manifest["shrunk_for_tests"]
    assert manifest["params"] == {**_runner.spec(name).profiles["full"], **_runner.spec(name).test_overrides}
    assert f"{name}: stale: changed profile" in run_cli("run", name, "--check", cwd=repo_copy).stderr


# ---------------------------------------------------------------- re-runs and measurements

@pytest.mark.parametrize("name", _each(_runner.names()))
def test_rerun_is_byte_identical(repo_copy, name):
    """A run gives the same deterministic files, whatever the timings: a quick profile without test overrides
    reproduces the committed files themselves (one run is enough); a shrunk one, a second run of its own."""
    shrink = ["--shrink"] if name in SHRUNK else []
    first = run_cli("run", name, "--force", "--device", "cpu", *shrink, cwd=repo_copy)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    folder = repo_copy / "docs" / "results" / name
    once = _outputs(folder)
    if not shrink:
        assert once == _outputs(ROOT / "docs" / "results" / name)
        assert run_cli("run", name, "--check", cwd=repo_copy).returncode == 0
        return
    shutil.rmtree(repo_copy / ".cache" / name, ignore_errors=True)   # no training checkpoints
    run_cli("run", name, "--force", "--device", "cpu", *shrink, cwd=repo_copy, check=True)
    assert _outputs(folder) == once


def test_measurements_are_kept_apart_and_kept_when_only_figures_change(repo_copy):
    quick = ("--profile", "quick", "--shrink")  # the committed result may be a GPU runner's full one
    run_cli("run", "dense_waste", *quick, "--force", "--device", "cpu", cwd=repo_copy, check=True)
    folder = repo_copy / "docs" / "results" / "dense_waste"
    measured = {p.name: p.read_bytes() for p in (folder / _runner.MEASURED).iterdir()}
    assert {"benchmark.csv", "benchmark.vl.json", "results.json"} <= set(measured)
    assert "benchmark" not in json.loads((folder / "results.json").read_text())["tables"]
    assert _manifest(repo_copy, "dense_waste")["measured"]["device"] == "cpu"

    catalog_file = repo_copy / "analyses" / "catalog" / "census.yaml"   # a published count dense_waste reads
    lines = catalog_file.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: params_mixtral_active")
    counts = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("counts:"))
    lines[counts] = lines[counts] + " (re-read)"
    catalog_file.write_text("\n".join(lines))
    rerun = run_cli("run", "dense_waste", *quick, "--device", "cpu", cwd=repo_copy, check=True)
    assert "keeping the measurements" in rerun.stdout
    assert {p.name: p.read_bytes() for p in (folder / _runner.MEASURED).iterdir()} == measured
    assert run_cli("run", "dense_waste", *quick, "--check", cwd=repo_copy).returncode == 0


# ---------------------------------------------------------------- failures and the scaffold

def test_unknown_analysis_is_a_one_line_error():
    result = run_cli("run", "nope")
    assert result.returncode == 2
    known = ", ".join(_runner.names())  # contributors add analyses: never hard-code the list
    assert result.stderr.strip() == f"error: unknown analysis 'nope' (known: {known})"


def test_a_failing_analysis_names_itself_and_leaves_others_untouched(repo_copy):
    run_cli("new", "broken", cwd=repo_copy, check=True)
    analysis = repo_copy / "analyses" / "broken" / "analysis.py"
    analysis.write_text(analysis.read_text().replace('ctx.step("charting")', 'ctx.step("charting")\n    1 / 0'))
    exposure = repo_copy / "docs" / "results" / "exposure"
    snapshot = {p.name: p.read_bytes() for p in exposure.iterdir()}
    broken_before = (repo_copy / "docs" / "results" / "broken" / "results.json").read_bytes()
    result = run_cli("run", "broken", "exposure", "--force", cwd=repo_copy)
    assert result.returncode == 1
    assert "error: analysis 'broken' failed while charting (ZeroDivisionError: division by zero)" in result.stderr
    assert "exposure: done" in result.stdout
    assert {p.name: p.read_bytes() for p in exposure.iterdir()}.keys() == snapshot.keys()
    assert (repo_copy / "docs" / "results" / "broken" / "results.json").read_bytes() == broken_before


def _broken(repo, old: str, new: str) -> None:
    """A scaffolded analysis 'broken' with one line of its run() replaced."""
    run_cli("new", "broken", cwd=repo, check=True)
    code = repo / "analyses" / "broken" / "analysis.py"
    assert old in code.read_text()
    code.write_text(code.read_text().replace(old, new))


def test_a_nan_in_a_table_is_refused_naming_table_row_and_column(repo_copy):
    _broken(repo_copy, '"tokens": r.value,', '"tokens": float("nan") if r.id == "chinchilla_tokens" else r.value,')
    result = run_cli("run", "broken", "--force", cwd=repo_copy)
    assert result.returncode == 1
    assert ("error: analysis 'broken' failed while writing results (AnalysisError: table 'training_tokens' row 1 "
            "column 'tokens' is not finite (nan)); its previous results are untouched") in result.stderr


def test_errors_name_the_innermost_line_of_project_code(repo_copy):
    _broken(repo_copy, '    ctx.step("charting")', '    ctx.step("charting")\n    import json\n    json.loads("{")')
    result = run_cli("run", "broken", "--force", cwd=repo_copy)
    line = next(i for i, text in enumerate((repo_copy / "analyses/broken/analysis.py").read_text().split("\n"), 1)
                if "json.loads" in text)
    assert f"at analyses/broken/analysis.py:{line}; its previous results are untouched " \
           "(--traceback shows the whole stack)" in result.stderr        # not a line inside the json module
    full = run_cli("run", "broken", "--force", "--traceback", cwd=repo_copy)
    assert "Traceback (most recent call last)" in full.stderr and "json/decoder.py" in full.stderr


def test_a_bad_catalog_row_is_named_before_anything_else(repo_copy):
    catalog_file = repo_copy / "analyses" / "catalog" / "exposure.yaml"
    text = catalog_file.read_text()
    url = text.index("  url: https://", text.index("- id: words_per_token"))
    catalog_file.write_text(text[:url] + text[text.index("\n", url) + 1:])
    for args in (["run", "--check"], ["run", "exposure"]):
        result = run_cli(*args, cwd=repo_copy)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.strip().startswith("error: exposure.yaml row ") and \
            result.stderr.strip().endswith("(id 'words_per_token'): field 'url' is missing")


def test_an_undeclared_row_says_which_file_to_declare(repo_copy):
    _broken(repo_copy, 'ctx.row("words_per_token")', 'ctx.row("params_gpt3")')
    result = run_cli("run", "broken", "--force", cwd=repo_copy)
    assert ("catalog row 'params_gpt3' is in analyses/catalog/census.yaml, which 'broken' does not declare: add "
            "\"census\" to SPEC.catalog in analyses/broken/__init__.py") in result.stderr


def test_scaffold_builds_and_passes_at_once(repo_copy):
    result = run_cli("new", "my_analysis", cwd=repo_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo_copy / "docs" / "results" / "my_analysis" / "results.json").is_file()
    assert "evidence/my-analysis.md" in (repo_copy / "mkdocs.yml").read_text()     # hyphens, like every page
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_my_analysis.py"], cwd=repo_copy,
                           capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=repo_copy, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    page = (repo_copy / "site" / "evidence" / "my-analysis" / "index.html").read_text()
    assert "words/token</a>." in page and "words/token words" not in page      # the unit once, not twice
    assert run_cli("new", "my_analysis", cwd=repo_copy).returncode == 2
    assert run_cli("new", "My-Analysis", cwd=repo_copy).stderr.strip() == (
        "error: analysis name 'My-Analysis' must be a lower_snake_case Python identifier (try 'my_analysis')")
    shadow = run_cli("new", "arguments", cwd=repo_copy)   # would hide analyses/arguments.py from every import
    assert shadow.returncode == 2 and shadow.stderr.strip() == (
        "error: analysis name 'arguments' would shadow analyses/arguments.py, part of the framework; choose another name")
    assert not (repo_copy / "analyses" / "arguments").exists() and run_cli("run", "--check", cwd=repo_copy).returncode == 0


# ---------------------------------------------------------------- updates and corrections

def test_a_changed_headline_is_recorded_and_shown_on_the_site(repo_copy):
    """A fixture correction: LAION-2B-en read twice as large. Re-freezing exposure must write the changed headline
    (quoted on the home page) to the ledger, with the catalog row as the reason, and the site must show it."""
    from tests.test_site import build

    catalog_file = repo_copy / "analyses" / "catalog" / "exposure.yaml"
    text = catalog_file.read_text()
    at = text.index("- id: laion2b_en\n")
    value_line = text.index("  value:", at)
    end = text.index("\n", value_line)
    old_value = float(text[value_line + len("  value:"):end])
    catalog_file.write_text(text[:value_line] + f"  value: {2 * old_value}" + text[end:])
    rerun = run_cli("run", "exposure", "--device", "cpu", cwd=repo_copy, check=True)
    assert "changed: vision_ratio" in rerun.stdout
    ledger = json.loads((repo_copy / "docs" / "results" / "updates.json").read_text())
    entry = next(e for e in ledger if e["item"] == "vision_ratio")
    assert entry["analysis"] == "exposure" and entry["kind"] == "value"
    assert "catalog row laion2b_en" in entry["inputs_changed"] and entry["old"] != entry["new"]
    assert all(e["analysis"] == "exposure" for e in ledger)              # nothing else was re-frozen
    # The same re-freeze again changes nothing further, and records nothing.
    run_cli("run", "exposure", "--force", "--device", "cpu", cwd=repo_copy, check=True)
    assert json.loads((repo_copy / "docs" / "results" / "updates.json").read_text()) == ledger

    result = build(repo_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    updates = (repo_copy / "site" / "updates" / "index.html").read_text()
    number = ledger.index(entry) + 1
    assert f'id="update-{number}"' in updates and entry["new"].split(" ")[0] in updates and "laion2b_en" in updates
    home = (repo_copy / "site" / "index.html").read_text()
    assert f'href="updates/#update-{number}"' in home


def test_ledger_entries_compare_what_pages_show(tmp_path):
    """Hand-made results folders: a headline value changed beyond its shown digits, one changed below them, a
    verdict flipped; only the first and the last are news."""
    def folder(name: str, speedup: float, sweep: float, verdict: str, inputs: dict) -> pathlib.Path:
        path = tmp_path / name
        path.mkdir()
        values = {"text_speedup": {"value": speedup, "unit": "×", "label": "speed-up", "sources": []},
                  "text_ticket_minus_large_dense": {"value": sweep, "unit": "bits", "label": "gap", "sources": []}}
        (path / "results.json").write_text(json.dumps({"values": values}))
        (path / "manifest.json").write_text(json.dumps({"inputs": inputs, "shrunk_for_tests": False}))
        (path / "verdicts.csv").write_text(f"prediction,modality,measured,verdict\nclaim,text,x,{verdict}\n")
        return path

    old = folder("old", 3.2, 0.28301, "not resolved", {"a": "1", "profile": "quick"})
    new = folder("new", 2.9, 0.28302, "supported", {"a": "1", "profile": "full"})
    entries = _runner.ledger_entries("learning_capacity", old, new, {"a": "1", "profile": "full"}, "2026-11-29")
    assert [(e["item"], e["old"], e["new"]) for e in entries] == [
        ("text_speedup", "3.2×", "2.9×"), ("claim · text", "not resolved", "supported")]
    assert all(e["inputs_changed"] == ["profile"] and e["date"] == "2026-11-29" for e in entries)
    assert _runner.ledger_entries("learning_capacity", tmp_path / "none", new, {}, "2026-11-29") == []
