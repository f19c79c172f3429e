"""The Ray executor (analyses/_executor.py): a sweep trained as Ray tasks gives the results of an in-process
run, byte for byte, and a run whose worker dies is retried and resumes from its checkpoint. And --dry-run's
arithmetic, worked by hand. The Ray tests need the "ray" extra (requirements/ray.txt): skipped outside CI when
it is missing, required in CI."""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from analyses import _datasets, _executor
from tests.conftest import requires

NAME = "cross_modal_scaling"
HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY and not os.environ.get("CI"),
                               reason="Ray is not installed: pip install -r requirements/ray.txt")
needs_data = requires(*_datasets.FASHION_MNIST["train"], *_datasets.FASHION_MNIST["t10k"], _datasets.FORTUNES)


def test_dry_run_counts_flops_and_hours_by_hand():
    # Two runs: 6e15 and 2e15 FLOPs at 25% of a 1e12 FLOP/s peak are 24,000 s and 8,000 s: 8.89 hours in all,
    # and the longer alone 6.67 hours; 3e6 tokens from a 1e6-token stream are 3 epochs.
    jobs = [{"name": "big", "flops": 6e15, "tokens": 3e6, "stream": 1e6, "gpus": 1},
            {"name": "small", "flops": 2e15, "tokens": 1e6, "stream": 1e6, "gpus": 0.25}]
    text = _executor.plan("demo", "large", jobs, 1e12, "a test accelerator", 0.25)
    assert "8e+15 training FLOPs; 8.9 GPU-hours on a test accelerator at 25% of its peak of 1 TFLOP/s" in text
    assert "the longest run (big) alone takes 6.7 hours" in text
    big = next(line for line in text.splitlines() if line.startswith("big "))
    assert big.split()[1:] == ["1", "6.00e+15", "3.0", "6.67"]


def test_an_analysis_without_independent_runs_says_so():
    with pytest.raises(ValueError, match="analysis 'exposure' has no independent runs to distribute"):
        _executor.jobs_of("exposure", {}, 0, "cpu")


@needs_data
def test_the_large_profile_plans_runs_to_100m_parameters(repo_copy):
    result = subprocess.run([sys.executable, "-m", "analyses", "run", NAME, "--profile", "large", "--dry-run"],
                            cwd=repo_copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "42 independent runs" in result.stdout and "text: 16 layers × 768 wide, seed 0" in result.stdout
    assert "GPU-hours on h100_fp32_flops" in result.stdout
    # 16 layers × 768 wide: 12·16·768² weights plus the biases and LayerNorms, 113M; its share of a GPU is whole
    import torch

    from analyses.cross_modal_scaling import analysis, model
    with torch.device("meta"):
        assert 113e6 < model.GPT(model.Size(16, 768), 256, 256).non_embedding_parameters() < 114e6
    assert analysis.gpu_share(113_000_000, "cuda") == 1 and analysis.gpu_share(113_000_000, "cpu") == 0


# ---------------------------------------------------------------- through Ray

@pytest.fixture(scope="module")
def ray_address():
    """A Ray instance on this machine with 2 CPUs, as a cluster's head would be; its address for the runner."""
    import ray  # its tests are skipped before this when Ray is missing outside CI

    ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def _run(repo, *args, env=None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "analyses", "run", NAME, "--shrink", "--force", "--device", "cpu",
                             *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _results(repo) -> bytes:
    return (repo / "docs" / "results" / NAME / "results.json").read_bytes()


@pytest.fixture(scope="module")
def local_results(tmp_path_factory):
    """The shrunk sweep (four sizes, two seeds of the smallest, 6 steps) run in-process, as without --executor."""
    from tests.conftest import copy_repo
    repo = copy_repo(tmp_path_factory.mktemp("local"))
    _run(repo)
    return _results(repo)


@needs_ray
@needs_data
def test_a_sweep_through_ray_gives_the_results_of_a_local_run(repo_copy, ray_address, local_results, tmp_path):
    checkpoints = tmp_path / "shared"   # what every node of a cluster would mount
    result = _run(repo_copy, "--executor", "ray", "--ray-address", ray_address,
                  env={_executor.CHECKPOINTS_VARIABLE: str(checkpoints)})
    runs = len(list((checkpoints / NAME).glob("*/final.pt")))
    assert runs == 10 and f"[ray] {runs}/{runs} done" in result.stdout   # (4 sizes + 1 seed) × 2 modalities
    assert "training its 10 runs on Ray" in result.stdout and "finished earlier" in result.stdout
    assert _results(repo_copy) == local_results
    assert not (repo_copy / ".cache" / NAME).exists(), "a run trained in-process instead of on Ray"


@needs_ray
@needs_data
def test_a_run_whose_worker_dies_resumes_from_its_checkpoint(repo_copy, ray_address, local_results, tmp_path):
    victim = "text: 1 layers × 4 wide, seed 0"
    checkpoints = tmp_path / "shared"
    result = _run(repo_copy, "--executor", "ray", "--ray-address", ray_address,
                  env={_executor.CHECKPOINTS_VARIABLE: str(checkpoints), _executor.KILL_ONCE_VARIABLE: victim})
    killed = list(checkpoints.glob(".killed-*"))
    assert len(killed) == 1 and killed[0].read_text().startswith("killed at: step 6/6")
    # The retry started from the checkpoint of step 3, not from scratch, and the sweep still matches.
    assert f"done: {victim} in" in result.stdout
    assert "after a failure: resumed at step 3" in result.stdout
    assert _results(repo_copy) == local_results
    shutil.rmtree(checkpoints)


def test_dry_run_reads_its_peak_rate_from_the_catalog():
    result = subprocess.run([sys.executable, "-m", "analyses", "run", NAME, "--dry-run", "--accelerator", "nope"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "--accelerator nope: not a catalog row of a rate in FLOP/s" in result.stderr
    assert result.stdout == ""
