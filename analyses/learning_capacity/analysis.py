"""Do parameters exist to learn quickly? Three predictions of the comment's lottery-ticket argument,
tested with the cross-modal analysis's model, data and training loop on 8×8 images and bytes of text.

1. Sample efficiency: do larger models reach a given held-out loss after fewer tokens (Kaplan et al.
   2020, Section 1.1), and more so for text than for images?
2. Memorisation of data seen once: canaries written once into the text stream, and their exposure
   (Carlini et al. 2019) against model size and against how long before the end they were seen.
3. Lottery tickets: a larger model pruned by magnitude to a smaller model's parameter count, its
   survivors rewound to an early step (Frankle et al. 2020) and retrained, against the small dense
   model and against a random mask of the same sparsity.

run(ctx) trains the dense sweep (both modalities, canaries in the text), then the tickets and their
controls, scores the canaries, and records each experiment's numbers, verdicts, tables and charts.
"""

import dataclasses
import hashlib
import inspect
import math
import pathlib

import altair as alt
import numpy as np
import scipy.stats
import torch

from analyses import _datasets
from analyses._style import MODALITY_COLOURS, modality_scale
from analyses.cross_modal_scaling import Recipe, model, train
from analyses.cross_modal_scaling import analysis as cms
from analyses.learning_capacity import SPEC, canaries, tickets

CACHE = pathlib.Path(".cache/learning_capacity")      # checkpoints, so an interrupted run resumes
ARMS = ("small dense", "ticket", "random mask", "large dense")   # experiment 3, in the chart's order


# ---------------------------------------------------------------- records

@dataclasses.dataclass
class Setup:
    """What every run shares: the recipe, where it evaluates, the rewind step and the canaries."""
    recipe: Recipe
    evaluate_at: tuple[int, ...]
    rewind_step: int
    canaries: list[canaries.Canary]
    device: str


@dataclasses.dataclass
class Run:
    """One finished run: a row of the runs table."""
    modality: str
    arm: str                    # dense, ticket or random mask
    layers: int
    width: int
    seed: int
    parameters: int             # non-zero non-embedding parameters
    flops_per_token: float      # of the dense architecture: a pruned network here still multiplies its zeros
    held_out_bits: float


@dataclasses.dataclass
class Point:
    """One held-out evaluation along one run: a row of the curves table."""
    modality: str
    arm: str
    parameters: int
    seed: int
    step: int
    tokens: int
    held_out_bits: float


@dataclasses.dataclass
class Reach:
    """Tokens (and training FLOPs) one size of the sweep (seed 0) needed to reach a target held-out loss."""
    modality: str
    target: str                 # whose final loss the target is
    target_bits: float
    parameters: int
    tokens: float | None        # None: never reached
    flops: float | None


@dataclasses.dataclass
class Exposure:
    """One canary's exposure in one model: a row of the exposure table."""
    parameters: int
    canary: str
    inserted: bool
    step: int | None
    steps_before_end: int | None
    exposure_bits: float


@dataclasses.dataclass
class Verdict:
    prediction: str
    modality: str
    measured: str               # the number behind the verdict, with its interval
    verdict: str


# ---------------------------------------------------------------- run

