"""The runner and frozen results, exercised through the real command line on a copy of the repository."""

import json
import subprocess
import sys

import pytest

from analyses import _runner
from tests.conftest import ROOT, run_cli


def test_committed_results_are_fresh():
    result = run_cli("run", "--check")
    assert result.returncode == 0, result.stderr
    assert "exposure: up to date" in result.stdout


@pytest.mark.parametrize("name", _runner.names())
def test_every_analysis_honours_the_contract(name):
    """Title, arguments tested, a quick profile, results that validate, and a test of its own."""
    import jsonschema

    spec = _runner.spec(name)  # validates title, argument ids, quick profile, page and catalog files
    assert spec.title and spec.tests and "quick" in spec.profiles
    results = json.loads((_runner.RESULTS_DIR / name / "results.json").read_text())
    jsonschema.validate(results, json.loads((ROOT / "tests" / "results.schema.json").read_text()))
    assert results["analysis"] == name
    own_tests = ROOT / "tests" / f"test_{name}.py"
    assert own_tests.is_file() and "def test_" in own_tests.read_text(), f"analysis '{name}' has no tests of its own"


def test_input_hash_changes_with_what_can_change_results(repo_copy):
    catalog_file = repo_copy / "analyses" / "catalog" / "exposure.yaml"
    catalog_file.write_text(catalog_file.read_text().replace("value: 10\n", "value: 12\n", 1))
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1
    # Every analysis that declares the exposure catalog goes stale, and the refresh command names them all.
    readers = [n for n in _runner.names() if "exposure" in _runner.spec(n).catalog]
    assert {"exposure", "census"} <= set(readers)
    for name in readers:
        assert f"{name}: stale: changed analyses/catalog/exposure.yaml" in result.stderr
    assert f"nox -s analyses -- {' '.join(readers)}" in result.stderr


def test_source_change_and_local_import_are_hashed(repo_copy):
    fmt = repo_copy / "analyses" / "_format.py"  # imported by analyses/exposure/analysis.py
    fmt.write_text(fmt.read_text() + "\n# a change\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1 and "changed analyses/_format.py" in result.stderr


def test_hand_edited_and_unexpected_files_are_caught(repo_copy):
    results = repo_copy / "docs" / "results" / "exposure"
    (results / "results.json").write_text((results / "results.json").read_text().replace("236682000", "230000000"))
    (results / "extra.csv").write_text("a\n1\n")
    result = run_cli("run", "--check", cwd=repo_copy)
    assert result.returncode == 1
    assert "exposure: hand-edited results.json" in result.stderr
    assert "exposure: unexpected file extra.csv" in result.stderr


def test_rerun_is_byte_identical(repo_copy):
    before = (ROOT / "docs" / "results" / "exposure" / "results.json").read_bytes()
    run_cli("run", "exposure", "--force", cwd=repo_copy, check=True)
    run_cli("run", "exposure", "--force", cwd=repo_copy, check=True)
    assert (repo_copy / "docs" / "results" / "exposure" / "results.json").read_bytes() == before
    assert run_cli("run", "--check", cwd=repo_copy).returncode == 0
    skipped = run_cli("run", "exposure", cwd=repo_copy, check=True)
    assert "exposure: up to date, skipped" in skipped.stdout


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


def test_scaffold_builds_and_passes_at_once(repo_copy):
    result = run_cli("new", "my_analysis", cwd=repo_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo_copy / "docs" / "results" / "my_analysis" / "results.json").is_file()
    assert "evidence/my_analysis.md" in (repo_copy / "mkdocs.yml").read_text()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_my_analysis.py"], cwd=repo_copy,
                           capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=repo_copy, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert run_cli("new", "my_analysis", cwd=repo_copy).returncode == 2
    assert "must be a lower_snake_case" in run_cli("new", "My-Analysis", cwd=repo_copy).stderr
