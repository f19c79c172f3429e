"""Measure real memory: build a model with random fp32 weights and run one forward pass.

Run as a separate process so its peak resident memory is its own:

    python -m analyses.modelstats.measure CONFIG_JSON CLASS KIND [--device cpu|cuda] [--dtype fp32|bf16] [--meta] [--no-forward]

Prints JSON: parameters, seconds to build, peak memory above the baseline after imports.
"""

import json
import resource
import sys
import time

import torch

from analyses.modelstats.build import build, read_config
from analyses.modelstats.flops import causal_lm_inputs, image_inputs, whisper_inputs


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def example_inputs(kind: str, config: dict, device: str) -> dict:
    """Small real inputs: 128 tokens, one 224px image, or 30 s of log-mel frames and 32 decoder tokens."""
    if kind == "causal_lm":
        return causal_lm_inputs(128, device)
    if kind == "image":
        return image_inputs(224, device)
    if kind == "whisper":
        return whisper_inputs(config, 32, device)
    raise ValueError(f"no example inputs for kind '{kind}'")


def measure(config_path: str, class_name: str, kind: str, device: str = "cpu", meta: bool = False,
            dtype: str = "fp32", forward: bool = True) -> dict:
    config = read_config(config_path)
    torch.manual_seed(0)
    torch.set_default_dtype({"fp32": torch.float32, "bf16": torch.bfloat16}[dtype])
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    baseline = peak_rss_bytes()
    t0 = time.perf_counter()
    if meta:
        model = build(config, config_path, class_name)
    else:
        import transformers

        with torch.device(device):  # real storage, random init
            model = getattr(transformers, class_name)(transformers.AutoConfig.for_model(**config))
    built = time.perf_counter() - t0
    result = {"parameters": sum(p.numel() for p in model.parameters()), "build_s": built}
    if forward and not meta:
        with torch.no_grad():
            model.eval()(**example_inputs(kind, config, device))
    result["peak_bytes"] = (torch.cuda.max_memory_allocated() if device == "cuda"
                            else peak_rss_bytes() - baseline)
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    device = args[args.index("--device") + 1] if "--device" in args else "cpu"
    dtype = args[args.index("--dtype") + 1] if "--dtype" in args else "fp32"
    print(json.dumps(measure(args[0], args[1], args[2], device=device, meta="--meta" in args, dtype=dtype,
                             forward="--no-forward" not in args)))
