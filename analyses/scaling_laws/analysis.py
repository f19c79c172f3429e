"""The addendum's argument, tested: Chinchilla-optimal training, overtraining, and the shrinking of LLMs.

Uses laws.py (the parametric loss, its optimum, de Vries's overhead, the inference-aware
optimum) with Hoffmann et al.'s constants and with Besiroglu et al.'s replication, and the
language models of language_models.yaml (parameters counted from their configs on the meta
device, training tokens, MMLU and a second benchmark from the makers' own reports, release
month) to measure how fast the smallest model that beats GPT-3 has shrunk.
"""

import dataclasses
import math
import pathlib

import numpy as np
import yaml

from analyses._explorable import Control, Output, explorable
from analyses._format import format_number as fmt
from analyses._style import MODALITY_COLOURS, NEUTRAL
from analyses.modelstats import CONFIGS
from analyses.modelstats.build import build, read_config
from analyses.modelstats.count import count_parameters
from analyses.scaling_laws.laws import Fit, inference_aware_size, overhead_pct

LANGUAGE_MODELS = "analyses/scaling_laws/language_models.yaml"
CHINCHILLA_COMPUTE = 5.76e23  # FLOPs: Chinchilla's own training budget (Hoffmann et al. 2022, Table 3)

# Each fit of the law: the prefix of its constants' catalog rows (and of its value keys), and its name on the page.
FITS = {"hoffmann": "Hoffmann et al. 2022", "besiroglu": "Besiroglu et al. 2024"}
DEVRIES_SIZES = (0.5, 0.25)  # de Vries's worked examples: models at half and a quarter of compute-optimal


# Value keys of the models whose tokens per parameter the page quotes, by id in language_models.yaml.
TPP_KEYS = {"gpt-3-175b": "tpp_gpt3", "chinchilla-70b": "tpp_chinchilla", "llama-3-8b": "tpp_llama3_8b",
            "qwen2.5-0.5b": "tpp_qwen25_05b"}

# The benchmark each record is kept on: MMLU, and a second one reported for most of the same models.
BENCHMARKS = {"mmlu": "MMLU", "second": "HellaSwag"}


@dataclasses.dataclass(frozen=True)
class LanguageModel:
    """One language model's counted size, cited figures and release date."""
    id: str                # id in language_models.yaml
    name: str
    variant: str           # "base" (pretrained) or "instruct" (tuned): the two are kept apart
    year: float            # release as a decimal year (month midpoint)
    parameters: float      # counted on the meta device from its census config
    tokens: float | None   # training tokens; None where not published
    mmlu: float | None     # MMLU 5-shot (%), as its makers report it; None where they report none
    mmlu_source: str       # "" where no score is cited
    second: float | None   # the second benchmark (BENCHMARKS), as its makers report it
    contamination: str     # what the makers say about benchmark decontamination, or where nothing was found

    @property
    def tokens_per_parameter(self) -> float:
        return self.tokens / self.parameters


@dataclasses.dataclass(frozen=True)
class InferenceAware:
    """Sardana et al. (2024): the size minimising training plus inference FLOPs at a fixed loss."""
    lifetime_inference_tokens: float
    optimal_parameters: float
    training_tokens: float
    total_flops: float


@dataclasses.dataclass(frozen=True)
class Shrinking:
    """The smallest model beating GPT-3 on a benchmark over time, and the trend through it."""
    record: list[dict]   # by date, each new smallest model above GPT-3's score
    trend: list[dict]    # GPT-3, then the record: the points the line is fitted through
    slope: float         # orders of magnitude a year (negative: shrinking)
    low: float           # bootstrap 95% interval of the slope
    high: float


@dataclasses.dataclass(frozen=True)
class Knowledge:
    """Allen-Zhu & Li's knowledge capacity, and the addendum's remaining gap between language and vision/audio."""
    gb_in_7b: float              # most knowledge a 7B model can store, in GB
    params_per_gb: float         # parameters needed to store one GB of knowledge
    gap_oom: list[float]         # orders of magnitude: the addendum's language size over each end of vision/audio's
    small_gap_oom: list[float]   # the same from the smallest model beating GPT-3


