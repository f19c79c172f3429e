"""The addendum's argument, tested: Chinchilla-optimal training, overtraining, and the shrinking of LLMs.

Uses laws.py (the parametric loss, its optimum, de Vries's overhead, the inference-aware
optimum) with Hoffmann et al.'s constants and with Besiroglu et al.'s replication, and
catalogued models (parameters, training tokens, MMLU, release month) to measure how
fast the smallest model that beats GPT-3 has shrunk.
"""

import dataclasses
import math
import pathlib

import numpy as np
import yaml

from analyses._format import format_number as fmt
from analyses._style import MODALITY_COLOURS
from analyses.scaling_laws.laws import Fit, inference_aware_size

CHINCHILLA_COMPUTE = 5.76e23  # FLOPs: Chinchilla's own training budget (Hoffmann et al. 2022, Table 3)

# Each fit of the law: the prefix of its constants' catalog rows (and of its value keys), and its name on the page.
FITS = {"hoffmann": "Hoffmann et al. 2022", "besiroglu": "Besiroglu et al. 2024"}


@dataclasses.dataclass(frozen=True)
class CatalogModel:
    """Where one language model's figures are: its census id (for the release month) and its catalog rows."""
    census_id: str
    name: str
    params_row: str
    tokens_row: str | None  # None: training tokens not published
    mmlu_row: str | None    # None: no MMLU score we could verify


MODELS = [
    CatalogModel("gpt-3-175b", "GPT-3 175B", "params_gpt3", "gpt3_tokens", "mmlu_gpt3"),
    CatalogModel("chinchilla-70b", "Chinchilla 70B", "params_chinchilla", "chinchilla_tokens", "mmlu_chinchilla"),
    CatalogModel("llama-7b", "LLaMA 7B", "params_llama_7b", "llama1_small_tokens", "mmlu_llama_7b"),
    CatalogModel("llama-13b", "LLaMA 13B", "params_llama_13b", "llama1_small_tokens", "mmlu_llama_13b"),
    CatalogModel("llama-2-7b", "Llama 2 7B", "params_llama2_7b", "llama2_tokens", "mmlu_llama2_7b"),
    CatalogModel("llama-2-13b", "Llama 2 13B", "params_llama2_13b", "llama2_tokens", "mmlu_llama2_13b"),
    CatalogModel("llama-2-70b", "Llama 2 70B", "params_llama2_70b", "llama2_tokens", "mmlu_llama2_70b"),
    CatalogModel("llama-3-8b", "Llama 3 8B", "params_llama3_8b", "llama3_tokens", "mmlu_llama3_8b"),
    CatalogModel("llama-3-70b", "Llama 3 70B", "params_llama3_70b", "llama3_tokens", "mmlu_llama3_70b"),
    CatalogModel("mistral-7b", "Mistral 7B", "params_mistral_7b", None, "mmlu_mistral_7b"),
    CatalogModel("phi-3-mini", "Phi-3-mini", "params_phi3_mini", "phi3_mini_tokens", "mmlu_phi3_mini"),
    # The Qwen2.5 small-model MMLU table could not be verified, so these have no score.
    CatalogModel("qwen2.5-0.5b", "Qwen2.5 0.5B", "params_qwen25_05b", "qwen25_tokens", None),
    CatalogModel("qwen2.5-1.5b", "Qwen2.5 1.5B", "params_qwen25_15b", "qwen25_tokens", None),
    CatalogModel("qwen2.5-3b", "Qwen2.5 3B", "params_qwen25_3b", "qwen25_tokens", None),
]

# Value keys of the models whose tokens per parameter the page quotes, by census id.
TPP_KEYS = {"gpt-3-175b": "tpp_gpt3", "chinchilla-70b": "tpp_chinchilla", "llama-3-8b": "tpp_llama3_8b",
            "qwen2.5-0.5b": "tpp_qwen25_05b"}


