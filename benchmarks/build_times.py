"""Build-time benchmark: medians of several runs (run through `nox -s bench`).

Measures, on this machine:
  - warm `nox -s site` (nothing stale; venv reused, pip skipped),
  - `mkdocs build --strict` alone,
  - a cold run of every analysis (`python -m analyses run --force`), results restored afterwards.

Usage: python benchmarks/build_times.py [--runs N]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    nox = shutil.which("nox") or "nox"
    site_dir = tempfile.mkdtemp()
    results = ROOT / "docs" / "results"
    backup = Path(tempfile.mkdtemp()) / "results"
    shutil.copytree(results, backup)
    try:
        rows = {
            "warm nox -s site": timed([nox, "-s", "site", "--", "--site-dir", site_dir], args.runs),
            "mkdocs build --strict": timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                                            site_dir], args.runs),
            "cold run of all analyses": timed([sys.executable, "-m", "analyses", "run", "--force"], args.runs),
        }
    finally:
        shutil.rmtree(results)
        shutil.copytree(backup, results)  # a benchmark must not change committed provenance
        shutil.rmtree(site_dir, ignore_errors=True)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.runs} runs each")
    for name, times in rows.items():
        print(f"{name:28} median {statistics.median(times):6.2f} s   (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
