"""Compute waste in dense transformers, measured.

A reader argues that a dense transformer spends every weight and the whole
context on every token, and that mixture-of-experts models and IO-aware attention
(FlashAttention; Dao et al. 2022) showed how much of that was waste. Three
measurements:

1. Mixture of experts: total against active parameters per token, from the
   instantiated modules (expert tensors hold E experts; k of them run per token).
2. Attention's share of a 7B model's FLOPs and of its memory traffic per decoded
   token as the context grows (FLOPs counted on the meta device; FlopCounterMode
   counts the full score matrix, so a causal kernel that skips the masked half
   does about half the attention work).
3. A benchmark on this machine: naive attention (scores materialised) against
   torch's fused scaled_dot_product_attention, time and peak memory.
"""

import math
import pathlib
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from analyses._format import format_number as fmt
from analyses._measure import peak_memory_bytes
from analyses.modelstats.build import build, read_config
from analyses.modelstats.count import count_parameters
from analyses.modelstats.memory import kv_cache_bytes

HERE = pathlib.Path(__file__).parent


# ---------------------------------------------------------------- mixture of experts

def moe_parameters(model: torch.nn.Module, experts: int, active: int) -> dict[str, int]:
    """Total and per-token parameters: tensors under an ``experts`` module hold ``experts`` experts, ``active`` run."""
    total = count_parameters(model)
    expert = sum(p.numel() for name, p in model.named_parameters()
                 if ".experts." in name and "shared_expert" not in name)
    return {"total": total, "expert": expert, "active": total - expert + expert * active // experts}


# ---------------------------------------------------------------- attention in a 7B model

def flops_by_kind(model: torch.nn.Module, context: int) -> dict[str, float]:
    """FLOPs per token at ``context``: attention (score and value matmuls, aten.bmm) and the rest (aten.mm)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(input_ids=torch.zeros(1, context, dtype=torch.long, device="meta"))
    ops = {str(k): v for k, v in counter.get_flop_counts()["Global"].items()}
    attention = sum(v for k, v in ops.items() if "bmm" in k or "scaled_dot_product" in k)
    return {"attention": attention / context, "other": (sum(ops.values()) - attention) / context}


def decode_traffic(config: dict, parameters: int, context: int, bytes_per_value: float = 2) -> dict[str, float]:
    """Bytes read from memory to decode one token: every weight once, plus the whole KV cache (bf16)."""
    return {"weights": parameters * bytes_per_value, "kv_cache": kv_cache_bytes(config, context, bytes_per_value)}


# ---------------------------------------------------------------- the benchmark

def naive_attention(q, k, v):
    """Scores materialised: softmax(q kᵀ / sqrt(d)) v. Shapes (batch, heads, n, d)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])   # (b, h, n, n): the memory the fused kernel avoids
    return torch.softmax(scores, dim=-1) @ v


def fused_attention(q, k, v):
    return torch.nn.functional.scaled_dot_product_attention(q, k, v)