@dataclasses.dataclass(frozen=True)
class LanguageModel:
    """One language model's cited figures and its release date."""
    id: str                # census id
    name: str
    year: float            # release as a decimal year (month midpoint)
    parameters: float
    tokens: float | None   # training tokens; None where not published
    mmlu: float | None     # MMLU (%); None where no score is cited
    mmlu_source: str       # "" where no score is cited

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
    """The smallest model beating GPT-3 on MMLU over time, and the trend through it."""
    points: list[dict]   # models with a cited MMLU score: model, year, parameters, mmlu
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


def release_dates(models_yaml: pathlib.Path) -> dict[str, float]:
    """Census model id -> release as a decimal year (month midpoint), from census/models.yaml."""
    entries = yaml.safe_load(models_yaml.read_text())
    out = {}
    for e in entries:
        year, month = map(int, str(e["released"]).split("-")[:2])
        out[e["id"]] = year + (month - 0.5) / 12
    return out


def load_models(row, dates: dict[str, float]) -> list[LanguageModel]:
    """MODELS with their cited figures (``row``: the catalog lookup) and release dates."""
    return [LanguageModel(id=m.census_id, name=m.name, year=dates[m.census_id], parameters=row(m.params_row).value,
                          tokens=row(m.tokens_row).value if m.tokens_row else None,
                          mmlu=row(m.mmlu_row).value if m.mmlu_row else None,
                          mmlu_source=row(m.mmlu_row).url if m.mmlu_row else "")
            for m in MODELS]


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


def shrinking(models: list[LanguageModel], gpt3: LanguageModel, resamples: int, seed: int) -> Shrinking:
    """The record of the smallest model above GPT-3's MMLU, and how fast it fell (bootstrap trend)."""
    points = [{"model": m.name, "year": m.year, "parameters": m.parameters, "mmlu": m.mmlu}
              for m in models if m.mmlu is not None]
    record = frontier(points, gpt3.mmlu)
    trend = [{"year": gpt3.year, "parameters": gpt3.parameters}] + record
    slope, low, high = shrink_rate(trend, resamples, seed)
    return Shrinking(points=points, record=record, trend=trend, slope=slope, low=low, high=high)


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

    ctx.step("where real models sit: tokens per parameter, compute, size relative to optimal")
    models = load_models(row, release_dates(ctx.data("analyses/census/models.yaml")))
    by_id = {m.id: m for m in models}
    model_rows = models_table(models, hoffmann)
    out.table("models", model_rows, "Language models: size, training tokens, position against the optimum, MMLU")

    ctx.step("inference-aware optimum (Sardana et al. 2024)")
    llama2 = by_id["llama-2-7b"]
    sardana = inference_aware(hoffmann, hoffmann.loss(llama2.parameters, llama2.tokens), p["inference_tokens"])
    out.table("inference_aware", [dataclasses.asdict(s) for s in sardana],
              "Size minimising training + inference FLOPs at Llama 2 7B's predicted loss")

    ctx.step("the shrinking: smallest model beating GPT-3 on MMLU, by date, with a bootstrap trend")
    shrink = shrinking(models, by_id["gpt-3-175b"], p["bootstrap"], ctx.seed)
    out.table("frontier_mmlu", shrink.record, "Smallest model so far above GPT-3 175B's MMLU score")
    out.table("mmlu_points", shrink.points, "Parameters, release date and MMLU of catalogued language models")

    ctx.step("knowledge capacity and the remaining gap")
    know = knowledge(row("knowledge_bits_per_parameter").value, row("addendum_llm_human_level").value,
                     row("addendum_vision_human_level").range, shrink.record[-1]["parameters"])

    ctx.step("values for the prose")
    _values(out, fits, by_id, sardana, shrink, know)

    ctx.step("charts")
    _charts(ctx, hoffmann, surface, overheads, model_rows, by_id, shrink)