def run(ctx) -> None:
    p = ctx.params
    recipe = Recipe(**p["recipe"])
    large, small = model.Size(*p["large"]), model.Size(*p["small"])

    ctx.step("data: the cross-modal analysis's 8×8 images and text, and the canaries")
    fashion = {split: _datasets.fashion_mnist(ctx, split) for split in ("train", "t10k")}
    images = cms.image_task(fashion, 8, p["levels"], p["held_out"])
    text = cms.text_task(_datasets.fortunes(ctx.data(_datasets.FORTUNES.path)), p["text_context"], p["held_out"],
                         ctx.seed)
    setup = Setup(recipe, evaluation_steps(recipe.steps, p["evaluations"]), p["rewind_step"],
                  canaries.make(p["canaries"], p["digits"], recipe.steps, ctx.seed), ctx.device)

    sweep = [model.Size(*s) for s in p["sizes"]]
    runs, curves, nets = [], [], {}
    log = lambda line: print(f"      {line}", flush=True)  # noqa: E731 (training progress, under each step)
    for task in (images.task, text.task):
        per_step = recipe.batch * task.context
        for size in dict.fromkeys([*sweep, small, large]):
            for seed in range(p["seeds"] if size in (small, large) else 1):
                ctx.step(f"{task.name}: dense, {size.layers} layers × {size.width} wide, seed {seed}")
                nets[task.name, size, seed] = record(runs, curves, task, "dense", size, seed, per_step,
                                                     *dense(setup, task, size, seed, log))
        for seed in range(p["seeds"]):
            for arm in ("ticket", "random mask"):
                ctx.step(f"{task.name}: {arm}, {large.layers} × {large.width} pruned to the N of "
                         f"{small.layers} × {small.width}, seed {seed}")
                trained = nets[task.name, large, seed]
                record(runs, curves, task, arm, large, seed, per_step,
                       *pruned(setup, task, trained, small, seed, arm, log))

    ctx.step("canaries: exposure of each in every dense text model of the sweep")
    exposures = []
    for size in sweep:
        net = nets[text.task.name, size, 0]
        exposures += [Exposure(net.non_embedding_parameters(), c.name, c.step is not None, c.step,
                               None if c.step is None else recipe.steps - c.step,
                               canaries.exposure(net, c, ctx.device)) for c in setup.canaries]

    ctx.step("the three experiments' numbers and verdicts")
    tasks = {m.task.name: m for m in (images, text)}
    reach, speedups = sample_efficiency(runs, curves, sweep, small, large)
    excess = exposure_excess(exposures, p["bootstrap"], ctx.seed)
    differences = ticket_differences(runs, large, small)
    verdicts = judge(speedups, excess, differences)

    ctx.step("values, tables and charts")
    _values(ctx, tasks, setup, runs, speedups, exposures, excess, differences, large, small)
    _tables(ctx, runs, curves, reach, exposures, verdicts)
    _charts(ctx, tasks, curves, reach, exposures, runs, large, small)


def evaluation_steps(steps: int, count: int) -> tuple[int, ...]:
    """count steps spread evenly in log space from 10 to the last, so early learning is seen in detail."""
    return tuple(sorted({int(s) for s in np.geomspace(min(10, steps), steps, count).round()}))


# ---------------------------------------------------------------- training

def run_folder(setup: Setup, task: train.Task, size: model.Size, seed: int, label: str) -> pathlib.Path:
    """A run's checkpoint folder: the cross-modal run's key (task, size, recipe, seed, device, the training
    code), this variant's description, and this package's code."""
    base = cms.run_folder(task, size, setup.recipe, seed, setup.device).name
    code = "".join(inspect.getsource(m) for m in (canaries, tickets))
    key = repr((base, label, len(task.held_out), setup.evaluate_at, setup.rewind_step, code))
    return CACHE / hashlib.sha256(key.encode()).hexdigest()[:16]


def _insert(setup: Setup, task: train.Task):
    """The text stream carries the canaries; the images carry none."""
    return canaries.inserter(setup.canaries) if task.name == "text" else None


def _dense_folder(setup: Setup, task: train.Task, size: model.Size, seed: int) -> pathlib.Path:
    return run_folder(setup, task, size, seed, f"dense; canaries {setup.canaries!r}" if task.name == "text" else "dense")


def dense(setup: Setup, task: train.Task, size: model.Size, seed: int, log) -> tuple[model.GPT, dict, int]:
    """A dense run. It keeps its weights at the rewind step, for the tickets."""
    variant = train.Variant(insert=_insert(setup, task), keep=(setup.rewind_step,), evaluate_at=setup.evaluate_at)
    net, result = train.train(task, size, setup.recipe, seed, setup.device, _dense_folder(setup, task, size, seed),
                              log, variant)
    return net, result, net.non_embedding_parameters()


