"""Census benchmark (run through `nox -s bench -- census`, or directly with the analyses venv's python).

  1. The whole census (every architecture: parameters, FLOPs, memory): wall time and peak memory
     of `python -m analyses run census --force`, median of several runs.
  2. One 7B model (Llama 2 7B): counting on the meta device against building it with real random weights.
     Real fp32 weights need 27 GB, more than this 24 GiB machine has, so the real build uses bf16
     (13.5 GB); pass --dtype fp32 on a bigger machine.

Committed results are restored afterwards: a benchmark must not change provenance.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "analyses" / "census" / "configs" / "llama-2-7b" / "config.json"


def child_run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GB) and stdout of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return time.perf_counter() - t0, usage.ru_maxrss * 1024 / 1e9, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dtype", default="bf16")
    args = parser.parse_args()
    results = ROOT / "docs" / "results"
    backup = Path(tempfile.mkdtemp()) / "results"
    shutil.copytree(results, backup)
    try:
        census = [child_run([sys.executable, "-m", "analyses", "run", "census", "--force"]) for _ in range(args.runs)]
    finally:
        shutil.rmtree(results)
        shutil.copytree(backup, results)
    print(f"whole census ({args.runs} runs): median {statistics.median(t for t, _, _ in census):.1f} s, "
          f"peak {max(m for _, m, _ in census):.2f} GB (largest process: the measured small models run "
          "in their own processes)")
    measure = [sys.executable, "-m", "analyses.census.measure", str(CONFIG), "LlamaForCausalLM", "causal_lm",
               "--no-forward"]
    meta = [child_run(measure + ["--meta"]) for _ in range(args.runs)]
    real = child_run(measure + ["--dtype", args.dtype])
    meta_s, meta_gb = statistics.median(t for t, _, _ in meta), statistics.median(m for _, m, _ in meta)
    real_s, real_gb = real[0], real[1]
    print(f"Llama 2 7B on meta: median {meta_s:.1f} s, peak {meta_gb:.2f} GB (process, imports included)")
    print(f"Llama 2 7B with real {args.dtype} weights: {real_s:.1f} s, peak {real_gb:.2f} GB "
          f"({json.loads(real[2].splitlines()[-1])['parameters']:,} parameters)")
    print(f"ratio real/meta: time {real_s / meta_s:.0f}x, peak memory {real_gb / meta_gb:.0f}x")


if __name__ == "__main__":
    main()
