"""Command line: ``python -m analyses [run|list|new] ...`` (nox wraps it).

    python -m analyses run [NAME ...] [--force] [--profile quick|full|large] [--device auto|cpu|cuda] [--check] [--shrink] [--traceback]
                           [--executor local|ray] [--ray-address ADDRESS] [--dry-run] [--accelerator ROW] [--utilisation U]
    python -m analyses list
    python -m analyses new NAME
"""

import argparse
import sys

from analyses import _runner, _scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyses", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run stale analyses (all when none is named) and freeze their results")
    run.add_argument("names", nargs="*", metavar="NAME")
    run.add_argument("--force", action="store_true", help="run even when the committed results are fresh")
    run.add_argument("--profile", default=None,
                     help="quick (CPU, minutes) or full (GPU runner); default: the profile each result was made with "
                          "(quick for new analyses). Analyses without the profile are skipped")
    run.add_argument("--device", default="auto", help="auto (CUDA when available), cpu or cuda")
    run.add_argument("--check", action="store_true",
                     help="run nothing; exit 1 naming every analysis whose results are stale, missing or edited")
    run.add_argument("--traceback", action="store_true", help="print the whole stack when an analysis fails")
    run.add_argument("--shrink", action="store_true",
                     help="for tests: apply each Spec's test_overrides (seconds-sized runs; never commit the results)")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="ray: train an analysis's independent runs as tasks on a Ray cluster first, then assemble "
                          "the results here as a local run would (analyses/_executor.py)")
    run.add_argument("--ray-address", default=None,
                     help="the cluster to join (default: RAY_ADDRESS, else a Ray instance started on this machine)")
    run.add_argument("--dry-run", action="store_true",
                     help="run nothing; list each analysis's independent runs, their training FLOPs and the time "
                          "they take on --accelerator at --utilisation")
    run.add_argument("--accelerator", default="h100_fp32_flops",
                     help="for --dry-run: the catalog row of the accelerator's peak rate (FLOP/s)")
    run.add_argument("--utilisation", type=float, default=0.3,
                     help="for --dry-run: the share of that peak a run is assumed to reach (default 0.3)")
    commands.add_parser("list", help="list analyses with their status")
    new = commands.add_parser("new", help="scaffold a new analysis: package, page and test")
    new.add_argument("name")
    args = parser.parse_args(argv)

    if args.command == "run":
        if args.dry_run:
            return _runner.dry_run(args.names, args.profile, args.device, args.shrink, args.accelerator,
                                   args.utilisation)
        return _runner.run(args.names, force=args.force, profile=args.profile, device=args.device, check=args.check,
                           shrink=args.shrink, full_traceback=args.traceback, executor=args.executor,
                           address=args.ray_address)
    if args.command == "list":
        for name in _runner.names():
            found, _ = _runner.status(name)
            profiles = ", ".join(_runner.spec(name).profiles)
            print(f"{name:24} [{_runner.recorded_profile(name)}; has {profiles}] "
                  f"{'; '.join(found) if found else 'up to date'} — {_runner.spec(name).title}")
        return 0
    return _scaffold.new(args.name)


if __name__ == "__main__":
    sys.exit(main())
