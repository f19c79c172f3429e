"""How much of a trained model can go before its outputs change? Three real pretrained models,
one per modality, each shrunk three ways with no retraining:

- weight quantisation, round-to-nearest per channel, 16 down to 2 bits (and torch's int8 baseline);
- magnitude pruning, 10% to 90% of weights, one threshold for the model or one per layer;
- dropping residual blocks, one at a time and then the k least important together.

Fidelity is the share of the model's decisions that stay the same as the unmodified model's on
the same inputs: the nearest other sentence (language), the top-1 class (vision), the speech/no
speech call per 32 ms frame (audio). It is counted on the clear half of the decisions (those
where the unmodified model's margin is at least the median; see models.fidelity) and on all of
them. A second, continuous metric goes beside each. The numbers that compare modalities are
where clear-decision fidelity first drops below the bar (99%).
"""

import dataclasses
import time

import altair as alt

from analyses import _datasets
from analyses._style import modality_scale
from analyses.compression import compress, data, models

MODALITY_ORDER = ("language", "vision", "audio")   # the page's order: tables, legends
SCOPES = ("global", "layer")                        # magnitude pruning: one threshold for the model, or one per layer
QUOTED_SPARSITIES = (0.5, 0.9)                      # the page quotes fidelity at half the weights and nine in ten


# ---------------------------------------------------------------- records: one row of a results table each

@dataclasses.dataclass(frozen=True)
class Quantised:
    modality: str
    method: str                         # "RTN 8-bit", "bfloat16 cast" or "torch int8 dynamic"
    bits: int
    stored_bits_per_parameter: float    # over the whole model, scales and unquantised parameters included
    fidelity: float                     # the four columns of models.Fidelity.columns()
    fidelity_all: float
    second_metric: str
    second_value: float


@dataclasses.dataclass(frozen=True)
class Pruned:
    modality: str
    scope: str                          # "global" or "layer"
    sparsity: float                     # share of the compressed weights set to zero
    fidelity: float
    fidelity_all: float
    second_metric: str
    second_value: float


@dataclasses.dataclass(frozen=True)
class DroppedBlock:
    modality: str
    block: str
    depth: float                        # 0 = first block, 1 = last
    fidelity: float
    fidelity_all: float
    second_metric: str
    second_value: float


@dataclasses.dataclass(frozen=True)
class DroppedBlocks:
    modality: str
    blocks_dropped: int                 # the k least important, ranked by dropping each alone
    share_of_droppable: float
    dropped: str                        # their names, in model order
    fidelity: float
    fidelity_all: float
    second_metric: str
    second_value: float


@dataclasses.dataclass(frozen=True)
class Summary:
    modality: str
    model: str
    task: str
    parameters: int
    inputs: str
    fewest_bits_at_bar: int | None
    sparsity_at_bar_global: float
    sparsity_at_bar_layer: float
    blocks_removable: str               # "33% of 6", or "no residual blocks"


@dataclasses.dataclass(frozen=True)
class Timing:
    modality: str
    evaluations: int
    seconds: float
    seconds_per_evaluation: float


# ---------------------------------------------------------------- what is measured on one model, and where it crosses the bar

@dataclasses.dataclass(frozen=True)
class Measured:
    """Every setting tried on one model, in the order tried."""
    subject: models.Subject
    unmodified: models.Fidelity         # the model against itself: how many decisions, and how many clear
    rtn: list[Quantised]                # mildest first
    bf16: Quantised
    int8: Quantised | None              # where torch's int8 kernels apply
    pruned: list[Pruned]                # global then per layer, mildest first
    dropped_each: list[DroppedBlock]    # empty where the model has no residual blocks
    dropped_together: list[DroppedBlocks]
    seconds: float

    def quantised(self) -> list[Quantised]:
        return [*self.rtn, self.bf16, *([self.int8] if self.int8 else [])]

    def evaluations(self) -> int:
        """Runs of the model over its evaluation set, the unmodified one included."""
        return 1 + len(self.quantised()) + len(self.pruned) + len(self.dropped_each) + len(self.dropped_together)


