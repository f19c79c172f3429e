"""Census benchmark (run through `nox -s bench -- census`, or directly with the analyses venv's python).

  1. The whole census (every architecture: parameters, FLOPs, memory): wall time and peak memory
     of `python -m analyses run census --force`, median of several runs.
  2. One 7B model (Llama 2 7B): counting on the meta device against building it with real random weights.
     Real fp32 weights need 27 GB, more than this 24 GiB machine has, so the real build uses bf16
     (13.5 GB); pass --dtype fp32 on a bigger machine.
  3. Every config in the repository counted by modelstats and by accelerate's method (init_empty_weights,
     then calculate_maximum_sizes, what `accelerate estimate-memory` runs), in one process after a warm-up
     build of each class: sizes equal, or the difference explained, and the time of each, median of several.
  4. The command line from a cold process, per transformers config: median wall time of several runs.

Parts 1 and 2 are `--parts census`, 3 is `accelerate`, 4 is `cli`; `--parts accelerate,cli` runs two of them.

Committed results are restored afterwards: a benchmark must not change provenance.
"""

import argparse
import functools
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
CONFIG = ROOT / "analyses" / "modelstats" / "configs" / "llama-2-7b" / "config.json"


def child_run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GB) and stdout of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return time.perf_counter() - t0, usage.ru_maxrss * 1024 / 1e9, out


def whole_census(args) -> None:
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
    measure = [sys.executable, "-m", "analyses.modelstats.measure", str(CONFIG), "LlamaForCausalLM", "causal_lm",
               "--no-forward"]
    meta = [child_run(measure + ["--meta"]) for _ in range(args.runs)]
    real = child_run(measure + ["--dtype", args.dtype])
    meta_s, meta_gb = statistics.median(t for t, _, _ in meta), statistics.median(m for _, m, _ in meta)
    real_s, real_gb = real[0], real[1]
    print(f"Llama 2 7B on meta: median {meta_s:.1f} s, peak {meta_gb:.2f} GB (process, imports included)")
    print(f"Llama 2 7B with real {args.dtype} weights: {real_s:.1f} s, peak {real_gb:.2f} GB "
          f"({json.loads(real[2].splitlines()[-1])['parameters']:,} parameters)")
    print(f"ratio real/meta: time {real_s / meta_s:.0f}x, peak memory {real_gb / meta_gb:.0f}x")


def median_seconds(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def accelerate_side_by_side(args) -> None:
    """Each config's fp32 size by modelstats and by accelerate, the difference explained, and the times."""
    import transformers
    from accelerate import init_empty_weights
    from accelerate.utils import calculate_maximum_sizes

    from analyses.modelstats import CONFIGS
    from analyses.modelstats.build import build, model_class, read_config
    from analyses.modelstats.count import count_parameters

    def ours(config, where):
        return count_parameters(build(config, where))

    def theirs(config, where):
        cls = model_class(config, where)
        with init_empty_weights():  # accelerate's way: parameters on meta, buffers on CPU
            if "_class_name" in config:
                model = cls.from_config({k: v for k, v in config.items() if not k.startswith("_")})
            else:
                model = cls(transformers.AutoConfig.for_model(
                    **{k: v for k, v in config.items() if k not in ("torch_dtype", "dtype")}))
        return calculate_maximum_sizes(model)[0]  # bytes of parameters and buffers, at their fp32 dtype

    equal, explained, unexplained, ours_s, theirs_s = 0, 0, [], 0.0, 0.0
    print(f"{'config':<40}{'modelstats':>16}{'accelerate':>16}  difference")
    for path in sorted(CONFIGS.rglob("*.json")):
        config, where = read_config(path), str(path.relative_to(CONFIGS))
        model = build(config, where)  # warm-up: imports the class's module for both
        parameters = count_parameters(model)
        size = theirs(config, where)
        buffers = sum(b.numel() * b.element_size() for b in model.buffers())
        # accelerate builds without keeping tied weights tied, so a tied output layer counts twice.
        tied = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False)) - parameters
        gap = size - 4 * parameters
        if gap == 0:
            equal, why = equal + 1, "equal"
        elif gap == buffers + 4 * tied:
            explained += 1
            why = " + ".join(part for part, n in (("buffers", buffers), ("tied weights counted twice", tied)) if n)
        else:
            unexplained.append(where)
            why = "unexplained"
        print(f"{where:<40}{4 * parameters / 1e9:>13.3f} GB{size / 1e9:>13.3f} GB  {why}")
        ours_s += median_seconds(functools.partial(ours, config, where), args.runs)
        theirs_s += median_seconds(functools.partial(theirs, config, where), args.runs)
    print(f"{equal} equal, {explained} differ by buffers and tied weights exactly, {len(unexplained)} unexplained"
          f"{': ' + ', '.join(unexplained) if unexplained else ''}")
    print(f"time over all configs (sum of medians of {args.runs}): modelstats {ours_s:.2f} s, accelerate "
          f"{theirs_s:.2f} s, ratio {ours_s / theirs_s:.2f}")


def cold_command_line(args) -> None:
    """``python -m analyses.modelstats CONFIG`` from a fresh process, imports included."""
    for folder in ("gpt2", "llama-3-8b", "whisper-tiny"):
        config = ROOT / "analyses" / "modelstats" / "configs" / folder
        seconds = [child_run([sys.executable, "-m", "analyses.modelstats", str(config)])[0] for _ in range(args.runs)]
        print(f"command line, {folder}, cold: median {statistics.median(seconds):.2f} s of {args.runs} runs")


PARTS = {"census": whole_census, "accelerate": accelerate_side_by_side, "cli": cold_command_line}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dtype", default="bf16")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    args = parser.parse_args()
    for part in args.parts.split(","):
        if part not in PARTS:
            parser.error(f"--parts: unknown part '{part}' (known: {', '.join(PARTS)})")
        PARTS[part](args)


if __name__ == "__main__":
    main()