def _values(out, fits: list[Fit], by_id: dict[str, LanguageModel], sardana: list[InferenceAware],
            shrink: Shrinking, know: Knowledge) -> None:
    """Every value the page quotes."""
    hoffmann = fits[0]
    for fit, prefix in zip(fits, FITS, strict=True):
        n, d = fit.optimal(CHINCHILLA_COMPUTE)
        out.value(f"{prefix}_tpp_at_chinchilla", d / n, "tokens/parameter",
                  f"{fit.name}: compute-optimal tokens per parameter at Chinchilla's budget (5.76e23 FLOPs)")
        out.value(f"{prefix}_nopt_at_chinchilla", n, "parameters", f"{fit.name}: compute-optimal size at 5.76e23 FLOPs")

    for key, size, source in (("overhead_50", 0.5, "devries_overhead_50"),
                              ("overhead_25", 0.25, "devries_overhead_25")):
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

    smallest = shrink.record[-1]
    out.value("shrink_oom_per_year", -shrink.slope, "orders of magnitude/year",
              "How fast the smallest model matching GPT-3 on MMLU shrank (bootstrap 95% interval)",
              low=-shrink.high, high=-shrink.low)
    out.value("smallest_beating_gpt3", smallest["parameters"], "parameters",
              f"Smallest catalogued model above GPT-3's MMLU ({smallest['model']})")
    out.value("shrink_factor", by_id["gpt-3-175b"].parameters / smallest["parameters"], "×",
              "GPT-3's parameters over the smallest catalogued model that beats it on MMLU")

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

def _charts(ctx, hoffmann: Fit, surface: list[dict], overheads: list[dict], model_rows: list[dict],
            by_id: dict[str, LanguageModel], shrink: Shrinking) -> None:
    import altair as alt

    out, grid = ctx.results, ctx.params["loss_grid"]
    gpt3, chinchilla, smallest = by_id["gpt-3-175b"], by_id["chinchilla-70b"], shrink.record[-1]

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
        x=alt.X("size_fraction:Q", title="Model size as a share of compute-optimal", axis=alt.Axis(format="%")),
        y=alt.Y("overhead_pct:Q", title="Extra training compute (%)", scale=alt.Scale(type="symlog")),
        color=alt.Color("fit:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["fit:N", alt.Tooltip("size_fraction:Q", format=".0%"), alt.Tooltip("overhead_pct:Q", format=".0f")])
    out.chart("overhead", over.properties(width=520, height=260), "The price of a smaller model",
              f"Lines of extra training compute against model size for both fits: at half the compute-optimal "
              f"size it is {hoffmann.overhead(0.5) * 100:.0f}% (Hoffmann fit); it reaches 100% near "
              f"{hoffmann.size_at_overhead(1.0) * 100:.0f}% of the optimal size and grows without bound below.",
              data="overhead")

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

    mmlu = alt.Chart(alt.Data(values=shrink.points)).mark_point(filled=True, size=80).encode(
        x=alt.X("year:Q", title="Release", scale=alt.Scale(zero=False), axis=alt.Axis(format="d")),
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("mmlu:Q", scale=alt.Scale(scheme="blues"), title="MMLU (%)"),
        tooltip=["model:N", alt.Tooltip("parameters:Q", format=".3~s"), "mmlu:Q"])
    # The record is a line of language models: the site's language red (analyses/_style.py).
    line = alt.Chart(alt.Data(values=shrink.trend)).mark_line(color=MODALITY_COLOURS["language"], point=True).encode(
        x="year:Q", y="parameters:Q")
    out.chart("mmlu_frontier", (mmlu + line).properties(width=520, height=280),
              "The smallest model that beats GPT-3",
              f"Dots of models by release date and size, shaded by MMLU; the red line steps through the smallest "
              f"model so far above GPT-3's {gpt3.mmlu}, from {fmt(gpt3.parameters)} parameters to "
              f"{fmt(smallest['parameters'])} ({smallest['model']}).", data="mmlu_points")