# ---------------------------------------------------------------- load inputs

def fit_from_rows(row, prefix: str, name: str) -> Fit:
    return Fit(name, *(row(f"{prefix}_{c}").value for c in ("e", "a", "b", "alpha", "beta")))


def release_dates(census_yaml: pathlib.Path) -> dict[str, float]:
    """Census model id -> release as a decimal year (month midpoint), from census/models.yaml."""
    out = {}
    for e in yaml.safe_load(census_yaml.read_text()):
        year, month = map(int, str(e["released"]).split("-")[:2])
        out[e["id"]] = year + (month - 0.5) / 12
    return out


def counted_parameters(census_yaml: pathlib.Path, ids: set[str]) -> dict[str, int]:
    """Census model id -> parameters counted on the meta device from its config, as the census counts them
    (marketing names round: "1.8B" is 1.84B, "0.5B" 0.49B)."""
    counts = {}
    for entry in yaml.safe_load(census_yaml.read_text()):
        if entry["id"] in ids:
            model = entry["components"]["model"]
            counts[entry["id"]] = count_parameters(build(read_config(CONFIGS / model["config"]), entry["id"],
                                                         model["class"]))
    return counts


def load_models(row, entries: list[dict], dates: dict[str, float], counts: dict[str, int]) -> list[LanguageModel]:
    """The entries of language_models.yaml with their cited figures (``row``: the catalog lookup), release
    dates and counted sizes."""
    def value(row_id: str | None) -> float | None:
        return row(row_id).value if row_id else None

    # A model whose makers never released a config (Chinchilla) keeps its published size: the census's config
    # rebuilt from its paper misses it (see the census page).
    return [LanguageModel(id=e["id"], name=e["name"], variant=e["variant"], year=dates[e["census"]],
                          parameters=value(e.get("parameters")) or counts[e["census"]], tokens=value(e.get("tokens")),
                          mmlu=value(e.get("mmlu")),
                          mmlu_source=row(e["mmlu"]).url if e.get("mmlu") else "", second=value(e.get("second")),
                          contamination=e.get("contamination", ""))
            for e in entries]


# ---------------------------------------------------------------- process

def optimal_frontier(fits: list[Fit], budgets) -> list[dict]:
    """Compute-optimal parameters and tokens at each training budget (FLOPs), under each fit."""
    rows = []
    for compute in budgets:
        for fit in fits:
            n, d = fit.optimal(compute)
            rows.append({"fit": fit.name, "compute": float(compute), "n_opt": n, "d_opt": d,
                         "tokens_per_parameter": d / n})
    return rows


def loss_surface(fit: Fit, grid: int) -> list[dict]:
    """Predicted loss on a log grid of 10^8 to 10^12 parameters by 10^9 to 10^14 tokens."""
    return [{"parameters": float(n), "tokens": float(d), "loss": fit.loss(n, d)}
            for n in np.logspace(8, 12, grid) for d in np.logspace(9, 14, grid)]


def overhead_curves(fits: list[Fit]) -> list[dict]:
    """De Vries's overhead (%) at 10% to 100% of the compute-optimal size; cut at 1000% (it grows without bound)."""
    rows = []
    for k in np.linspace(0.1, 1.0, 91):
        for fit in fits:
            o = fit.overhead(float(k))
            if math.isfinite(o) and o < 10:
                rows.append({"fit": fit.name, "size_fraction": float(k), "overhead_pct": 100 * o})
    return rows


def against_optimum(fit: Fit, n: float, d: float) -> tuple[float, float | str]:
    """A model of n parameters trained on d tokens: its size as a share of the compute-optimal size for its
    compute (6ND), and the extra compute (%) it pays to reach the optimum's loss."""
    n_opt, _ = fit.optimal(6 * n * d)
    overhead = fit.overhead(n / n_opt) if n < n_opt else 0.0
    # Below the critical size no amount of data reaches the optimum's loss: the overhead is unbounded.
    return n / n_opt, 100 * overhead if math.isfinite(overhead) else "unbounded"