@dataclasses.dataclass(frozen=True)
class AtBar:
    """Where one model's clear-decision fidelity first drops below the bar, each as lowest_passing's
    (harshest setting that keeps it, first that fails)."""
    bits: tuple[int | None, int | None]
    sparsity: dict[str, tuple[float | None, float | None]]   # by scope
    blocks_removable: float | None      # share of droppable blocks that can go together; None without blocks


def lowest_passing(levels: list[float], fidelity: list[float], bar: float) -> tuple[float | None, float | None]:
    """For levels ordered from mildest to harshest compression: (the harshest level such that it and
    every milder level keep fidelity ≥ bar, the first level that fails). None where there is none."""
    passing = None
    for level, value in zip(levels, fidelity, strict=True):
        if value < bar:
            return passing, level
        passing = level
    return passing, None


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    p, bar = ctx.params, ctx.params["fidelity_bar"]

    ctx.step("evaluation sets: sentences, photos, speech")
    texts = data.sentences(p["sentences"], ctx.seed, _datasets.fortunes(ctx.data(_datasets.FORTUNES.path)))
    fashion, _ = _datasets.fashion_mnist(ctx, "t10k")
    images, sources = data.images(p["photo_crops"], fashion, p["fashion_mnist"], ctx.seed)
    clips, _ = data.speech_clips(p["clips"], p["clip_seconds"], texts, ctx.seed,
                                 ctx.program(_datasets.ESPEAK_NG.path))

    ctx.step("models")
    subjects = [models.language(texts, p["language_model"], ctx.device),
                models.vision(images, sources, p["vision_model"], ctx.device),
                models.audio(clips, ctx.device)]

    measured = []
    for s in subjects:
        started = time.perf_counter()
        reference = s.outputs()
        ctx.step(f"{s.modality}: round-to-nearest quantisation, {p['bits'][0]} to {p['bits'][-1]} bits")
        rtn, bf16, int8 = quantise(s, reference, p["bits"])
        ctx.step(f"{s.modality}: magnitude pruning, global and per layer")
        pruned = prune(s, reference, p["sparsities"])
        dropped_each, dropped_together = [], []
        if s.drop_blocks is not None:
            ctx.step(f"{s.modality}: dropping each of {len(s.blocks)} blocks, then the k least important")
            dropped_each, dropped_together = drop_blocks(s, reference)
        measured.append(Measured(s, s.compare(reference, reference), rtn, bf16, int8, pruned, dropped_each,
                                 dropped_together, time.perf_counter() - started))

    ctx.step(f"where fidelity crosses {100 * bar:g}%")
    at_bar = [crossings(m, bar) for m in measured]

    ctx.step("values and tables")
    out = ctx.results
    for m, at in zip(measured, at_bar, strict=True):
        model_values(out, m)
        quantisation_values(out, m, at, bar)
        pruning_values(out, m, at, bar)
        block_values(out, m, at, bar)
    out.value("fidelity_bar", 100 * bar, "%", "The fidelity bar: share of clear decisions that must stay unchanged")
    out.table("summary", _dicts(summary(m, at) for m, at in zip(measured, at_bar, strict=True)),
              f"Three models, three compressions: the harshest setting keeping ≥ {100 * bar:g}%")
    out.table("quantisation", _dicts(r for m in measured for r in m.quantised()),
              "Round-to-nearest weight quantisation: decisions kept against the fp32 model")
    out.table("pruning", _dicts(r for m in measured for r in m.pruned),
              "Magnitude pruning without retraining: decisions kept")
    out.table("block_drop", _dicts(r for m in measured for r in m.dropped_each),
              "Dropping one residual block: decisions kept")
    out.table("block_drop_cumulative", _dicts(r for m in measured for r in m.dropped_together),
              "Dropping the k least important blocks together")
    ctx.measurements.table("timing", _dicts(timing(m) for m in measured),
                           f"Time of each model's evaluations on {ctx.device}")

    ctx.step("charts")
    _charts(ctx, measured, bar)


