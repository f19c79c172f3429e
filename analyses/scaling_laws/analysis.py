"""The addendum's argument, tested: Chinchilla-optimal training, overtraining, and the shrinking of LLMs.

Uses laws.py (the parametric loss, its optimum, de Vries's overhead, the inference-aware
optimum) with Hoffmann et al.'s constants and with Besiroglu et al.'s replication, and
catalogued models (parameters, training tokens, MMLU, release month) to measure how
fast the smallest model that beats GPT-3 has shrunk.
"""

import math
import pathlib

import numpy as np
import yaml

from analyses._format import format_number as fmt
from analyses.scaling_laws.laws import Fit, inference_aware_size

# (census model id, label, parameters row, tokens row or None, MMLU row); release months come from census/models.yaml
MODELS = [
    ("gpt-3-175b", "GPT-3 175B", "params_gpt3", "gpt3_tokens", "mmlu_gpt3"),
    ("chinchilla-70b", "Chinchilla 70B", "params_chinchilla", "chinchilla_tokens", "mmlu_chinchilla"),
    ("llama-7b", "LLaMA 7B", "params_llama_7b", "llama1_small_tokens", "mmlu_llama_7b"),
    ("llama-13b", "LLaMA 13B", "params_llama_13b", "llama1_small_tokens", "mmlu_llama_13b"),
    ("llama-2-7b", "Llama 2 7B", "params_llama2_7b", "llama2_tokens", "mmlu_llama2_7b"),
    ("llama-2-13b", "Llama 2 13B", "params_llama2_13b", "llama2_tokens", "mmlu_llama2_13b"),
    ("llama-2-70b", "Llama 2 70B", "params_llama2_70b", "llama2_tokens", "mmlu_llama2_70b"),
    ("llama-3-8b", "Llama 3 8B", "params_llama3_8b", "llama3_tokens", "mmlu_llama3_8b"),
    ("llama-3-70b", "Llama 3 70B", "params_llama3_70b", "llama3_tokens", "mmlu_llama3_70b"),
    ("mistral-7b", "Mistral 7B", "params_mistral_7b", None, "mmlu_mistral_7b"),
    ("phi-3-mini", "Phi-3-mini", "params_phi3_mini", "phi3_mini_tokens", "mmlu_phi3_mini"),
    ("qwen2.5-0.5b", "Qwen2.5 0.5B", "params_qwen25_05b", "qwen25_tokens", None),
    ("qwen2.5-1.5b", "Qwen2.5 1.5B", "params_qwen25_15b", "qwen25_tokens", None),
    ("qwen2.5-3b", "Qwen2.5 3B", "params_qwen25_3b", "qwen25_tokens", None),
]


def fit_from_rows(row, prefix: str, name: str) -> Fit:
    return Fit(name, *(row(f"{prefix}_{c}").value for c in ("e", "a", "b", "alpha", "beta")))


def release_dates(models_yaml: pathlib.Path) -> dict[str, float]:
    """Census model id -> release as a decimal year (month midpoint), from census/models.yaml."""
    entries = yaml.safe_load(models_yaml.read_text())
    out = {}
    for e in entries:
        year, month = map(int, str(e["released"]).split("-")[:2])
        out[e["id"]] = year + (month - 0.5) / 12
    return out


def frontier(points: list[dict], threshold: float) -> list[dict]:
    """By date, the smallest model so far whose score beats ``threshold`` (each point must shrink the record)."""
    record, out = math.inf, []
    for p in sorted(points, key=lambda p: (p["year"], p["parameters"])):
        if p["mmlu"] > threshold and p["parameters"] < record:
            record = p["parameters"]
            out.append(p)
    return out


def shrink_rate(points: list[dict], resamples: int, seed: int) -> tuple[float, float, float]:
    """Least-squares slope of log10(parameters) on year, with a bootstrap 95% interval (orders of magnitude/year)."""
    years = np.array([p["year"] for p in points])
    logs = np.log10([p["parameters"] for p in points])
    slope = np.polyfit(years, logs, 1)[0]
    rng = np.random.default_rng(seed)
    slopes = []
    for _ in range(resamples):
        idx = rng.integers(0, len(points), len(points))
        if len(set(years[idx])) < 2:
            continue
        slopes.append(np.polyfit(years[idx], logs[idx], 1)[0])
    low, high = np.percentile(slopes, [2.5, 97.5])
    return float(slope), float(low), float(high)