def models_table(models: list[LanguageModel], fit: Fit) -> list[dict]:
    """The models table; a figure that is not published is a blank cell."""
    rows = []
    for m in models:
        entry = {"model": m.name, "year": m.year, "parameters": m.parameters,
                 "mmlu": "" if m.mmlu is None else m.mmlu, "mmlu_source": m.mmlu_source}
        if m.tokens is None:
            entry.update(tokens="", tokens_per_parameter="", size_vs_optimal="", overhead_pct="")
        else:
            size_vs_optimal, overhead_pct = against_optimum(fit, m.parameters, m.tokens)
            entry.update(tokens=m.tokens, tokens_per_parameter=m.tokens_per_parameter,
                         size_vs_optimal=size_vs_optimal, overhead_pct=overhead_pct)
        rows.append(entry)
    return rows


def inference_aware(fit: Fit, target: float, lifetime_tokens: list[float]) -> list[InferenceAware]:
    """For each lifetime of inference tokens, the size cheapest overall at loss ``target``."""
    sizes = list(np.logspace(8.5, 11, 600))
    rows = []
    for tokens in lifetime_tokens:
        n, total = inference_aware_size(fit, target, tokens, sizes)
        rows.append(InferenceAware(lifetime_inference_tokens=tokens, optimal_parameters=n,
                                   training_tokens=fit.tokens_for_loss(n, target), total_flops=total))
    return rows


def frontier(points: list[dict], threshold: float, benchmark: str = "mmlu") -> list[dict]:
    """By date, the smallest model so far whose ``benchmark`` score beats ``threshold`` (each point must shrink
    the record; of two models of one month the smaller comes first)."""
    record, out = math.inf, []
    for p in sorted(points, key=lambda p: (p["year"], p["parameters"])):
        if p[benchmark] != "" and p[benchmark] > threshold and p["parameters"] < record:
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


def model_points(models: list[LanguageModel]) -> list[dict]:
    """One row per model with a score on either benchmark: what the records are drawn from."""
    return [{"model": m.name, "variant": m.variant, "year": m.year, "parameters": m.parameters,
             "mmlu": "" if m.mmlu is None else m.mmlu, "second": "" if m.second is None else m.second,
             "tokens_per_parameter": "" if m.tokens is None else m.tokens_per_parameter,
             "contamination": m.contamination, "mmlu_source": m.mmlu_source}
            for m in models if m.mmlu is not None or m.second is not None]


def shrinking(points: list[dict], gpt3: LanguageModel, benchmark: str, resamples: int, seed: int) -> Shrinking:
    """The record of the smallest model above GPT-3's score on ``benchmark``, and how fast it fell (bootstrap
    trend through GPT-3 and the record)."""
    record = frontier(points, getattr(gpt3, benchmark), benchmark)
    trend = [{"year": gpt3.year, "parameters": gpt3.parameters}] + record
    slope, low, high = shrink_rate(trend, resamples, seed)
    return Shrinking(record=record, trend=trend, slope=slope, low=low, high=high)


def on_record(point: dict, shrinks: dict[str, Shrinking]) -> str:
    """Which records a model is on ("all, base"), or ""."""
    return ", ".join(name for name, shrink in shrinks.items() if any(r is point for r in shrink.record))