def quantise(s: models.Subject, reference, widths: list[int]) -> tuple[list[Quantised], Quantised, Quantised | None]:
    """Round-to-nearest at each width, then two references: a bfloat16 cast of the same weights (what
    deployment often uses), and torch's int8 kernels where they apply."""
    weights, total = s.weights(), s.parameters()
    rtn = []
    for bits in widths:
        with compress.replaced(weights, {n: compress.quantise_rtn(w, bits) for n, w in weights.items()}):
            kept = s.compare(reference, s.outputs())
        rtn.append(Quantised(s.modality, f"RTN {bits}-bit", bits,
                             compress.stored_bits_per_parameter(weights, bits, total), **kept.columns()))
    with compress.replaced(weights, {n: w.bfloat16().float() for n, w in weights.items()}):
        kept = s.compare(reference, s.outputs())
    bf16 = Quantised(s.modality, "bfloat16 cast", 16, 32 - 16 * sum(w.numel() for w in weights.values()) / total,
                     **kept.columns())
    int8 = None
    if s.int8_dynamic is not None:
        kept = s.compare(reference, s.int8_dynamic())
        int8 = Quantised(s.modality, "torch int8 dynamic", 8,
                         8 * s.int8_dynamic_share + 32 * (1 - s.int8_dynamic_share), **kept.columns())
    return rtn, bf16, int8


def prune(s: models.Subject, reference, sparsities: list[float]) -> list[Pruned]:
    """Magnitude pruning at each sparsity, with one threshold for the model and then one per layer."""
    weights, rows = s.weights(), []
    for scope in SCOPES:
        for sparsity, masks in zip(sparsities, compress.magnitude_masks(weights, sparsities, scope), strict=True):
            with compress.replaced(weights, {n: w * masks[n] for n, w in weights.items()}):
                kept = s.compare(reference, s.outputs())
            rows.append(Pruned(s.modality, scope, sparsity, **kept.columns()))
    return rows


def drop_blocks(s: models.Subject, reference) -> tuple[list[DroppedBlock], list[DroppedBlocks]]:
    """Each droppable block alone; then the k least harmful of them together, for k = 1 … all."""
    each = []
    for i, (name, depth) in enumerate(zip(s.blocks, s.block_depths, strict=True)):
        with s.drop_blocks([i]):
            kept = s.compare(reference, s.outputs())
        each.append(DroppedBlock(s.modality, name, depth, **kept.columns()))
    order = sorted(range(len(s.blocks)), key=lambda i: -each[i].fidelity)   # least harmful first
    together = []
    for k in range(1, len(s.blocks) + 1):
        with s.drop_blocks(order[:k]):
            kept = s.compare(reference, s.outputs())
        together.append(DroppedBlocks(s.modality, k, k / len(s.blocks),
                                      ", ".join(s.blocks[i] for i in sorted(order[:k])), **kept.columns()))
    return each, together


def crossings(m: Measured, bar: float) -> AtBar:
    """Where the bar is crossed for each way of compressing one model, walking its settings mildest first."""
    bits = lowest_passing([r.bits for r in m.rtn], [r.fidelity for r in m.rtn], bar)
    sparsity = {}
    for scope in SCOPES:
        rows = [r for r in m.pruned if r.scope == scope]
        sparsity[scope] = lowest_passing([r.sparsity for r in rows], [r.fidelity for r in rows], bar)
    blocks_removable = None
    if m.dropped_together:
        k_pass, _ = lowest_passing([r.blocks_dropped for r in m.dropped_together],
                                   [r.fidelity for r in m.dropped_together], bar)
        blocks_removable = (k_pass or 0) / len(m.dropped_together)
    return AtBar(bits, sparsity, blocks_removable)


# ---------------------------------------------------------------- the page's values and tables

def model_values(out, m: Measured) -> None:
    """What the model is: the same whatever is done to it."""
    s, key = m.subject, m.subject.modality
    total = s.parameters()
    out.value(f"{key}_clear_decisions", m.unmodified.clear_count, "",
              f"{s.model}: decisions in the clear half (of {m.unmodified.decisions})")
    out.value(f"{key}_parameters", total, "parameters", f"{s.model}: parameters")
    out.value(f"{key}_compressed_share", 100 * sum(w.numel() for w in s.weights().values()) / total, "%",
              f"{s.model}: share of parameters in matrices and kernels (what is quantised and pruned)")
    if m.int8 is not None:
        out.value(f"{key}_int8_dynamic_share", 100 * s.int8_dynamic_share, "%",
                  f"{s.model}: share of parameters in nn.Linear layers (what torch's int8 baseline quantises)")
    if m.dropped_each:
        out.value(f"{key}_droppable_blocks", len(s.blocks), "", f"{s.model}: blocks with an identity residual path")


