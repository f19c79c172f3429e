"""Where an analysis's independent training runs execute: in-process (the default), on a Ray cluster
(`--executor ray`), or nowhere (`--dry-run` lists them with their cost).

An analysis whose work is a sweep of independent runs lists them with ``jobs(params, seed, device)`` in its
analysis.py. A job is a plain dict, so this module stays out of the analyses' input hashes:

    name      what the console shows, e.g. "text: 4 layers × 128 wide, seed 0"
    function  "module:function", called on a worker as function(*args, log=print_line); it trains one run into
              its checkpoint folder (resuming from the folder's last checkpoint if there is one)
    args      plain values (picklable)
    flops     its training FLOPs, for --dry-run
    tokens    tokens it trains on, and stream: tokens in the data it draws them from (to state the epochs)
    gpus      the share of one GPU it asks for (Ray packs small runs several to a GPU); 0 on the CPU

The analysis reads ESSAY_CHECKPOINTS itself for its checkpoint folder (below).

With Ray, every job becomes a Ray task. When all have finished, the analysis runs in-process exactly as it
would locally: each run finds its finished checkpoint and is loaded, not trained, so the results are assembled
by the same code from the same weights.

Checkpoints live under ESSAY_CHECKPOINTS (default: .cache/ in the working directory). On a cluster of several
machines, point it at a file system that every node mounts at the same path (NFS, or a bucket through a FUSE
mount). A shared path rather than Ray's object store: an object lives only as long as the node that holds it,
and a checkpoint has to outlive the worker and the node that wrote it, so that a retried run resumes where it
stopped, on whichever node Ray places it.
"""

import importlib
import os
import pathlib
import sys
import time
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKPOINTS_VARIABLE = "ESSAY_CHECKPOINTS"
# Tests only: the named job's worker dies (os._exit) at that job's second progress line, once, to show that
# Ray retries it and that the retry resumes from the checkpoint written before it died.
KILL_ONCE_VARIABLE = "ESSAY_RAY_KILL_ONCE"
RETRIES = 3                      # a worker or node that dies: the run is retried this many times


def checkpoint_root() -> pathlib.Path:
    """Where runs keep their checkpoints: ESSAY_CHECKPOINTS, else .cache/ here."""
    return pathlib.Path(os.environ.get(CHECKPOINTS_VARIABLE, ".cache"))


def jobs_of(name: str, params: dict, seed: int, device: str) -> list[dict]:
    """The analysis's independent runs; an error naming it when it has none to distribute."""
    module = importlib.import_module(f"analyses.{name}.analysis")
    if not hasattr(module, "jobs"):
        raise ValueError(f"analysis '{name}' has no independent runs to distribute (no jobs() in "
                         f"analyses/{name}/analysis.py); run it without --executor or --dry-run")
    return module.jobs(params, seed, device)


# ---------------------------------------------------------------- --dry-run

def plan(name: str, profile: str, jobs: list[dict], peak: float, peak_source: str, utilisation: float) -> str:
    """The planned runs, their FLOPs and the time they take at `utilisation` of a cited peak rate."""
    rate = peak * utilisation
    lines = [f"{name}, profile '{profile}': {len(jobs)} independent runs",
             f"{'run':48} {'GPU':>5} {'FLOPs':>9} {'epochs':>7} {'GPU-hours':>9}"]
    for job in jobs:
        epochs = job["tokens"] / job["stream"]
        lines.append(f"{job['name']:48} {job['gpus']:>5g} {job['flops']:>9.2e} {epochs:>7.1f} "
                     f"{job['flops'] / rate / 3600:>9.2f}")
    total = sum(job["flops"] for job in jobs)
    longest = max(jobs, key=lambda job: job["flops"])
    lines += [f"total: {total:.3g} training FLOPs; {total / rate / 3600:,.1f} GPU-hours on {peak_source} at "
              f"{utilisation:.0%} of its peak of {peak / 1e12:g} TFLOP/s",
              f"the longest run ({longest['name']}) alone takes {longest['flops'] / rate / 3600:,.1f} hours: no "
              "number of GPUs finishes the sweep sooner",
              "GPU-hours: each run's FLOPs at that rate (a run on a share of a GPU takes proportionally longer for "
              "the same GPU-hours; small models reach less of the peak); judging and fitting are not counted"]
    return "\n".join(lines)


