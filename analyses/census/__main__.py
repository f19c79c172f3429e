"""Count any model: ``python -m analyses.census PATH_OR_ID ... [--json]`` (or ``nox -s census -- ...``).

Each argument is a transformers or diffusers ``config.json``, a folder holding
one, a diffusers pipeline folder (``model_index.json`` plus one folder per
component), or, on a machine with Hub access, a model id. Prints parameters
(total, non-embedding, per component), weight memory per precision and FLOPs
per unit of output. A bad argument prints one line naming it and the problem;
the others still print; the exit status is 1 if any failed.
"""

import argparse
import json
import math
import pathlib
import sys

from analyses._format import format_number
from analyses.census.count import (
    BYTES_PER_PARAM,
    ConfigError,
    build,
    count_flops,
    count_parameters,
    embedding_parameters,
    lm_flops_per_token,
    read_config,
)


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


def flops_per_unit(module, config: dict) -> tuple[float, str]:
    """FLOPs per natural unit of output, where the architecture says what that unit is."""
    import torch

    name = type(module).__name__
    if name.endswith("ForCausalLM") or name.endswith("LMHeadModel"):
        limit = config.get("max_position_embeddings") or config.get("n_positions") or 1024
        context = min(1024, limit)
        return lm_flops_per_token(module, config, "config", context), f"token (at {context} context)"
    if name.startswith("Whisper"):
        return count_flops(module, input_features=torch.zeros(1, config["num_mel_bins"], 3000, device="meta"),
                           decoder_input_ids=torch.zeros(1, 122, dtype=torch.long, device="meta")), "30 s of audio"
    if "ImageClassification" in name or name.startswith("CLIPVision"):
        size = config.get("image_size", 224)
        return count_flops(module, pixel_values=torch.zeros(1, 3, size, size, device="meta")), f"{size}px image"
    if name == "UNet2DConditionModel" and module.config.addition_embed_type is None:
        latent = module.config.sample_size
        return count_flops(module, torch.zeros(1, module.config.in_channels, latent, latent, device="meta"),
                           torch.zeros(1, device="meta"),
                           encoder_hidden_states=torch.zeros(1, 77, module.config.cross_attention_dim,
                                                             device="meta")), f"denoising step ({latent * 8}px)"
    return math.nan, ""


def describe(arg: str) -> dict:
    components = {}
    for name, config in load(arg).items():
        module = build(config, f"{arg}:{name}" if name != "model" else arg)
        total = count_parameters(module)
        embedding = embedding_parameters(module, config.get("vocab_size"))
        try:
            flops, unit = flops_per_unit(module, config)
        except Exception as error:  # data-dependent code (e.g. MoE routing) cannot run on meta tensors
            flops, unit = math.nan, f"not counted ({type(error).__name__})"
        components[name] = {"class": type(module).__name__, "parameters": total, "embedding": embedding,
                            "non_embedding": total - embedding, "flops_per_unit": flops, "flops_unit": unit}
    total = sum(c["parameters"] for c in components.values())
    return {"source": arg, "parameters": total,
            "non_embedding": sum(c["non_embedding"] for c in components.values()),
            "weights_bytes": {dtype: total * size for dtype, size in BYTES_PER_PARAM.items()},
            "components": components}


def show(result: dict) -> str:
    lines = [f"{result['source']}: {result['parameters']:,} parameters "
             f"({result['non_embedding']:,} non-embedding)",
             "  weights: " + ", ".join(f"{d} {format_number(b / 1e9)} GB" for d, b in result["weights_bytes"].items())]
    for name, c in result["components"].items():
        flops = "" if math.isnan(c["flops_per_unit"]) else \
            f"; {format_number(c['flops_per_unit'])} FLOPs per {c['flops_unit']}"
        lines.append(f"  {name} ({c['class']}): {c['parameters']:,} parameters{flops}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyses.census", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH_OR_ID")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    args = parser.parse_args(argv)
    results, failed = [], 0
    for arg in args.paths:
        try:
            result = describe(arg)
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
            continue
        results.append(result)
        if not args.json:
            print(show(result), flush=True)
    if args.json:
        print(json.dumps(results, indent=1, default=lambda x: None))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