def knowledge(bits_per_parameter: float, llm_size: float, vision_sizes: tuple[float, float],
              smallest: float) -> Knowledge:
    """How much a model can know, and how far language sizes sit above the 1-10B of human-level vision/audio."""
    return Knowledge(gb_in_7b=7e9 * bits_per_parameter / 8 / 1e9, params_per_gb=8e9 / bits_per_parameter,
                     gap_oom=[math.log10(llm_size / v) for v in vision_sizes],
                     small_gap_oom=[math.log10(smallest / v) for v in vision_sizes])


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    out, p, row = ctx.results, ctx.params, ctx.row
    fits = [fit_from_rows(row, prefix, name) for prefix, name in FITS.items()]
    hoffmann = fits[0]

    ctx.step("compute-optimal frontier under both fits")
    out.table("frontier", optimal_frontier(fits, np.logspace(20, 26, 25)),
              "Compute-optimal parameters and tokens by training compute (C = 6ND)")

    ctx.step("loss surface (Hoffmann et al.'s fit)")
    surface = loss_surface(hoffmann, p["loss_grid"])
    out.table("loss_surface", surface, "Predicted loss over parameters and tokens (Hoffmann et al. 2022 fit)")

    ctx.step("overhead of smaller-than-optimal models (de Vries 2023)")
    overheads = overhead_curves(fits)
    out.table("overhead", overheads, "Extra training compute for a model smaller than compute-optimal")

    ctx.step("the language models: sizes counted from their configs on the meta device, figures from the catalog")
    census_yaml = ctx.data("analyses/census/models.yaml")
    entries = yaml.safe_load(ctx.data(LANGUAGE_MODELS).read_text())
    models = load_models(row, entries, release_dates(census_yaml),
                         counted_parameters(census_yaml, {e["census"] for e in entries}))
    by_id = {m.id: m for m in models}

    ctx.step("where real models sit: tokens per parameter, compute, size relative to optimal")
    # A tuned model trained on its base's tokens: the table keeps the base models.
    model_rows = models_table([m for m in models if m.variant == "base"], hoffmann)
    out.table("models", model_rows, "Pretrained language models: size, training tokens, position against the optimum, MMLU")

    ctx.step("inference-aware optimum (Sardana et al. 2024)")
    llama2 = by_id["llama-2-7b"]
    sardana = inference_aware(hoffmann, hoffmann.loss(llama2.parameters, llama2.tokens), p["inference_tokens"])
    out.table("inference_aware", [dataclasses.asdict(s) for s in sardana],
              "Size minimising training + inference FLOPs at Llama 2 7B's predicted loss")

    ctx.step("the shrinking: smallest model beating GPT-3, by date, on MMLU (all and base models) and on a second "
             "benchmark, with bootstrap trends")
    points, gpt3 = model_points(models), by_id["gpt-3-175b"]
    shrinks = {"all": shrinking(points, gpt3, "mmlu", p["bootstrap"], ctx.seed),
               "base": shrinking([q for q in points if q["variant"] == "base"], gpt3, "mmlu", p["bootstrap"], ctx.seed),
               "second": shrinking(points, gpt3, "second", p["bootstrap"], ctx.seed)}
    out.table("frontier_mmlu", shrinks["all"].record, "Smallest model so far above GPT-3 175B's MMLU score")
    out.table("frontier_mmlu_base", shrinks["base"].record,
              "Smallest pretrained (base) model so far above GPT-3 175B's MMLU score")
    out.table("frontier_second", shrinks["second"].record,
              f"Smallest model so far above GPT-3 175B's {BENCHMARKS['second']} score")
    out.table("mmlu_points", [{**q, "on_record": on_record(q, shrinks)} for q in points],
              "Every language model considered: size, release, scores as their makers report them")

    ctx.step("knowledge capacity and the remaining gap")
    know = knowledge(row("knowledge_bits_per_parameter").value, row("addendum_llm_human_level").value,
                     row("addendum_vision_human_level").range, shrinks["all"].record[-1]["parameters"])

    ctx.step("values for the prose")
    _values(out, fits, by_id, sardana, shrinks, know)

    ctx.step("charts")
    _charts(ctx, fits, surface, overheads, model_rows, by_id, points, shrinks)


