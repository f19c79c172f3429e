"""Parameters, memory and FLOPs of any model from its config: ``python -m analyses.modelstats PATH_OR_ID ...``.

Each argument is a transformers or diffusers ``config.json``, a folder holding one,
a diffusers pipeline folder (``model_index.json`` plus one folder per component),
or, on a machine with Hub access, a model id. For each it prints the class counted
(and why that class), parameters (total, non-embedding, by component), FLOPs per
unit of output, and memory at ``--dtype``: weights, the KV cache at ``--context``
× ``--batch``, inference (weights + KV cache) and training with Adam. ``--json``
prints the same as JSON. A bad argument prints one line naming it and the problem;
the others still print; the exit status is 1 if any failed. ``nox -s census -- ...``
runs this.
"""

import argparse
import json
import pathlib
import sys

from analyses._format import format_number
from analyses.modelstats.build import ConfigError, build, choose_class, read_config

GB = 1e9  # decimal gigabytes
DTYPES = ("fp32", "fp16", "bf16", "int8", "int4")
DEFAULT_CONTEXT = 2048


def load(arg: str) -> dict[str, dict]:
    """component name -> config dict, for one argument."""
    path = pathlib.Path(arg)
    if path.is_dir() and (path / "model_index.json").is_file():  # a diffusers pipeline
        return {p.name: read_config(p) for p in sorted(path.iterdir()) if (p / "config.json").is_file()}
    if path.exists() or arg.endswith(".json") or not arg.count("/") == 1:
        return {"model": read_config(path)}
    try:  # owner/name: a Hub id (needs network access)
        import transformers

        return {"model": transformers.AutoConfig.from_pretrained(arg).to_dict()}
    except Exception as error:
        raise ConfigError(f"{arg}: not a local file or folder, and the Hub lookup failed "
                          f"({type(error).__name__})") from None


def speech_tokens() -> int:
    """Tokens in 30 s of speech, from the catalog's reading rate and words per token (see flops.py)."""
    from analyses import catalog
    from analyses.modelstats.flops import speech_tokens_in_30s

    rows = catalog.load("exposure")
    return speech_tokens_in_30s(rows["oral_reading_rate"].value, rows["words_per_token"].value)


def component_flops(module, config: dict, kind: str | None, context: int, asked_context: int) -> dict:
    """FLOPs per unit of output where the class says what a unit is (``kind``); the reason otherwise.
    ``context`` is the one used: the ``asked_context``, or the model's window when that is shorter."""
    from analyses.modelstats.flops import UNITS, flops_per_unit

    if kind is None:
        return {"flops_per_unit": None, "flops_unit": None,
                "flops_note": f"no natural unit of output for {type(module).__name__}"}
    note, kwargs = "", {}
    if kind == "causal_lm":
        kwargs["context"] = context
        note = f"forward pass, averaged over a {context:,}-token prefill"
        if context < asked_context:
            note += f" (the model's window is {context:,} tokens)"
    elif kind == "whisper":
        kwargs["speech_tokens"] = speech_tokens()
        note = f"encoder on 30 s of log-mel frames, decoder on {kwargs['speech_tokens']} tokens"
    try:
        flops = flops_per_unit(module, config, kind, **kwargs)
    except Exception as error:  # e.g. data-dependent routing of a mixture of experts cannot run on meta tensors
        return {"flops_per_unit": None, "flops_unit": UNITS[kind],
                "flops_note": f"not counted: FlopCounterMode failed on meta tensors ({type(error).__name__})"}
    return {"flops_per_unit": flops, "flops_unit": UNITS[kind], "flops_note": note}


def describe_component(config: dict, where: str, class_name: str | None, context: int, batch: int,
                       dtype: str) -> dict:
    """One model: class, parameters by component, FLOPs per unit, KV cache."""
    from analyses.modelstats.count import parameter_breakdown
    from analyses.modelstats.flops import context_limit, output_kind
    from analyses.modelstats.memory import BYTES_PER_DTYPE, kv_cache_bytes

    _, why = choose_class(config, where, class_name)
    module = build(config, where, class_name)  # refuses an over-deep config before building it
    breakdown = parameter_breakdown(module, config.get("vocab_size"))
    total = sum(breakdown.values())
    embedding = breakdown["embeddings"] + breakdown["output head"]
    kind, limit = output_kind(module), context_limit(config)
    used = min(context, limit) if limit else context
    result = {"class": type(module).__name__, "class_chosen_by": why, "parameters": total, "embedding": embedding,
              "non_embedding": total - embedding, "by_component": {k: v for k, v in breakdown.items() if v},
              **component_flops(module, config, kind, used, context), "context": None, "kv_cache_bytes": None}
    if kind == "causal_lm":
        # Weights quantised to int8/int4 usually keep 16-bit keys and values.
        kv_bytes = 2 if dtype in ("int8", "int4") else BYTES_PER_DTYPE[dtype]
        result.update(context=used, kv_cache_bytes=kv_cache_bytes(config, used, kv_bytes, batch))
    return result