def run(ctx) -> None:
    import altair as alt

    out, p, row = ctx.results, ctx.params, ctx.row
    fits = [fit_from_rows(row, "hoffmann", "Hoffmann et al. 2022"), fit_from_rows(row, "besiroglu",
                                                                               "Besiroglu et al. 2024")]

    ctx.step("compute-optimal frontier under both fits")
    frontier_rows = []
    for compute in np.logspace(20, 26, 25):
        for fit in fits:
            n, d = fit.optimal(compute)
            frontier_rows.append({"fit": fit.name, "compute": float(compute), "n_opt": n, "d_opt": d,
                                  "tokens_per_parameter": d / n})
    out.table("frontier", frontier_rows, "Compute-optimal parameters and tokens by training compute (C = 6ND)")
    for fit, key in zip(fits, ("hoffmann", "besiroglu"), strict=True):
        n, d = fit.optimal(5.76e23)
        out.value(f"{key}_tpp_at_chinchilla", d / n, "tokens/parameter",
                  f"{fit.name}: compute-optimal tokens per parameter at Chinchilla's budget (5.76e23 FLOPs)")
        out.value(f"{key}_nopt_at_chinchilla", n, "parameters", f"{fit.name}: compute-optimal size at 5.76e23 FLOPs")

    ctx.step("loss surface (Hoffmann et al.'s fit)")
    grid = p["loss_grid"]
    surface = [{"parameters": float(n), "tokens": float(d), "loss": fits[0].loss(n, d)}
               for n in np.logspace(8, 12, grid) for d in np.logspace(9, 14, grid)]
    out.table("loss_surface", surface, "Predicted loss over parameters and tokens (Hoffmann et al. 2022 fit)")

    ctx.step("overhead of smaller-than-optimal models (de Vries 2023)")
    overhead_rows = []
    for k in np.linspace(0.1, 1.0, 91):
        for fit in fits:
            o = fit.overhead(float(k))
            if math.isfinite(o) and o < 10:
                overhead_rows.append({"fit": fit.name, "size_fraction": float(k), "overhead_pct": 100 * o})
    out.table("overhead", overhead_rows, "Extra training compute for a model smaller than compute-optimal")
    for k in (0.5, 0.25):
        out.value(f"overhead_{int(k * 100)}", 100 * fits[0].overhead(k), "%",
                  f"Extra compute at {int(k * 100)}% of the compute-optimal size (Hoffmann fit)",
                  sources=(f"devries_overhead_{int(k * 100)}",))
    out.value("critical_size", 100 * fits[0].size_at_overhead(1.0), "%",
              "Model size (share of compute-optimal) at which the overhead reaches 100% (Hoffmann fit)",
              sources=("devries_critical_size",))

    ctx.step("where real models sit: tokens per parameter, compute, size relative to optimal")
    dates = release_dates(ctx.data("analyses/census/models.yaml"))
    model_rows = []
    for cid, label, params_id, tokens_id, mmlu_id in MODELS:
        n = row(params_id).value
        entry = {"model": label, "year": dates[cid], "parameters": n,
                 "mmlu": row(mmlu_id).value if mmlu_id else "", "mmlu_source": row(mmlu_id).url if mmlu_id else ""}
        if tokens_id:
            d = row(tokens_id).value
            n_opt, _ = fits[0].optimal(6 * n * d)
            overhead = fits[0].overhead(n / n_opt) if n < n_opt else 0.0
            # Below the critical size no amount of data reaches the optimum's loss: the overhead is unbounded.
            entry.update(tokens=d, tokens_per_parameter=d / n, size_vs_optimal=n / n_opt,
                         overhead_pct=100 * overhead if math.isfinite(overhead) else "unbounded")
        else:
            entry.update(tokens="", tokens_per_parameter="", size_vs_optimal="", overhead_pct="")
        model_rows.append(entry)
    out.table("models", model_rows, "Language models: size, training tokens, position against the optimum, MMLU")
    by = {r["model"]: r for r in model_rows}
    for label, key in (("GPT-3 175B", "gpt3"), ("Chinchilla 70B", "chinchilla"), ("Llama 3 8B", "llama3_8b"),
                       ("Qwen2.5 0.5B", "qwen25_05b")):
        out.value(f"tpp_{key}", by[label]["tokens_per_parameter"], "tokens/parameter",
                  f"{label}: training tokens per parameter")
    out.value("llama3_8b_size_vs_optimal", 100 * by["Llama 3 8B"]["size_vs_optimal"], "%",
              "Llama 3 8B's size as a share of the compute-optimal size for its training compute (Hoffmann fit)")

    ctx.step("inference-aware optimum (Sardana et al. 2024)")
    llama2 = by["Llama 2 7B"]
    target = fits[0].loss(llama2["parameters"], llama2["tokens"])
    sizes = list(np.logspace(8.5, 11, 600))
    sardana = []
    for tokens in p["inference_tokens"]:
        n, total = inference_aware_size(fits[0], target, tokens, sizes)
        sardana.append({"lifetime_inference_tokens": tokens, "optimal_parameters": n,
                        "training_tokens": fits[0].tokens_for_loss(n, target), "total_flops": total})
    out.table("inference_aware", sardana, "Size minimising training + inference FLOPs at Llama 2 7B's predicted loss")
    out.value("sardana_size_no_inference", sardana[0]["optimal_parameters"], "parameters",
              "Size minimising training FLOPs alone at Llama 2 7B's predicted loss")
    out.value("sardana_size_1e13", next(s for s in sardana if s["lifetime_inference_tokens"] == 1e13)[
              "optimal_parameters"], "parameters", "Size minimising training + 10 trillion tokens of inference")

    ctx.step("the shrinking: smallest model beating GPT-3 on MMLU, by date, with a bootstrap trend")
    # Models with a cited MMLU score (the Qwen2.5 small-model table could not be verified, so they have none).
    points = [{"model": r["model"], "year": r["year"], "parameters": r["parameters"], "mmlu": r["mmlu"]}
              for r in model_rows if r["mmlu"] != ""]
    gpt3 = row("mmlu_gpt3").value
    record = frontier(points, gpt3)
    out.table("frontier_mmlu", record, "Smallest model so far above GPT-3 175B's MMLU score")
    trend_points = [{"year": by["GPT-3 175B"]["year"], "parameters": by["GPT-3 175B"]["parameters"]}] + record
    slope, low, high = shrink_rate(trend_points, p["bootstrap"], ctx.seed)
    out.value("shrink_oom_per_year", -slope, "orders of magnitude/year",
              "How fast the smallest model matching GPT-3 on MMLU shrank (bootstrap 95% interval)",
              low=-high, high=-low)
    out.value("smallest_beating_gpt3", record[-1]["parameters"], "parameters",
              f"Smallest catalogued model above GPT-3's MMLU ({record[-1]['model']})")
    out.value("shrink_factor", by["GPT-3 175B"]["parameters"] / record[-1]["parameters"], "×",
              "GPT-3's parameters over the smallest catalogued model that beats it on MMLU")

    ctx.step("knowledge capacity and the remaining gap")
    bits = row("knowledge_bits_per_parameter").value
    out.value("knowledge_gb_7b", 7e9 * bits / 8 / 1e9, "GB", "Most knowledge a 7B model can store at 2 bits/parameter",
              sources=("knowledge_bits_per_parameter",))
    out.value("params_per_gb_knowledge", 8e9 / bits, "parameters",
              "Parameters needed to store one gigabyte (8e9 bits) of knowledge at 2 bits/parameter",
              sources=("knowledge_bits_per_parameter",))
    gap = [math.log10(row("addendum_llm_human_level").value / v) for v in row("addendum_vision_human_level").range]
    out.value("remaining_gap_oom", (gap[0] + gap[1]) / 2, "orders of magnitude",
              "The addendum's own sizes: 70B language against 1-10B vision/audio", low=min(gap), high=max(gap),
              sources=("addendum_llm_human_level", "addendum_vision_human_level"))
    small_gap = [math.log10(record[-1]["parameters"] / v) for v in row("addendum_vision_human_level").range]
    out.value("remaining_gap_small_oom", (small_gap[0] + small_gap[1]) / 2, "orders of magnitude",
              "Smallest model beating GPT-3 against 1-10B vision/audio", low=min(small_gap), high=max(small_gap))

    ctx.step("charts")
    # Ordinal axes over the log-spaced grid, labelled at four of its points in millions, billions, trillions.
    millions = ("datum.value >= 1e12 ? format(datum.value / 1e12, '.3~') + 'T' : datum.value >= 1e9 ? "
                "format(datum.value / 1e9, '.3~') + 'B' : format(datum.value / 1e6, '.3~') + 'M'")
    ticks = [0, grid // 3, 2 * grid // 3, grid - 1]
    n_grid, d_grid = sorted({r["parameters"] for r in surface}), sorted({r["tokens"] for r in surface})
    contour = alt.Chart(alt.Data(values=surface)).mark_rect().encode(
        x=alt.X("parameters:O", title="Parameters (log-spaced)",
                axis=alt.Axis(values=[n_grid[i] for i in ticks], labelExpr=millions, labelAngle=0)),
        y=alt.Y("tokens:O", sort="descending", title="Training tokens (log-spaced)",
                axis=alt.Axis(values=[d_grid[i] for i in ticks], labelExpr=millions)),
        color=alt.Color("loss:Q", scale=alt.Scale(scheme="viridis", reverse=True), title="loss (nats/token)"),
        tooltip=[alt.Tooltip("parameters:Q", format=".3~s"), alt.Tooltip("tokens:Q", format=".3~s"),
                 alt.Tooltip("loss:Q", format=".3f")])
    out.chart("loss_surface", contour.properties(width=440, height=360), "Chinchilla's loss surface",
              f"Heat map of predicted loss (Hoffmann et al. 2022 fit) over 10^8 to 10^12 parameters and 10^9 to "
              f"10^14 tokens: loss falls toward the floor E = {fits[0].E} as both grow.", data="loss_surface")
    over = alt.Chart(alt.Data(values=overhead_rows)).mark_line().encode(
        x=alt.X("size_fraction:Q", title="Model size as a share of compute-optimal", axis=alt.Axis(format="%")),
        y=alt.Y("overhead_pct:Q", title="Extra training compute (%)", scale=alt.Scale(type="symlog")),
        color=alt.Color("fit:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["fit:N", alt.Tooltip("size_fraction:Q", format=".0%"), alt.Tooltip("overhead_pct:Q", format=".0f")])
    out.chart("overhead", over.properties(width=520, height=260), "The price of a smaller model",
              f"Lines of extra training compute against model size for both fits: at half the compute-optimal "
              f"size it is {fits[0].overhead(0.5) * 100:.0f}% (Hoffmann fit); it reaches 100% near "
              f"{fits[0].size_at_overhead(1.0) * 100:.0f}% of the optimal size and grows without bound below.",
              data="overhead")
    tpp = [r for r in model_rows if r["tokens_per_parameter"] != ""]
    tpp_chart = alt.Chart(alt.Data(values=tpp)).mark_point(filled=True, size=90).encode(
        x=alt.X("year:Q", title="Release", scale=alt.Scale(zero=False), axis=alt.Axis(format="d")),
        y=alt.Y("tokens_per_parameter:Q", scale=alt.Scale(type="log"), title="Training tokens per parameter (log)"),
        tooltip=["model:N", alt.Tooltip("tokens_per_parameter:Q", format=".0f"),
                 alt.Tooltip("parameters:Q", format=".3~s")])
    twenty = alt.Chart(alt.Data(values=[{"y": row("chinchilla_tokens").value / row("params_chinchilla").value}])
                       ).mark_rule(strokeDash=[4, 3], color="gray").encode(y="y:Q")
    out.chart("tokens_per_parameter", (twenty + tpp_chart).properties(width=520, height=260),
              "Tokens per parameter over time",
              f"Log-scale dots of training tokens per parameter by release date; the dashed line is Chinchilla's "
              f"{row('chinchilla_tokens').value / row('params_chinchilla').value:.0f}. GPT-3 trained at "
              f"{by['GPT-3 175B']['tokens_per_parameter']:.1f}, Llama 3 8B at "
              f"{by['Llama 3 8B']['tokens_per_parameter']:.0f} and Qwen2.5 0.5B at "
              f"{by['Qwen2.5 0.5B']['tokens_per_parameter']:.0f}.", data="models")
    mmlu = alt.Chart(alt.Data(values=points)).mark_point(filled=True, size=80).encode(
        x=alt.X("year:Q", title="Release", scale=alt.Scale(zero=False), axis=alt.Axis(format="d")),
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("mmlu:Q", scale=alt.Scale(scheme="blues"), title="MMLU (%)"),
        tooltip=["model:N", alt.Tooltip("parameters:Q", format=".3~s"), "mmlu:Q"])
    line = alt.Chart(alt.Data(values=trend_points)).mark_line(color="#d62728", point=True).encode(
        x="year:Q", y="parameters:Q")
    out.table("mmlu_points", points, "Parameters, release date and MMLU of catalogued language models")
    out.chart("mmlu_frontier", (mmlu + line).properties(width=520, height=280),
              "The smallest model that beats GPT-3",
              f"Dots of models by release date and size, shaded by MMLU; the red line steps through the smallest "
              f"model so far above GPT-3's {gpt3}, from {fmt(by['GPT-3 175B']['parameters'])} parameters to "
              f"{fmt(record[-1]['parameters'])} ({record[-1]['model']}).", data="mmlu_points")