def _values(out, fits: list[Fit], by_id: dict[str, LanguageModel], sardana: list[InferenceAware],
            shrinks: dict[str, Shrinking], know: Knowledge) -> None:
    """Every value the page quotes."""
    hoffmann = fits[0]
    for fit, prefix in zip(fits, FITS, strict=True):
        n, d = fit.optimal(CHINCHILLA_COMPUTE)
        out.value(f"{prefix}_tpp_at_chinchilla", d / n, "tokens/parameter",
                  f"{fit.name}: compute-optimal tokens per parameter at Chinchilla's budget (5.76e23 FLOPs)")
        out.value(f"{prefix}_nopt_at_chinchilla", n, "parameters", f"{fit.name}: compute-optimal size at 5.76e23 FLOPs")

    for key, size, source in (("overhead_50", DEVRIES_SIZES[0], "devries_overhead_50"),
                              ("overhead_25", DEVRIES_SIZES[1], "devries_overhead_25")):
        out.value(key, 100 * hoffmann.overhead(size), "%",
                  f"Extra compute at {size:.0%} of the compute-optimal size (Hoffmann fit)", sources=(source,))
    out.value("critical_size", 100 * hoffmann.size_at_overhead(1.0), "%",
              "Model size (share of compute-optimal) at which the overhead reaches 100% (Hoffmann fit)",
              sources=("devries_critical_size",))

    for census_id, key in TPP_KEYS.items():
        m = by_id[census_id]
        out.value(key, m.tokens_per_parameter, "tokens/parameter", f"{m.name}: training tokens per parameter")
    llama3 = by_id["llama-3-8b"]
    out.value("llama3_8b_size_vs_optimal", 100 * against_optimum(hoffmann, llama3.parameters, llama3.tokens)[0], "%",
              "Llama 3 8B's size as a share of the compute-optimal size for its training compute (Hoffmann fit)")

    out.value("sardana_size_no_inference", sardana[0].optimal_parameters, "parameters",
              "Size minimising training FLOPs alone at Llama 2 7B's predicted loss")
    out.value("sardana_size_1e13", next(s for s in sardana if s.lifetime_inference_tokens == 1e13).optimal_parameters,
              "parameters", "Size minimising training + 10 trillion tokens of inference")

    gpt3 = by_id["gpt-3-175b"]
    for suffix, key, which in (("", "all", "model"), ("_base", "base", "pretrained (base) model"),
                               ("_second", "second", "model")):
        shrink, benchmark = shrinks[key], BENCHMARKS["second" if key == "second" else "mmlu"]
        smallest = shrink.record[-1]
        if len(shrink.record) > 1:  # a line through GPT-3 and one model has no interval to speak of
            out.value(f"shrink_oom_per_year{suffix}", -shrink.slope, "orders of magnitude/year",
                      f"How fast the smallest {which} beating GPT-3 on {benchmark} shrank (bootstrap 95% interval)",
                      low=-shrink.high, high=-shrink.low)
        out.value(f"smallest_beating_gpt3{suffix}", smallest["parameters"], "parameters",
                  f"Smallest {which} above GPT-3's {benchmark} score ({smallest['model']}, {smallest['variant']})")
        out.value(f"shrink_factor{suffix}", gpt3.parameters / smallest["parameters"], "×",
                  f"GPT-3's parameters over the smallest {which} that beats it on {benchmark}")
        if smallest["tokens_per_parameter"] != "":
            out.value(f"smallest_tpp{suffix}", smallest["tokens_per_parameter"], "tokens/parameter",
                      f"Training tokens per parameter of {smallest['model']}")

    out.value("knowledge_gb_7b", know.gb_in_7b, "GB", "Most knowledge a 7B model can store at 2 bits/parameter",
              sources=("knowledge_bits_per_parameter",))
    out.value("params_per_gb_knowledge", know.params_per_gb, "parameters",
              "Parameters needed to store one gigabyte (8e9 bits) of knowledge at 2 bits/parameter",
              sources=("knowledge_bits_per_parameter",))
    gap, small_gap = know.gap_oom, know.small_gap_oom
    out.value("remaining_gap_oom", (gap[0] + gap[1]) / 2, "orders of magnitude",
              "The addendum's own sizes: 70B language against 1-10B vision/audio", low=min(gap), high=max(gap),
              sources=("addendum_llm_human_level", "addendum_vision_human_level"))
    out.value("remaining_gap_small_oom", (small_gap[0] + small_gap[1]) / 2, "orders of magnitude",
              "Smallest model beating GPT-3 against 1-10B vision/audio", low=min(small_gap), high=max(small_gap))