def pruned(setup: Setup, task: train.Task, trained: model.GPT, small: model.Size, seed: int, arm: str,
           log) -> tuple[model.GPT, dict, int]:
    """The large dense run of this seed (``trained``) pruned to the small model's N (magnitude, or at random for
    the control), its survivors rewound to the rewind step, and trained on from there with the same recipe."""
    large = trained.size
    target = model.GPT(small, task.vocab, task.context).non_embedding_parameters()
    masks = tickets.magnitude_masks(tickets.prunable(trained), tickets.weights_to_keep(trained, target))
    if arm == "random mask":
        masks = tickets.random_masks(masks, torch.Generator().manual_seed(seed))
    dense_folder = _dense_folder(setup, task, large, seed)
    early = torch.load(dense_folder / f"step-{setup.rewind_step}.pt", map_location=setup.device)
    variant = train.Variant(start_step=setup.rewind_step, start=tickets.rewind(early, masks), masks=masks,
                            insert=_insert(setup, task), evaluate_at=setup.evaluate_at)
    folder = run_folder(setup, task, large, seed, f"{arm} from {dense_folder.name} to {target}")
    net, result = train.train(task, large, setup.recipe, seed, setup.device, folder, log, variant)
    return net, result, target


def record(runs: list[Run], curves: list[Point], task: train.Task, arm: str, size: model.Size, seed: int,
           tokens_per_step: int, net: model.GPT, result: dict, parameters: int) -> model.GPT:
    """Add one run and its held-out curve to the tables; return the network."""
    runs.append(Run(task.name, arm, size.layers, size.width, seed, parameters, net.training_flops_per_token(),
                    result["held_out_bits"]))
    curves += [Point(task.name, arm, parameters, seed, point["step"], point["step"] * tokens_per_step,
                     point["held_out_bits"]) for point in result["held_out_curve"]]
    return net


# ---------------------------------------------------------------- experiment 1: sample efficiency

@dataclasses.dataclass
class Speedup:
    """How many times fewer tokens the larger model needed to reach the smaller one's final loss."""
    modality: str
    median: float               # small over large, over every pair of their seeds
    low: float                  # the fewest and the most over those pairs
    high: float
    sweep: float                # smallest over largest size of the sweep (seed 0)
    sweep_flops: float          # training FLOPs of the largest over the smallest to that loss


def tokens_to_reach(tokens: list[float], bits: list[float], target: float) -> float | None:
    """Tokens after which a held-out curve first reaches target bits, interpolated linearly in log tokens
    between the evaluations either side of it; None if the curve never reaches it."""
    for i, b in enumerate(bits):
        if b <= target:
            if i == 0:
                return tokens[0]
            share = (bits[i - 1] - target) / (bits[i - 1] - b)
            return math.exp(math.log(tokens[i - 1]) + share * (math.log(tokens[i]) - math.log(tokens[i - 1])))
    return None


def _reach(run: Run, curves: list[Point], target: float) -> float | None:
    points = [c for c in curves if (c.modality, c.arm, c.parameters, c.seed) == (run.modality, run.arm,
                                                                                 run.parameters, run.seed)]
    return tokens_to_reach([c.tokens for c in points], [c.held_out_bits for c in points], target)


