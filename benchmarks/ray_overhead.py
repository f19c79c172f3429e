"""The Ray executor's overhead (via `nox -s bench -- ray`): the tests' tiny cross-modal sweep (shrunk: four sizes,
two seeds of the smallest, 6 steps) run in-process and through a Ray instance on this machine, alternately,
from empty checkpoints each time. Prints the medians of the wall times of `python -m analyses run` (training,
judging, fitting, the notebook), and their difference: what Ray adds (starting workers, shipping the package,
scheduling) to a sweep whose runs take milliseconds.

Usage: python benchmarks/ray_overhead.py [--runs N]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "analyses", "run", "cross_modal_scaling", "--shrink", "--force", "--device", "cpu"]


def timed(repo: Path, extra: list[str], checkpoints: Path) -> float:
    shutil.rmtree(checkpoints, ignore_errors=True)
    began = time.perf_counter()
    subprocess.run([*COMMAND, *extra], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "ESSAY_CHECKPOINTS": str(checkpoints)})
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".git", ".nox", ".cache", "site", "__pycache__"))
        ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
        address = ray.get_runtime_context().gcs_address
        local, on_ray = [], []
        for _ in range(args.runs):
            local.append(timed(repo, [], Path(tmp) / "checkpoints"))
            on_ray.append(timed(repo, ["--executor", "ray", "--ray-address", address], Path(tmp) / "checkpoints"))
        ray.shutdown()
    a, b = statistics.median(local), statistics.median(on_ray)
    print(f"tiny cross-modal sweep, median of {args.runs}: in-process {a:.1f} s, through Ray {b:.1f} s, "
          f"overhead {b - a:+.1f} s ({b / a:.2f}×)")
    print(f"in-process: {', '.join(f'{t:.1f}' for t in local)} s; Ray: {', '.join(f'{t:.1f}' for t in on_ray)} s")


if __name__ == "__main__":
    main()