def describe(arg: str, class_name: str | None = None, context: int = DEFAULT_CONTEXT, batch: int = 1,
             dtype: str = "bf16") -> dict:
    """Everything the command line prints for one argument, as a JSON-ready dict."""
    from analyses.modelstats.memory import BYTES_PER_DTYPE, training_bytes

    configs = load(arg)
    if class_name and len(configs) > 1:
        raise ConfigError(f"{arg}: --class applies to one config, not to a pipeline of {len(configs)} components")
    components = {name: describe_component(config, arg if name == "model" else f"{arg}:{name}", class_name,
                                           context, batch, dtype)
                  for name, config in configs.items()}
    total = sum(c["parameters"] for c in components.values())
    weights = total * BYTES_PER_DTYPE[dtype]
    kv = sum(c["kv_cache_bytes"] or 0 for c in components.values())
    training = training_bytes(total, dtype) if dtype in ("fp32", "fp16", "bf16") else None
    return {"source": arg, "dtype": dtype, "context": context, "batch": batch, "parameters": total,
            "non_embedding": sum(c["non_embedding"] for c in components.values()),
            "memory_bytes": {"weights": weights, "kv_cache": kv, "inference": weights + kv, "training": training},
            "components": components}


def gb(n: float) -> str:
    return f"{n / GB:,.2f} GB"


def show_component(name: str, c: dict) -> list[str]:
    lines = [f"  {name}: {c['class']} ({c['class_chosen_by']})",
             f"    parameters  {c['parameters']:>16,}  ({format_number(c['parameters'])}; "
             f"{format_number(c['non_embedding'])} non-embedding)"]
    for part, n in c["by_component"].items():
        lines.append(f"      {part:<12}{n:>16,}  {100 * n / c['parameters']:5.1f}%")
    if c["flops_per_unit"] is not None:
        lines.append(f"    FLOPs       {format_number(c['flops_per_unit'])} per {c['flops_unit']} ({c['flops_note']})")
    else:
        lines.append(f"    FLOPs       {c['flops_note']}")
    return lines


def show(result: dict) -> str:
    memory, dtype = result["memory_bytes"], result["dtype"]
    lines = [f"{result['source']}: {result['parameters']:,} parameters ({format_number(result['parameters'])})"]
    for name, c in result["components"].items():
        lines += show_component(name, c)
    lines.append(f"  memory in {dtype} (GB = 10^9 bytes; activations not counted)")
    lines.append(f"    weights              {gb(memory['weights'])}")
    if memory["kv_cache"]:
        contexts = sorted({c["context"] for c in result["components"].values() if c["context"]})
        lines.append(f"    KV cache             {gb(memory['kv_cache'])}  (batch {result['batch']} × "
                     f"{', '.join(f'{n:,}' for n in contexts)} tokens)")
        lines.append(f"    inference            {gb(memory['inference'])}  (weights + KV cache)")
    training = memory["training"]
    if training:
        lines.append(f"    training with Adam   {gb(training['total'])}  (weights {gb(training['weights'])}, gradients "
                     f"{gb(training['gradients'])}, Adam states{' and fp32 master weights' if dtype != 'fp32' else ''}"
                     f" {gb(training['adam_states'])})")
    else:
        lines.append(f"    training with Adam   not counted in {dtype}")
    return "\n".join(lines)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyses.modelstats", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH_OR_ID")
    parser.add_argument("--class", dest="class_name", metavar="NAME",
                        help="transformers/diffusers class to count (default: the config's own, or the model with "
                             "its head)")
    parser.add_argument("--dtype", choices=DTYPES, default="bf16", help="precision of weights and KV cache "
                        "(default bf16)")
    parser.add_argument("--context", type=positive, default=DEFAULT_CONTEXT,
                        help=f"tokens of context for FLOPs per token and the KV cache (default {DEFAULT_CONTEXT})")
    parser.add_argument("--batch", type=positive, default=1, help="sequences in the KV cache (default 1)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    args = parser.parse_args(argv)
    results, failed = [], 0
    for arg in args.paths:
        try:
            result = describe(arg, args.class_name, args.context, args.batch, args.dtype)
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
            continue
        results.append(result)
        if not args.json:
            print(show(result), flush=True)
    if args.json:
        print(json.dumps(results, indent=1, allow_nan=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