def time_attention(kind: str, length: int, head_dim: int, heads: int, repeats: int, device: str) -> float:
    """Median seconds of one attention call (after one warm-up)."""
    fn = {"naive": naive_attention, "fused": fused_attention}[kind]
    generator = torch.Generator(device="cpu").manual_seed(0)
    q, k, v = (torch.randn(1, heads, length, head_dim, generator=generator).to(device) for _ in range(3))
    times = []
    with torch.no_grad():
        for i in range(repeats + 1):
            if device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            fn(q, k, v)
            if device == "cuda":
                torch.cuda.synchronize()
            if i:  # the first call warms up
                times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_memory(kind: str, length: int, head_dim: int, heads: int, device: str) -> float:
    """Peak memory (bytes) one call allocates beyond its inputs."""
    fn = {"naive": naive_attention, "fused": fused_attention}[kind]
    q, k, v = (torch.randn(1, heads, length, head_dim).to(device) for _ in range(3))
    with torch.no_grad():
        return peak_memory_bytes(lambda: fn(q, k, v), device)


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    import altair as alt

    out, p, row = ctx.results, ctx.params, ctx.row

    ctx.step("mixture of experts: total and active parameters from the modules")
    mixtral_config = read_config(ctx.data("analyses/modelstats/configs/mixtral-8x7b/config.json"))
    olmoe_config = read_config(HERE / "configs" / "olmoe-1b-7b.json")
    moe_rows = []
    for name, config, experts, active, published, published_active in (
            ("Mixtral 8x7B", mixtral_config, "num_local_experts", "num_experts_per_tok", "params_mixtral",
             "params_mixtral_active"),
            ("OLMoE-1B-7B", olmoe_config, "num_experts", "num_experts_per_tok", "params_olmoe", "params_olmoe_active")):
        counts = moe_parameters(build(config, name), config[experts], config[active])
        moe_rows.append({"model": name, "experts": config[experts], "active_experts": config[active],
                         "total": counts["total"], "active": counts["active"],
                         "active_share_pct": 100 * counts["active"] / counts["total"],
                         "published_total": row(published).value, "published_active": row(published_active).value})
        key = name.split()[0].split("-")[0].lower()
        out.value(f"{key}_total", counts["total"], "parameters", f"{name}: all parameters")
        out.value(f"{key}_active", counts["active"], "parameters", f"{name}: parameters used per token",
                  sources=(published_active,))
        out.value(f"{key}_active_pct", 100 * counts["active"] / counts["total"], "%",
                  f"{name}: share of parameters used per token")
    out.table("moe", moe_rows, "Mixture-of-experts models: all parameters against those used per token")

    ctx.step("attention's share of a 7B model's FLOPs and memory traffic, by context")
    llama_config = read_config(ctx.data("analyses/modelstats/configs/llama-2-7b/config.json"))
    # Rotary positions extend past the trained 4,096 tokens; on the meta device only shapes matter.
    llama = build({**llama_config, "max_position_embeddings": max(p["contexts"])}, "llama-2-7b")
    parameters = count_parameters(llama)
    curve = []
    for context in p["contexts"]:
        flops = flops_by_kind(llama, context)
        traffic = decode_traffic(llama_config, parameters, context)
        curve.append({"context": context, "attention_flops": flops["attention"], "other_flops": flops["other"],
                      "attention_flop_share_pct": 100 * flops["attention"] / (flops["attention"] + flops["other"]),
                      "kv_bytes": traffic["kv_cache"], "weight_bytes": traffic["weights"],
                      "kv_traffic_share_pct": 100 * traffic["kv_cache"] / (traffic["kv_cache"] + traffic["weights"])})
    out.table("attention_share", curve, "Llama 2 7B: attention's share of FLOPs (prefill) and of bytes read per "
              "decoded token (bf16), by context")
    # Where attention's FLOPs equal the rest: attention grows linearly in context, the rest is constant.
    slope = (curve[-1]["attention_flops"] - curve[0]["attention_flops"]) / (curve[-1]["context"] - curve[0]["context"])
    crossover = curve[0]["other_flops"] / slope
    out.value("flop_crossover_context", crossover, "tokens",
              "Context at which attention's FLOPs per token equal the rest of Llama 2 7B's (dense score matrix)")
    out.value("kv_crossover_context", parameters * 2 / (kv_cache_bytes(llama_config, 1)), "tokens",
              "Context at which reading the KV cache costs as many bytes as reading all the weights (bf16)")
    for context in (4096, 32768):
        c = next(r for r in curve if r["context"] == context)
        out.value(f"attention_flop_share_{context}", c["attention_flop_share_pct"], "%",
                  f"Attention's share of Llama 2 7B's FLOPs per token at {context:,} tokens")
        out.value(f"kv_traffic_share_{context}", c["kv_traffic_share_pct"], "%",
                  f"KV cache's share of bytes read per decoded token at {context:,} tokens")

    if ctx.measuring:  # timings and memory of this machine: recorded apart, with the machine
        benchmark(ctx)

    ctx.step("charts")
    long_curve = [{"context": c["context"], "share": c[k], "what": label} for c in curve
                  for k, label in (("attention_flop_share_pct", "attention's share of FLOPs (prefill)"),
                                   ("kv_traffic_share_pct", "KV cache's share of bytes read (decoding)"))]
    out.table("attention_share_long", long_curve, "Attention's shares by context, long format")
    share = alt.Chart(alt.Data(values=long_curve)).mark_line(point=True).encode(
        x=alt.X("context:Q", scale=alt.Scale(type="log", base=2), title="Context (tokens, log scale)",
                axis=alt.Axis(format="~s")),
        y=alt.Y("share:Q", title="Share (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("what:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["what:N", "context:Q", alt.Tooltip("share:Q", format=".1f")])
    c4k = next(r for r in curve if r["context"] == 4096)
    out.chart("attention_share", share.properties(width=540, height=260), "When attention dominates a 7B model",
              f"Lines of attention's share of Llama 2 7B's FLOPs per token and of the bytes read per decoded token, "
              f"by context. At 4,096 tokens attention is {c4k['attention_flop_share_pct']:.0f}% of FLOPs and the "
              f"KV cache {c4k['kv_traffic_share_pct']:.0f}% of bytes; attention's FLOPs overtake the rest near "
              f"{fmt(crossover)} tokens.", data="attention_share_long")


def benchmark(ctx) -> None:
    """Naive against fused attention on this machine: a table and a chart of measurements."""
    import altair as alt

    p = ctx.params
    ctx.step(f"benchmark: naive against fused attention on {ctx.device}")
    bench = []
    for head_dim in p["bench_head_dims"]:
        for length in p["bench_lengths"]:
            entry = {"length": length, "head_dim": head_dim, "heads": p["bench_heads"], "device": ctx.device}
            for kind in ("naive", "fused"):
                entry[f"{kind}_ms"] = 1e3 * time_attention(kind, length, head_dim, p["bench_heads"],
                                                           p["bench_repeats"], ctx.device)
                entry[f"{kind}_peak_mb"] = peak_memory(kind, length, head_dim, p["bench_heads"], ctx.device) / 1e6
            entry["speedup"] = entry["naive_ms"] / entry["fused_ms"]
            entry["score_matrix_mb"] = p["bench_heads"] * length * length * 4 / 1e6  # fp32 scores the fused kernel skips
            bench.append(entry)
    ctx.measurements.table("benchmark", bench, f"Naive against fused attention, medians of {p['bench_repeats']} runs")
    speed = alt.Chart(alt.Data(values=bench)).mark_line(point=True).encode(
        x=alt.X("length:Q", scale=alt.Scale(type="log", base=2), title="Sequence length (log scale)"),
        y=alt.Y("speedup:Q", title="Naive time ÷ fused time"),
        color=alt.Color("head_dim:N", title="head dim", legend=alt.Legend(orient="bottom")),
        tooltip=["length:Q", "head_dim:N", alt.Tooltip("naive_ms:Q", format=".2f"),
                 alt.Tooltip("fused_ms:Q", format=".2f"), alt.Tooltip("speedup:Q", format=".2f"),
                 alt.Tooltip("naive_peak_mb:Q", format=".0f"), alt.Tooltip("fused_peak_mb:Q", format=".0f")])
    ctx.measurements.chart("benchmark", speed.properties(width=540, height=240),
                           "Fused attention against naive attention",
                           f"Lines of how many times faster torch's fused scaled_dot_product_attention is than "
                           f"naive attention with materialised scores, on {ctx.device}, by sequence length and head size "
                           f"({p['bench_heads']} heads, medians of {p['bench_repeats']} runs).", data="benchmark")