def sample_efficiency(runs: list[Run], curves: list[Point], sweep: list[model.Size], small: model.Size,
                      large: model.Size) -> tuple[list[Reach], dict[str, Speedup]]:
    """Tokens each dense size of the sweep needed to reach each smaller size's final loss; and the small
    and large sizes' speed-up over all their seeds, the target being the worst small seed's final loss
    (so that every seed reaches it)."""
    reach, speedups = [], {}
    for modality in dict.fromkeys(r.modality for r in runs):
        dense = [r for r in runs if r.modality == modality and r.arm == "dense"]
        by_size = sorted((r for r in dense if r.seed == 0 and model.Size(r.layers, r.width) in sweep),
                         key=lambda r: r.parameters)
        for target in by_size[:-1]:
            for r in by_size:
                tokens = _reach(r, curves, target.held_out_bits)
                reach.append(Reach(modality, f"final loss of N = {target.parameters:,}", target.held_out_bits,
                                   r.parameters, tokens, None if tokens is None else tokens * r.flops_per_token))
        smallest, largest = by_size[0], by_size[-1]
        sweep_ratio = _reach(smallest, curves, smallest.held_out_bits) / _reach(largest, curves, smallest.held_out_bits)
        smalls = [r for r in dense if (r.layers, r.width) == (small.layers, small.width)]
        larges = [r for r in dense if (r.layers, r.width) == (large.layers, large.width)]
        target = max(r.held_out_bits for r in smalls)
        ratios = [_reach(s, curves, target) / _reach(b, curves, target) for s in smalls for b in larges]
        speedups[modality] = Speedup(modality, float(np.median(ratios)), min(ratios), max(ratios), sweep_ratio,
                                     largest.flops_per_token / smallest.flops_per_token / sweep_ratio)
    return reach, speedups


# ---------------------------------------------------------------- experiment 2: canaries

@dataclasses.dataclass
class Excess:
    """Mean exposure of inserted canaries less that of the never-inserted ones, for one model size."""
    parameters: int
    inserted: float
    control: float
    excess: float
    low: float                  # 95% bootstrap interval, resampling the canaries of each group
    high: float


def exposure_excess(exposures: list[Exposure], resamples: int, seed: int) -> list[Excess]:
    rng = np.random.default_rng(seed)
    rows = []
    for n in sorted({e.parameters for e in exposures}):
        inserted = np.array([e.exposure_bits for e in exposures if e.parameters == n and e.inserted])
        control = np.array([e.exposure_bits for e in exposures if e.parameters == n and not e.inserted])
        boot = (rng.choice(inserted, (resamples, len(inserted))).mean(1)
                - rng.choice(control, (resamples, len(control))).mean(1))
        low, high = np.percentile(boot, [2.5, 97.5])
        rows.append(Excess(n, inserted.mean(), control.mean(), inserted.mean() - control.mean(), low, high))
    return rows


# ---------------------------------------------------------------- experiment 3: tickets

@dataclasses.dataclass
class Difference:
    """Held-out bits of the ticket less those of another arm, paired by seed: mean and 95% t-interval."""
    modality: str
    against: str
    mean: float
    low: float
    high: float
    seeds: int