def quantisation_values(out, m: Measured, at: AtBar, bar: float) -> None:
    model, key = m.subject.model, m.subject.modality
    bits_pass, bits_fail = at.bits
    if bits_pass is not None:
        out.value(f"{key}_bits_at_bar", bits_pass, "bits",
                  f"{model}: fewest RTN bits per weight keeping ≥ {100 * bar:g}% of clear decisions "
                  f"(the true threshold lies above the first failing width)",
                  low=bits_pass if bits_fail is None else bits_fail, high=bits_pass)
    for r in m.rtn:
        out.value(f"{key}_fidelity_{r.bits}bit", 100 * r.fidelity, "%",
                  f"{model}: clear decisions kept after RTN to {r.bits} bits")
        out.value(f"{key}_fidelity_all_{r.bits}bit", 100 * r.fidelity_all, "%",
                  f"{model}: all decisions kept after RTN to {r.bits} bits")
    out.value(f"{key}_fidelity_bf16", 100 * m.bf16.fidelity, "%", f"{model}: clear decisions kept in bfloat16")
    out.value(f"{key}_fidelity_all_bf16", 100 * m.bf16.fidelity_all, "%", f"{model}: all decisions kept in bfloat16")
    if m.int8 is not None:
        out.value(f"{key}_fidelity_int8_dynamic", 100 * m.int8.fidelity, "%",
                  f"{model}: clear decisions kept with torch's dynamic int8 quantisation")


def pruning_values(out, m: Measured, at: AtBar, bar: float) -> None:
    model, key = m.subject.model, m.subject.modality
    for scope in SCOPES:
        keep, fail = at.sparsity[scope]
        out.value(f"{key}_sparsity_at_bar_{scope}", 100 * (keep or 0), "%",
                  f"{model}: most weights pruned ({scope} magnitude) keeping ≥ {100 * bar:g}% of clear decisions",
                  low=100 * (keep or 0), high=100 * (keep or 0 if fail is None else fail))
        for r in m.pruned:
            if r.scope == scope and r.sparsity in QUOTED_SPARSITIES:
                out.value(f"{key}_fidelity_{scope}_{round(100 * r.sparsity)}pct", 100 * r.fidelity, "%",
                          f"{model}: clear decisions kept with {r.sparsity:.0%} of weights pruned ({scope})")


def block_values(out, m: Measured, at: AtBar, bar: float) -> None:
    if at.blocks_removable is None:
        return
    model, key = m.subject.model, m.subject.modality
    out.value(f"{key}_blocks_removable", 100 * at.blocks_removable, "%",
              f"{model}: share of droppable blocks that can go together keeping ≥ {100 * bar:g}% of clear decisions")
    worst = min(m.dropped_each, key=lambda r: r.fidelity)
    out.value(f"{key}_worst_block_depth", worst.depth, "",
              f"{model}: relative depth of the block whose removal changes most decisions (0 first, 1 last)")
    out.value(f"{key}_worst_block_fidelity", 100 * worst.fidelity, "%",
              f"{model}: clear decisions kept without its most important block")
    best = max(m.dropped_each, key=lambda r: r.fidelity)
    out.value(f"{key}_best_block_fidelity", 100 * best.fidelity, "%",
              f"{model}: clear decisions kept without its least important block")
    out.value(f"{key}_best_block_depth", best.depth, "",
              f"{model}: relative depth of the block whose removal changes fewest decisions")


def summary(m: Measured, at: AtBar) -> Summary:
    s = m.subject
    blocks = ("no residual blocks" if at.blocks_removable is None
              else f"{at.blocks_removable:.0%} of {len(s.blocks)}")
    return Summary(s.modality, s.model, s.task, s.parameters(), s.inputs, at.bits[0],
                   at.sparsity["global"][0] or 0.0, at.sparsity["layer"][0] or 0.0, blocks)