# ---------------------------------------------------------------- --executor ray

def _maybe_die(job: dict, lines: list[str]) -> None:
    marker = checkpoint_root().resolve() / f".killed-{zlib.crc32(job['name'].encode()):08x}"
    if os.environ.get(KILL_ONCE_VARIABLE) == job["name"] and len(lines) == 2 and not marker.exists():
        marker.write_text(f"killed at: {lines[-1]}\n")
        print(f"[{job['name']}] killed on purpose ({KILL_ONCE_VARIABLE})", flush=True)
        os._exit(1)


def run_job(job: dict, torch_version: str) -> dict:
    """On a worker: train one run. Returns where and how long it ran, and whether it resumed."""
    import socket

    import torch

    if torch.__version__ != torch_version:   # another build trains other numbers: refuse, naming both
        raise RuntimeError(f"this node has torch {torch.__version__}, the driver {torch_version}: install the "
                           "project's lock on every node")
    module, _, function = job["function"].partition(":")
    lines = []

    def log(line: str) -> None:
        lines.append(line)
        print(f"[{job['name']}] {line}", flush=True)
        _maybe_die(job, lines)

    began = time.perf_counter()
    getattr(importlib.import_module(module), function)(*job["args"], log=log)
    resumed = next((line for line in lines if line.startswith("resumed")), "")
    return {"name": job["name"], "seconds": time.perf_counter() - began, "node": socket.gethostname(),
            "resumed": resumed}


def run_on_ray(jobs: list[dict], address: str | None) -> list[dict]:
    """Run every job as a Ray task and wait for all of them, printing one line as each finishes.
    Returns each job's report (run_job's), in the order the jobs finished."""
    try:
        import ray
    except ImportError:
        raise RuntimeError("--executor ray needs Ray: pip install -r requirements/ray.txt "
                           "(nox -s analyses installs it when --executor ray is asked for)") from None
    import torch

    checkpoints = checkpoint_root().resolve()
    checkpoints.mkdir(parents=True, exist_ok=True)
    # The workers get this repository's analyses package (Ray uploads it) and the checkpoint root; the
    # data are the Debian packages and PyPI packages installed on every node.
    runtime_env = {"working_dir": str(ROOT), "env_vars": {CHECKPOINTS_VARIABLE: str(checkpoints)},
                   "excludes": [".git", ".nox", ".cache", "site", "docs", "tests", "*.egg-info", "__pycache__"]}
    if KILL_ONCE_VARIABLE in os.environ:
        runtime_env["env_vars"][KILL_ONCE_VARIABLE] = os.environ[KILL_ONCE_VARIABLE]
    ray.init(address=address, runtime_env=runtime_env, log_to_driver=True, configure_logging=False)
    try:
        remote = ray.remote(max_retries=RETRIES)(run_job)
        pending = {remote.options(num_gpus=job["gpus"], num_cpus=1).remote(job, torch.__version__): job
                   for job in jobs}
        print(f"  [ray] {len(jobs)} runs submitted to {ray.cluster_resources()}", flush=True)
        reports = []
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(done[0])
            try:
                report = ray.get(done[0])
            except Exception as error:   # a bug in training (not retried) or a run that died RETRIES + 1 times
                for ref in pending:
                    ray.cancel(ref)
                raise RuntimeError(f"run '{job['name']}' failed on the cluster: {type(error).__name__}: "
                                   f"{str(error).splitlines()[0] if str(error) else ''}") from None
            reports.append(report)
            note = f", after a failure: {report['resumed']}" if report["resumed"] else ""
            print(f"  [ray] {len(reports)}/{len(jobs)} done: {job['name']} in {report['seconds']:.1f} s on "
                  f"{report['node']}{note}", flush=True)
        return reports
    finally:
        ray.shutdown()
        sys.stdout.flush()