def paired_interval(differences: list[float]) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of paired differences."""
    d = np.asarray(differences, float)
    half = scipy.stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def arm_of(run: Run, large: model.Size, small: model.Size) -> str | None:
    """A run's arm in experiment 3, or None for the sweep's other dense sizes."""
    if run.arm != "dense":
        return run.arm
    return {(large.layers, large.width): "large dense", (small.layers, small.width): "small dense"}.get(
        (run.layers, run.width))


def held_out_by_arm(runs: list[Run], modality: str, large: model.Size, small: model.Size) -> dict[str, dict]:
    """arm -> seed -> final held-out bits, for one modality."""
    bits = {}
    for r in runs:
        if r.modality == modality and arm_of(r, large, small):
            bits.setdefault(arm_of(r, large, small), {})[r.seed] = r.held_out_bits
    return bits


def ticket_differences(runs: list[Run], large: model.Size, small: model.Size) -> list[Difference]:
    rows = []
    for modality in dict.fromkeys(r.modality for r in runs):
        bits = held_out_by_arm(runs, modality, large, small)
        seeds = sorted(bits["ticket"])
        for against in ("small dense", "random mask", "large dense"):
            rows.append(Difference(modality, against, *paired_interval(
                [bits["ticket"][s] - bits[against][s] for s in seeds]), len(seeds)))
    return rows


# ---------------------------------------------------------------- verdicts

def verdict(low: float, high: float, supported_if_above: float | None = None,
            supported_if_below: float | None = None) -> str:
    """'supported' if the interval lies wholly on the predicted side of the threshold, 'contradicted' if
    wholly on the other, else 'not resolved'."""
    threshold = supported_if_above if supported_if_above is not None else supported_if_below
    above, below = low > threshold, high < threshold
    if supported_if_above is not None:
        return "supported" if above else "contradicted" if below else "not resolved"
    return "supported" if below else "contradicted" if above else "not resolved"


def judge(speedups: dict[str, Speedup], excess: list[Excess], differences: list[Difference]) -> list[Verdict]:
    rows = []
    for s in speedups.values():
        rows.append(Verdict("1. A larger model reaches a given loss after fewer tokens", s.modality,
                            f"{s.median:.2f}× fewer (seeds: {s.low:.2f}–{s.high:.2f}×)",
                            verdict(s.low, s.high, supported_if_above=1)))
    text, images = speedups["text"], next(s for m, s in speedups.items() if m != "text")
    rows.append(Verdict("1. … and more so for text than for images", "both",
                        f"text {text.low:.2f}–{text.high:.2f}×, images {images.low:.2f}–{images.high:.2f}×",
                        "supported" if text.low > images.high else "contradicted" if text.high < images.low
                        else "not resolved"))
    smallest, largest = excess[0], excess[-1]
    rows.append(Verdict("2. A canary seen once is remembered (largest model)", "text",
                        f"{largest.excess:+.2f} bits above never-seen canaries ({largest.low:+.2f} to "
                        f"{largest.high:+.2f})", verdict(largest.low, largest.high, supported_if_above=0)))
    rows.append(Verdict("2. … and more so the more parameters", "text",
                        f"N = {smallest.parameters:,}: {smallest.low:+.2f} to {smallest.high:+.2f} bits; "
                        f"N = {largest.parameters:,}: {largest.low:+.2f} to {largest.high:+.2f} bits",
                        "supported" if largest.low > smallest.high else "contradicted"
                        if largest.high < smallest.low else "not resolved"))
    claims = {"small dense": "3. A ticket beats the dense model of its size",
              "random mask": "3. A ticket beats a random mask of the same sparsity",
              "large dense": "3. A ticket does as well as the large model it came from"}
    for d in differences:
        outcome = verdict(d.low, d.high, supported_if_below=0)
        if d.against == "large dense" and outcome == "not resolved":
            outcome = "consistent: no difference resolved"
        rows.append(Verdict(claims[d.against], d.modality, f"ticket {d.mean:+.3f} bits ({d.low:+.3f} to {d.high:+.3f}, "
                                                           f"{d.seeds} seeds)", outcome))
    return rows


# ---------------------------------------------------------------- the full profile's cost

def profile_flops(params: dict) -> float:
    """Training FLOPs of a profile: every dense run (the sweep, and the small and large sizes' extra seeds) and
    every pruned run (from the rewind step on; its zeros are still multiplied), for 8×8 images and text."""
    recipe = Recipe(**params["recipe"])
    large, small = tuple(params["large"]), tuple(params["small"])
    total = 0.0
    for context in (64, params["text_context"]):
        per_step = recipe.batch * context
        flops = {s: model.GPT(model.Size(*s), 1, context).training_flops_per_token()
                 for s in map(tuple, [*params["sizes"], large, small])}
        for size in flops:
            total += flops[size] * per_step * recipe.steps * (params["seeds"] if size in (small, large) else 1)
        total += 2 * params["seeds"] * flops[large] * per_step * (recipe.steps - params["rewind_step"])
    return total


# ---------------------------------------------------------------- values, tables, charts

KEYS = {"images 8×8": "images_8x8", "text": "text"}      # each modality's prefix in results.json
SIZE_AXIS = alt.Axis(format="~s", values=[3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7])    # 3k, 10k, …: no crowding


def _values(ctx, tasks: dict, setup: Setup, runs: list[Run], speedups: dict[str, Speedup], exposures: list[Exposure],
            excess: list[Excess], differences: list[Difference], large: model.Size, small: model.Size) -> None:
    out = ctx.results
    recipe = setup.recipe
    text = tasks["text"].task
    out.value("tokens_per_run", recipe.steps * recipe.batch * text.context, "tokens",
              "Training tokens per dense run (both modalities)")
    dense = [r for r in runs if r.arm == "dense" and r.modality == "text"]
    out.value("smallest_parameters", min(r.parameters for r in dense), "parameters", "Smallest model of the sweep")
    out.value("largest_parameters", max(r.parameters for r in dense), "parameters", "Largest model of the sweep")
    big = model.GPT(large, text.vocab, text.context)
    target = model.GPT(small, text.vocab, text.context).non_embedding_parameters()
    out.value("large_parameters", big.non_embedding_parameters(), "parameters", "Experiment 3: the large model")
    out.value("small_parameters", target, "parameters", "Experiment 3: the small model, and the ticket's non-zero count")
    prunable = sum(p.numel() for p in tickets.prunable(big).values())
    out.value("ticket_density", 100 * tickets.weights_to_keep(big, target) / prunable, "%",
              "Experiment 3: share of the large model's weight matrices the ticket keeps")
    out.value("rewind_share", 100 * setup.rewind_step / recipe.steps, "%",
              "Experiment 3: the rewind step, as a share of training")
    for s in speedups.values():
        key = KEYS[s.modality]
        out.value(f"{key}_speedup", s.median, "×", f"{s.modality}: tokens the small model needs to reach its worst "
                  "seed's final loss, over the large model's (median, and range over seed pairs)", low=s.low, high=s.high)
        out.value(f"{key}_speedup_sweep", s.sweep, "×",
                  f"{s.modality}: tokens the smallest size needs to reach its final loss, over the largest size's")
        out.value(f"{key}_flops_ratio_sweep", s.sweep_flops, "×",
                  f"{s.modality}: training FLOPs of the largest size to reach the smallest's final loss, over the "
                  "smallest's")
    out.value("canaries", sum(c.step is not None for c in setup.canaries), "", "Canaries inserted once each")
    out.value("exposure_ceiling", math.log2(10 ** setup.canaries[0].digits), "bits",
              "Exposure of a secret ranked first among all candidates: log₂ of their number")
    out.value("exposure_control_mean", float(np.mean([e.exposure_bits for e in exposures if not e.inserted])), "bits",
              "Mean exposure of never-inserted canaries, every size (1/ln 2 = 1.44 bits expected)")
    out.value("exposure_max", max(e.exposure_bits for e in exposures if e.inserted), "bits",
              "Highest exposure of any inserted canary in any model")
    for name, e in (("smallest", excess[0]), ("largest", excess[-1])):
        out.value(f"exposure_excess_{name}", e.excess, "bits", f"Mean exposure of inserted canaries over never-inserted "
                  f"ones, {name} model (95% bootstrap interval)", low=e.low, high=e.high)
    for d in differences:
        key = KEYS[d.modality]
        out.value(f"{key}_ticket_minus_{d.against.replace(' ', '_')}", d.mean, "bits",
                  f"{d.modality}: held-out bits of the ticket less the {d.against} (95% t-interval over seeds)",
                  low=d.low, high=d.high)
    for modality in tasks:
        for arm, bits in held_out_by_arm(runs, modality, large, small).items():
            out.value(f"{KEYS[modality]}_{arm.replace(' ', '_')}_bits", float(np.mean(list(bits.values()))), "bits",
                      f"{modality}: mean held-out loss of the {arm} arm over seeds")
    full = profile_flops(SPEC.profiles["full"])
    out.value("full_profile_training_flops", full, "FLOPs", "Training FLOPs of the full profile")
    out.value("full_profile_h100_hours", full / ctx.row("h100_fp32_flops").value / 3600, "hours",
              "Full profile on one H100 at its FP32 peak: a lower bound", sources=("h100_fp32_flops",))
    base, best = ctx.row("transformer_base_bleu_en_fr"), ctx.row("best_single_bleu_en_fr_before_transformer")
    out.value("transformer_base_bleu_short", best.value - base.value, "BLEU",
              "English-French: the Transformer base model's BLEU below the best earlier single model",
              sources=(base.id, best.id))


def _rows(records: list) -> list[dict]:
    return [dataclasses.asdict(r) for r in records]


def _tables(ctx, runs: list[Run], curves: list[Point], reach: list[Reach], exposures: list[Exposure],
            verdicts: list[Verdict]) -> None:
    out = ctx.results
    out.table("verdicts", _rows(verdicts), "Each prediction, the number behind it, and the verdict")
    out.table("runs", _rows(runs), "Every training run: arm, size, seed, final held-out loss")
    out.table("curves", _rows(curves), "Held-out loss along every run")
    out.table("tokens_to_loss", [r | {"tokens": None if r["tokens"] is None else round(r["tokens"]),
                                      "flops": None if r["flops"] is None else float(f"{r['flops']:.4g}")}
                                 for r in _rows(reach)],
              "Tokens and training FLOPs each size of the sweep needed to reach each smaller size's final loss")
    out.table("exposure", _rows(exposures), "Every canary's exposure in every dense text model of the sweep")


def _charts(ctx, tasks: dict, curves: list[Point], reach: list[Reach], exposures: list[Exposure],
            runs: list[Run], large: model.Size, small: model.Size) -> None:
    out = ctx.results
    scale = modality_scale(alt, (), {name: MODALITY_COLOURS[m.site_modality] for name, m in tasks.items()})
    modality_colour = alt.Color("modality:N", scale=scale, legend=alt.Legend(orient="bottom", title=None))
    sweep_sizes = sorted({r.parameters for r in reach})
    dense = [c for c in _rows(curves) if c["arm"] == "dense" and c["seed"] == 0 and c["parameters"] in sweep_sizes]
    lines = alt.Chart(alt.Data(values=dense)).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("tokens:Q", scale=alt.Scale(type="log"), title="Training tokens seen (log scale)"),
        y=alt.Y("held_out_bits:Q", scale=alt.Scale(zero=False), title="Held-out loss (bits per pixel or byte)"),
        color=alt.Color("parameters:O", scale=alt.Scale(scheme="viridis"),
                        legend=alt.Legend(orient="bottom", title="Non-embedding parameters")),
        tooltip=["modality:N", "parameters:Q", "step:Q", "tokens:Q", alt.Tooltip("held_out_bits:Q", format=".3f")],
    ).properties(width=260, height=240).facet(column=alt.Column("modality:N", title=None)).resolve_scale(y="independent")
    out.chart("learning_curves", lines, "Held-out loss as training goes on",
              "Held-out loss against training tokens for each size of the dense sweep (seed 0), images and text; a "
              "larger model is lower at every point, and reaches a given loss sooner.", data="curves")

    smallest = min(sweep_sizes)
    to_smallest = [r for r in _rows(reach) if r["target"] == f"final loss of N = {smallest:,}" and r["tokens"]]
    chart = alt.Chart(alt.Data(values=to_smallest)).mark_line(point=True).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log", nice=False, padding=20), axis=SIZE_AXIS,
                title="Non-embedding parameters (log scale)"),
        y=alt.Y("tokens:Q", scale=alt.Scale(type="log"), title="Tokens to reach the smallest model's final loss"),
        color=modality_colour,
        tooltip=["modality:N", "parameters:Q", alt.Tooltip("tokens:Q", format=",.0f"),
                 alt.Tooltip("flops:Q", format=".3g")])
    out.chart("tokens_to_loss", chart.properties(width=520, height=260), "Tokens to reach a fixed loss",
              "Tokens each size of the sweep needed to reach the held-out loss the smallest size ends at, per modality; "
              "a falling line means larger models learn from fewer samples.", data="tokens_to_loss")

    rows = _rows(exposures)
    for r in rows:
        r["canary_kind"] = "seen once" if r["inserted"] else "never seen (control)"
    points = alt.Chart(alt.Data(values=rows)).mark_circle(size=30, opacity=0.5).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log", nice=False, padding=20), axis=SIZE_AXIS,
                title="Non-embedding parameters (log scale)"),
        y=alt.Y("exposure_bits:Q", title="Exposure (bits)"),
        color=alt.Color("canary_kind:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["canary:N", "canary_kind:N", "parameters:Q", "steps_before_end:Q",
                 alt.Tooltip("exposure_bits:Q", format=".2f")])
    means = alt.Chart(alt.Data(values=rows)).mark_line().encode(
        x="parameters:Q", y="mean(exposure_bits):Q", color="canary_kind:N")
    out.chart("canary_exposure", (points + means).properties(width=520, height=260), "Is a canary seen once remembered?",
              "Exposure of each canary (Carlini et al. 2019) in each text model: canaries written once into the "
              "training stream against canaries never shown, with the mean of each.", data="exposure")

    seen = [r for r in rows if r["inserted"]]
    size_colour = alt.Color("parameters:O", scale=alt.Scale(scheme="viridis"),
                            legend=alt.Legend(orient="bottom", title="Non-embedding parameters"))
    dots = alt.Chart().mark_circle(size=24, opacity=0.5).encode(
        x=alt.X("steps_before_end:Q", title="Steps between the canary's batch and the end of training"),
        y=alt.Y("exposure_bits:Q", title="Exposure (bits)"), color=size_colour,
        tooltip=["canary:N", "parameters:Q", "steps_before_end:Q", alt.Tooltip("exposure_bits:Q", format=".2f")])
    # A least-squares line per size: the trend through noisy single canaries.
    trend = alt.Chart().transform_regression("steps_before_end", "exposure_bits", groupby=["parameters"]).mark_line(
    ).encode(x="steps_before_end:Q", y="exposure_bits:Q", color=size_colour)
    out.chart("exposure_by_recency", alt.layer(dots, trend, data=alt.Data(values=seen)).properties(width=520, height=260),
              "Does a recent canary stay better?",
              "Exposure of each canary seen once against how many steps before the end of training it was seen, "
              "with a least-squares line per model size.", data="exposure")

    arms = [r | {"arm": arm_of(run, large, small)} for run, r in zip(runs, _rows(runs), strict=True)
            if arm_of(run, large, small)]
    strip = alt.Chart().mark_point(filled=True, size=50).encode(
        x=alt.X("arm:N", sort=list(ARMS), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("held_out_bits:Q", scale=alt.Scale(zero=False), title="Held-out loss (bits)"),
        color=alt.Color("arm:N", sort=list(ARMS), legend=None),
        tooltip=["modality:N", "arm:N", "seed:Q", "parameters:Q", alt.Tooltip("held_out_bits:Q", format=".4f")])
    mean = alt.Chart().mark_tick(size=24, thickness=2, color="#333").encode(
        x=alt.X("arm:N", sort=list(ARMS)), y="mean(held_out_bits):Q")
    out.chart("tickets", alt.layer(strip, mean, data=alt.Data(values=arms)).properties(width=260, height=240).facet(
        column=alt.Column("modality:N", title=None)).resolve_scale(y="independent"),
        "Lottery tickets against dense models and random masks",
        "Held-out loss of each seed in four arms: the small dense model, the large model pruned to the small one's "
        "count by magnitude and rewound (ticket), the same with a random mask, and the large dense model; ticks mark "
        "the means.", data="runs")