def timing(m: Measured) -> Timing:
    return Timing(m.subject.modality, m.evaluations(), round(m.seconds, 1), round(m.seconds / m.evaluations(), 2))


def _dicts(records) -> list[dict]:
    return [dataclasses.asdict(r) for r in records]


# ---------------------------------------------------------------- charts

def _charts(ctx, measured: list[Measured], bar: float) -> None:
    out = ctx.results
    rtn = _dicts(r for m in measured for r in m.rtn)
    pruned = _dicts(r for m in measured for r in m.pruned)
    dropped_each = _dicts(r for m in measured for r in m.dropped_each)
    dropped_together = _dicts(r for m in measured for r in m.dropped_together)
    rule = alt.Chart(alt.Data(values=[{"bar": bar}])).mark_rule(strokeDash=[4, 4], color="#888").encode(y="bar:Q")
    colour = alt.Color("modality:N", scale=modality_scale(alt, MODALITY_ORDER),
                       legend=alt.Legend(orient="bottom", title=None))
    fidelity = alt.Y("fidelity:Q", title="Clear decisions unchanged", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1]))
    tips = ["modality:N", alt.Tooltip("fidelity:Q", format=".1%", title="clear decisions unchanged"),
            alt.Tooltip("fidelity_all:Q", format=".1%", title="all decisions unchanged"), "second_metric:N",
            alt.Tooltip("second_value:Q", format=".4~g")]

    chart = alt.Chart(alt.Data(values=rtn)).mark_line(point=True).encode(
        x=alt.X("bits:Q", scale=alt.Scale(type="log", base=2, reverse=True), title="Bits per weight (log scale)",
                axis=alt.Axis(values=sorted({r["bits"] for r in rtn}))),
        y=fidelity, color=colour, tooltip=["bits:Q", *tips])
    out.chart("fidelity_vs_bits", (chart + rule).properties(width=520, height=280),
              "Fidelity against bits per weight",
              "Lines of the share of clear decisions unchanged against the bit width of round-to-nearest quantisation, "
              f"one per modality, with a dashed line at {100 * bar:g}%.", data="quantisation")

    chart = alt.Chart(alt.Data(values=pruned)).mark_line(point=True).encode(
        x=alt.X("sparsity:Q", title="Share of weights pruned", axis=alt.Axis(format="%")),
        y=fidelity, color=colour, strokeDash=alt.StrokeDash("scope:N", legend=alt.Legend(orient="bottom")),
        tooltip=["scope:N", alt.Tooltip("sparsity:Q", format=".0%"), *tips])
    out.chart("fidelity_vs_sparsity", (chart + rule).properties(width=520, height=280),
              "Fidelity against sparsity",
              "Lines of the share of clear decisions unchanged against the share of weights removed by magnitude, "
              "solid for one global threshold and dashed for one threshold per layer.", data="pruning")

    chart = alt.Chart(alt.Data(values=dropped_each)).mark_line(point=True).encode(
        x=alt.X("depth:Q", title="Depth of the dropped block (0 = first block, 1 = last)"),
        y=fidelity, color=colour, tooltip=["block:N", alt.Tooltip("depth:Q", format=".2f"), *tips])
    out.chart("block_drop_by_depth", (chart + rule).properties(width=520, height=280),
              "What one missing block costs, by depth",
              "Share of clear decisions unchanged after removing one residual block, against the block's relative depth, "
              "for the language and vision models.", data="block_drop")

    chart = alt.Chart(alt.Data(values=dropped_together)).mark_line(point=True).encode(
        x=alt.X("share_of_droppable:Q", title="Share of droppable blocks removed", axis=alt.Axis(format="%")),
        y=fidelity, color=colour, tooltip=["blocks_dropped:Q", "dropped:N", *tips])
    out.chart("block_drop_cumulative", (chart + rule).properties(width=520, height=280),
              "Removing the least important blocks together",
              "Share of clear decisions unchanged as the k least important blocks are removed together.",
              data="block_drop_cumulative")