def _charts(ctx, fits: list[Fit], surface: list[dict], overheads: list[dict], model_rows: list[dict],
            by_id: dict[str, LanguageModel], points: list[dict], shrinks: dict[str, Shrinking]) -> None:
    import altair as alt

    out, grid, hoffmann = ctx.results, ctx.params["loss_grid"], fits[0]
    gpt3, chinchilla = by_id["gpt-3-175b"], by_id["chinchilla-70b"]

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
              f"10^14 tokens: loss falls toward the floor E = {hoffmann.E} as both grow.", data="loss_surface")

    over = alt.Chart(alt.Data(values=overheads)).mark_line().encode(
        # Fixed domains: the reader's point leaves the chart when its overhead is unbounded.
        x=alt.X("size_fraction:Q", title="Model size as a share of compute-optimal", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0.1, 1])),
        y=alt.Y("overhead_pct:Q", title="Extra training compute (%)", scale=alt.Scale(type="symlog", domain=[0, 1000])),
        color=alt.Color("fit:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["fit:N", alt.Tooltip("size_fraction:Q", format=".0%"), alt.Tooltip("overhead_pct:Q", format=".0f")])
    out.chart("overhead", _explorable_overhead(alt, over, fits).properties(width=520, height=260),
              "The price of a smaller model",
              f"Lines of extra training compute against model size for both fits: at half the compute-optimal "
              f"size it is {hoffmann.overhead(0.5) * 100:.0f}% (Hoffmann fit); it reaches 100% near "
              f"{hoffmann.size_at_overhead(1.0) * 100:.0f}% of the optimal size and grows without bound below. "
              "The black point follows the reader's size and fit (controls below the chart).", data="overhead")

    tpp = [r for r in model_rows if r["tokens_per_parameter"] != ""]
    tpp_chart = alt.Chart(alt.Data(values=tpp)).mark_point(filled=True, size=90).encode(
        x=alt.X("year:Q", title="Release", scale=alt.Scale(zero=False), axis=alt.Axis(format="d")),
        y=alt.Y("tokens_per_parameter:Q", scale=alt.Scale(type="log"), title="Training tokens per parameter (log)"),
        tooltip=["model:N", alt.Tooltip("tokens_per_parameter:Q", format=".0f"),
                 alt.Tooltip("parameters:Q", format=".3~s")])
    twenty = alt.Chart(alt.Data(values=[{"y": chinchilla.tokens_per_parameter}])
                       ).mark_rule(strokeDash=[4, 3], color="gray").encode(y="y:Q")
    out.chart("tokens_per_parameter", (twenty + tpp_chart).properties(width=520, height=260),
              "Tokens per parameter over time",
              f"Log-scale dots of training tokens per parameter by release date; the dashed line is Chinchilla's "
              f"{chinchilla.tokens_per_parameter:.0f}. GPT-3 trained at {gpt3.tokens_per_parameter:.1f}, Llama 3 8B "
              f"at {by_id['llama-3-8b'].tokens_per_parameter:.0f} and Qwen2.5 0.5B at "
              f"{by_id['qwen2.5-0.5b'].tokens_per_parameter:.0f}.", data="models")

    smallest, base = shrinks["all"].record[-1], shrinks["base"].record[-1]
    out.chart("mmlu_frontier", _record_chart(points, shrinks, "mmlu", gpt3.mmlu, {"all": "all models", "base": "base models"}),
              "The smallest model that beats GPT-3",
              f"Dots of language models by release date and size, red where their makers report an MMLU score above "
              f"GPT-3's {gpt3.mmlu}, round for base models and triangles for tuned ones. The solid line steps through "
              f"the smallest model so far above it, from {fmt(gpt3.parameters)} parameters to "
              f"{fmt(smallest['parameters'])} ({smallest['model']}); the dashed line counts base models only and ends "
              f"at {fmt(base['parameters'])} ({base['model']}).", data="mmlu_points")
    second = shrinks["second"].record[-1]
    out.chart("second_frontier", _record_chart(points, shrinks, "second", gpt3.second, {"second": "all models"}),
              f"The same record on {BENCHMARKS['second']}",
              f"Dots of language models by release date and size, red where their makers report an "
              f"{BENCHMARKS['second']} score above GPT-3's {gpt3.second}; the line steps through the smallest model "
              f"so far above it, down to {fmt(second['parameters'])} ({second['model']}).", data="mmlu_points")


def _explorable_overhead(alt, lines, fits: list[Fit]):
    """The reader picks a size (as a share of compute-optimal) and a fit; a point marks the overhead."""
    fit_constants = {f.name: {"alpha": f.alpha, "beta": f.beta} for f in fits}
    half, quarter = (100 * size for size in DEVRIES_SIZES)
    controls = [
        Control("size_pct", "Model size, share of compute-optimal", "%", half,
                f"de Vries's worked examples, {half:g}% and {quarter:g}% of the optimal size", cited=(quarter, half),
                slider=(10, 100, 1)),
        Control("fit", "Scaling-law fit", "", fits[0].name, "Hoffmann et al.'s fit, as in de Vries's post",
                options={f.name: f.name for f in fits}),
    ]
    reader = alt.Chart(alt.Data(values=[{}])).transform_calculate(
        size_fraction="size_pct / 100", overhead_pct="overhead").transform_filter("isFinite(datum.overhead_pct)")
    label = "format(datum.overhead_pct, '.3~r') + '% more compute'"
    layers = (lines + reader.mark_point(filled=True, size=80, color="black").encode(x="size_fraction:Q", y="overhead_pct:Q")
              + reader.transform_calculate(label=label).mark_text(align="left", dx=8, dy=-8, fontWeight="bold")
              .encode(x="size_fraction:Q", y="overhead_pct:Q", text="label:N"))
    outputs = [Output("overhead", overhead_pct, "%", "Extra training compute", "overhead_50")]
    return explorable(layers, controls, {"fits": fit_constants}, outputs)


def _record_chart(points: list[dict], shrinks: dict[str, Shrinking], benchmark: str, threshold: float,
                  records: dict[str, str]):
    """Models as dots (red above GPT-3's score, grey not; shape by variant) and each record as a stepped line."""
    import altair as alt

    title = BENCHMARKS[benchmark]
    # Tuned models first, so that a base model of the same size and month is drawn over its tuned twin.
    scored = sorted(({**q, "against GPT-3": "above" if q[benchmark] > threshold else "not above"}
                     for q in points if q[benchmark] != ""), key=lambda q: q["variant"] != "instruct")
    x = alt.X("year:Q", title="Release", scale=alt.Scale(zero=False), axis=alt.Axis(format="d"))
    y = alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (counted, log scale)",
              axis=alt.Axis(format="~s"))
    dots = alt.Chart(alt.Data(values=scored)).mark_point(filled=True, size=60, opacity=0.8).encode(
        x=x, y=y, shape=alt.Shape("variant:N", title="variant", scale=alt.Scale(domain=["base", "instruct"],
                                                                           range=["circle", "triangle-up"])),
        color=alt.Color("against GPT-3:N", scale=alt.Scale(domain=["above", "not above"],
                                                           range=[MODALITY_COLOURS["language"], NEUTRAL])),
        tooltip=["model:N", "variant:N", alt.Tooltip("parameters:Q", format=".3~s"),
                 alt.Tooltip(f"{benchmark}:Q", title=title)])
    trend = [{**t, "record": label} for key, label in records.items() for t in shrinks[key].trend]
    # The record is a line of language models: the site's language red (analyses/_style.py).
    lines = alt.Chart(alt.Data(values=trend)).mark_line(color=MODALITY_COLOURS["language"], interpolate="step-after"
                                                        ).encode(x=x, y=y, strokeDash=alt.StrokeDash("record:N"))
    return (lines + dots).properties(width=520, height=300)
