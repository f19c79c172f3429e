"""Cross-modal scaling, trained here: one transformer family, one recipe, two modalities.

Models of six sizes learn 8×8 Fashion-MNIST images (16 grey levels, class-conditional, raster order)
and bytes of English text. Held-out loss in bits per pixel or byte is fitted by L(N) = L∞ + (N_c/N)^α
per modality and set beside Henighan et al. 2020's exponents. Independent judges then score samples
from each model: a classifier for images, vocabulary and word-pair checks for text.

run(ctx) reads the inputs, trains and judges every size, fits the laws, then records values and tables
and draws the charts; each step is a function below that takes plain inputs and returns records.
"""

import ast
import dataclasses
import functools
import hashlib
import inspect
import math
import os
import pathlib
import time
from collections.abc import Callable

import altair as alt
import numpy as np
import torch

from analyses import _datasets
from analyses._style import MODALITY_COLOURS, modality_scale
from analyses.cross_modal_scaling import SPEC, Recipe, data, fit, judges, model, train

# Checkpoints of runs, so an interrupted sweep resumes; ESSAY_CHECKPOINTS moves them to a path every node of a
# cluster shares (analyses/_executor.py).
CACHE = pathlib.Path(os.environ.get("ESSAY_CHECKPOINTS", ".cache")) / "cross_modal_scaling"
# Fashion-MNIST's class names in label order, from its README (github.com/zalandoresearch/fashion-mnist).
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
# The judge whose score decides "good enough", one per modality: images have one judge, text has two and
# word validity is the plainer of them.
PRIMARY_JUDGES = ("classifier accuracy", "word validity")


# ---------------------------------------------------------------- records

@dataclasses.dataclass
class Images:
    """Fashion-MNIST at side×side as token sequences: the training task, and both splits (the judge trains
    on them too)."""
    task: train.Task
    key: str                                     # prefix of its values in results.json
    side: int
    training: tuple[torch.Tensor, torch.Tensor]  # sequences (N, 1 + side²): class token, then pixels; labels (N,)
    test: tuple[torch.Tensor, torch.Tensor]
    site_modality = "vision"                     # its colour on every page's charts (analyses/_style.py)


@dataclasses.dataclass
class Text:
    """Bytes of English: the training task, both byte streams, and the documents by name (the judges read them)."""
    task: train.Task
    key: str                                     # prefix of its values in results.json
    training: torch.Tensor
    held: torch.Tensor
    docs: dict[str, str]
    site_modality = "language"                   # its colour on every page's charts (analyses/_style.py)


@dataclasses.dataclass
class ImageJudge:
    """A classifier trained on real images: a sample passes if it names the class the model was asked for."""
    classifier: torch.nn.Module
    real_accuracy: float                         # on real held-out images: the ceiling for samples


@dataclasses.dataclass
class TextJudge:
    """Word checks (judges.py): words found in held-out documents, word pairs found in training documents."""
    vocabulary: set[str]
    attested: set[tuple[str, str]]
    real_words: float                            # word validity of real training text: its ceiling
    real_pairs: float                            # word-pair attestation of real held-out text: its ceiling


@dataclasses.dataclass
class Run:
    """One training run: a row of the runs table."""
    modality: str
    layers: int
    width: int
    seed: int
    parameters: int                              # non-embedding
    tokens: int
    training_flops: float
    held_out_bits: float
    final_train_bits: float


@dataclasses.dataclass
class Throughput:
    """One run's speed on this machine: a row of the measured throughput table."""
    modality: str
    parameters: int
    seed: int
    tokens_per_second: int
    achieved_flops_per_second: float
    matmul_flops_per_second: float
    share_of_matmul_rate: float


@dataclasses.dataclass
class Score:
    """One judge's score of one model's samples: a row of the judges table."""
    modality: str
    parameters: int
    judge: str
    score: float
    relative_to_real: float                      # score over the same judge's score of real data


@dataclasses.dataclass
class TextSample:
    parameters: int
    sample: str


@dataclasses.dataclass
class Pixel:
    """One pixel of the image samples chart."""
    row: str
    label: str
    x: int
    y: int
    level: int


@dataclasses.dataclass
class Sweep:
    """Everything the training sweep made, as rows of the page's tables."""
    runs: list[Run] = dataclasses.field(default_factory=list)
    throughput: list[Throughput] = dataclasses.field(default_factory=list)
    scores: list[Score] = dataclasses.field(default_factory=list)
    image_samples: list[Pixel] = dataclasses.field(default_factory=list)
    text_samples: list[TextSample] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Fit:
    """L(N) = L∞ + (N_c/N)^α fitted to one modality's runs, with its residual-bootstrap refits."""
    modality: str
    key: str
    floor: float
    n_c: float
    alpha: float
    boot: np.ndarray                             # rows (L∞, N_c, α) of the refits that converged
    parameters: np.ndarray                       # N of each run fitted
    loss: np.ndarray                             # held-out bits of each run
    resolved: bool                               # the bootstrap keeps the floor well away from zero


@dataclasses.dataclass
class ToFloor:
    """Parameters for a modality's fitted loss to come within `within` of its own floor; None where the floor
    is not resolved."""
    modality: str
    key: str
    within: float
    largest_model: float
    parameters: float | None = None
    low: float | None = None                     # 95% bootstrap interval
    high: float | None = None

    def row(self) -> dict:
        """The to_floor table's row: 3 significant digits, and how far beyond the largest model trained."""
        row = {"modality": self.modality, "within_floor": f"{self.within:.0%}",
               "parameters": "not determined: floor not resolved", "low": "", "high": "", "beyond_largest_model": ""}
        if self.parameters is None:
            return row
        beyond = self.parameters / self.largest_model
        return row | {"parameters": float(f"{self.parameters:.3g}"), "low": float(f"{self.low:.3g}"),
                      "high": float(f"{self.high:.3g}"),
                      "beyond_largest_model": "no" if beyond <= 1 else f"{beyond:.2g}×" if beyond < 10
                      else f"{beyond:,.0f}×"}


@dataclasses.dataclass
class GoodEnough:
    """The smallest model whose samples reach `bar` of real data's score from the modality's primary judge."""
    modality: str
    key: str
    judge: str
    bar: float
    smallest_model: int | None                   # None: no size reaches it
    above_floor: float | None                    # its fitted loss over the floor, less 1; None if the floor is not resolved

    def row(self) -> dict:
        return {"modality": self.modality, "judge": self.judge, "share_of_real_score": f"{self.bar:.0%}",
                "smallest_model": "none of the sizes" if self.smallest_model is None else self.smallest_model,
                "fitted_loss_above_floor": "" if self.above_floor is None else f"{self.above_floor:.0%}"}


# ---------------------------------------------------------------- run

def run(ctx) -> None:
    p = ctx.params

    ctx.step("the machine's dense matrix-multiply rate")
    peak = matmul_flops_per_second(ctx.device)

    ctx.step("data: Fashion-MNIST sequences, text streams, the judges' references")
    modalities = [(task, image_judge(task, p["levels"], p["classifier_epochs"], ctx.seed) if isinstance(task, Images)
                   else text_judge(task, p["text_sample_bytes"], ctx.seed)) for task in tasks(p, ctx.seed, ctx.data)]

    sweep = train_and_judge(ctx.step, modalities, p, peak, ctx.device, ctx.seed)   # one step per run

    ctx.step("fits: L(N) = L∞ + (N_c/N)^α per modality, with bootstrap intervals")
    fits = [fit_modality(m, sweep.runs, p["bootstrap"], ctx.seed) for m, _ in modalities]
    to_floor = [row for f in fits for row in parameters_to_floor(f, p["within"])]
    good = [row for f in fits for row in good_enough(f, sweep.scores, p["good_enough"])]

    ctx.step("Henighan et al.'s exponents, and what the full profile would cost")
    flops_full = full_profile_flops()

    ctx.step("tables and charts")
    _values(ctx, modalities, sweep, fits, to_floor, good, flops_full)
    _tables(ctx, sweep, to_floor, good)
    _charts(ctx, [m for m, _ in modalities], sweep, fits, p["good_enough"], p["levels"])


# ---------------------------------------------------------------- data and judges

def tasks(p: dict, seed: int, path: Callable[[str], pathlib.Path]) -> list[Images | Text]:
    """Each modality's task: images at every side, then text. Files open through ``path``: ctx.data in a run
    (declared inputs), the plain path on a cluster's worker."""
    fashion = {split: _datasets.read_idx(*(path(f.path) for f in _datasets.FASHION_MNIST[split]))
               for split in ("train", "t10k")}
    images = [image_task(fashion, side, p["levels"], p["held_out"]) for side in p["image_sides"]]
    return [*images, text_task(_datasets.fortunes(path(_datasets.FORTUNES.path)), p["text_context"], p["held_out"], seed)]


def image_task(fashion: dict, side: int, levels: int, held_out: int) -> Images:
    """Fashion-MNIST at side×side as a task. ``fashion``: split -> (images (N, 28, 28) uint8, labels (N,))."""
    training, test = (data.image_sequences(*fashion[split], side, levels) for split in ("train", "t10k"))
    sequences = training[0]
    task = train.Task(f"images {side}×{side}", levels + data.CLASSES, side * side,
                      lambda b, g: sequences[torch.randint(0, len(sequences), (b,), generator=g)],
                      test[0][:held_out])
    return Images(task, f"images_{side}x{side}", side, training, test)


def text_task(fortunes: list[str], context: int, held_out: int, seed: int) -> Text:
    training, held, docs = data.text_streams(fortunes)
    fixed = data.windows(held, context + 1, held_out, torch.Generator().manual_seed(seed))
    task = train.Task("text", 256, context, lambda b, g: data.windows(training, context + 1, b, g), fixed)
    return Text(task, "text", training, held, docs)


def image_judge(images: Images, levels: int, epochs: int, seed: int) -> ImageJudge:
    (train_seqs, train_labels), (test, test_labels) = images.training, images.test
    classifier = judges.train_classifier(data.dequantise(train_seqs[:, 1:], levels), train_labels, epochs, seed)
    real = judges.classifier_accuracy(classifier, data.dequantise(test[:, 1:], levels), test_labels)
    return ImageJudge(classifier, real)


def text_judge(text: Text, sample_bytes: int, seed: int) -> TextJudge:
    """The vocabulary of held-out documents and the word pairs of training ones; real text from the other
    split sets each judge's ceiling."""
    held_docs = [t for name, t in text.docs.items() if data.is_held_out(name)]
    train_docs = [t for name, t in text.docs.items() if not data.is_held_out(name)]
    vocabulary, attested = judges.vocabulary(held_docs), judges.bigrams(train_docs)
    generator = torch.Generator().manual_seed(seed)
    real_train = [data.decode(w) for w in data.windows(text.training, sample_bytes, 256, generator)]
    real_held = [data.decode(w) for w in data.windows(text.held, sample_bytes, 256, generator)]
    return TextJudge(vocabulary, attested, judges.word_validity(real_train, vocabulary),
                     judges.bigram_attestation(real_held, attested))


# ---------------------------------------------------------------- training and judging

def matmul_flops_per_second(device: str, n: int = 2048, repeats: int = 5) -> float:
    """The machine's dense fp32 matrix-multiply rate, measured: 2n³ FLOPs per product, median of repeats
    after one warm-up product."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b
    times = []
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        began = time.perf_counter()
        a @ b
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - began)
    return 2 * n ** 3 / float(np.median(times))


def every_run(sizes: list, seeded_sizes: int, extra_seeds: int):
    """(index, size, seed) of each run: seed 0 for every size, extra seeds for the smallest seeded_sizes."""
    for i, size in enumerate(sizes):
        for seed in range(1 + (extra_seeds if i < seeded_sizes else 0)):
            yield i, size, seed


def run_folder(task: train.Task, size: model.Size, recipe: Recipe, seed: int, device: str) -> pathlib.Path:
    """A run's checkpoint folder, named by a hash of everything that decides its result."""
    code = "".join(inspect.getsource(m) for m in (model, train, data))
    key = repr((task.name, task.vocab, task.context, size, recipe.steps, recipe.batch, recipe.learning_rate,
                recipe.warmup, seed, device, torch.__version__, code))
    return CACHE / hashlib.sha256(key.encode()).hexdigest()[:16]


def train_and_judge(announce: Callable[[str], None], modalities: list[tuple], p: dict, peak: float, device: str,
                    seed: int) -> Sweep:
    """Train every size of every modality; judge the samples of each size's seed-0 model. Images keep one
    sample a class from the smallest and largest models, and real images of the same classes."""
    recipe, sizes = Recipe(**p["recipe"]), [model.Size(*s) for s in p["sizes"]]
    sweep = Sweep()
    for task_data, judge in modalities:
        for i, size, run_seed in every_run(sizes, p["seeded_sizes"], p["extra_seeds"]):
            announce(f"{task_data.task.name}: {size.layers} layers × {size.width} wide, seed {run_seed}")
            net, run_row, throughput = train_one(task_data.task, size, recipe, run_seed, device, peak)
            sweep.runs.append(run_row)
            sweep.throughput.append(throughput)
            if run_seed == 0 and isinstance(task_data, Images):
                score, one_a_class = judge_images(net, task_data, judge, p["image_samples_per_class"], p["levels"],
                                                  seed, device)
                sweep.scores.append(score)
                if i in (0, len(sizes) - 1):
                    side = task_data.side
                    sweep.image_samples += _pixels(one_a_class, side, f"{side}×{side}, {run_row.parameters:,} parameters")
            elif run_seed == 0:
                scores, sample = judge_text(net, task_data, judge, p["text_samples"], p["text_sample_bytes"], seed,
                                            device)
                sweep.scores += scores
                sweep.text_samples.append(sample)
        if isinstance(task_data, Images):
            side = task_data.side
            sweep.image_samples += _pixels(real_images(task_data, p["levels"]), side, f"{side}×{side}, real images")
    return sweep


# ---------------------------------------------------------------- the sweep on a cluster (analyses/_executor.py)

FASHION_TRAINING_IMAGES = 60_000      # Fashion-MNIST's training split (github.com/zalandoresearch/fashion-mnist)


def jobs(p: dict, seed: int, device: str) -> list[dict]:
    """Every training run of the sweep as an independent job, in train_and_judge's order: a job trains one run
    into the checkpoint folder that train_one then finds finished."""
    recipe, sizes = Recipe(**p["recipe"]), [model.Size(*s) for s in p["sizes"]]
    text_bytes = len(data.text_streams(_datasets.fortunes(pathlib.Path(_datasets.FORTUNES.path)))[0])
    modalities = [(f"images {side}×{side}", side, side * side, FASHION_TRAINING_IMAGES * side * side)
                  for side in p["image_sides"]] + [("text", 0, p["text_context"], text_bytes)]
    found = []
    for name, side, context, stream in modalities:
        for _, size, run_seed in every_run(sizes, p["seeded_sizes"], p["extra_seeds"]):
            with torch.device("meta"):   # counted, not built: a 100M-parameter model allocates nothing here
                net = model.GPT(size, 256, context)
            tokens = recipe.steps * recipe.batch * context
            found.append({"name": f"{name}: {size.layers} layers × {size.width} wide, seed {run_seed}",
                          "function": "analyses.cross_modal_scaling.analysis:train_job",
                          "args": (p, seed, side, size.layers, size.width, run_seed, device),
                          "flops": net.training_flops_per_token() * tokens, "tokens": tokens, "stream": stream,
                          "gpus": gpu_share(net.non_embedding_parameters(), device)})
    return found


def gpu_share(parameters: int, device: str) -> float:
    """The share of one GPU a run asks for, so that Ray packs small runs several to a GPU: a rule of thumb
    by non-embedding parameters, sized for 80 GB GPUs, not a measurement. No GPU on the CPU."""
    if device != "cuda":
        return 0
    return 0.125 if parameters < 1e6 else 0.25 if parameters < 1e7 else 0.5 if parameters < 5e7 else 1.0


def train_job(p: dict, seed: int, side: int, layers: int, width: int, run_seed: int, device: str,
              log: Callable[[str], None]) -> None:
    """On a cluster's worker: train one run of the sweep (side 0: text) into its checkpoint folder."""
    task = next(t for t in _worker_tasks(repr(p), seed) if (t.side if isinstance(t, Images) else 0) == side).task
    size, recipe = model.Size(layers, width), Recipe(**p["recipe"])
    train.train(task, size, recipe, run_seed, device, run_folder(task, size, recipe, run_seed, device), log)


@functools.cache
def _worker_tasks(params: str, seed: int) -> list[Images | Text]:
    """The tasks, built once a worker process (params as their repr, to be hashable)."""
    return tasks(ast.literal_eval(params), seed, pathlib.Path)


def train_one(task: train.Task, size: model.Size, recipe: Recipe, seed: int, device: str,
              peak: float) -> tuple[model.GPT, Run, Throughput]:
    """Train one model (or pick it up from its checkpoint); its run row, and its speed against the matmul rate."""
    net, result = train.train(task, size, recipe, seed, device, run_folder(task, size, recipe, seed, device),
                              lambda line: print(f"      {line}", flush=True))
    n, flops_per_token = net.non_embedding_parameters(), net.training_flops_per_token()
    run = Run(modality=task.name, layers=size.layers, width=size.width, seed=seed, parameters=n,
              tokens=result["tokens"], training_flops=float(f"{flops_per_token * result['tokens']:.4g}"),
              held_out_bits=result["held_out_bits"], final_train_bits=result["curve"][-1]["train_bits"])
    flops = flops_per_token * result["tokens_per_second"]
    throughput = Throughput(modality=task.name, parameters=n, seed=seed,
                            tokens_per_second=round(result["tokens_per_second"]),
                            achieved_flops_per_second=float(f"{flops:.3g}"), matmul_flops_per_second=float(f"{peak:.3g}"),
                            share_of_matmul_rate=round(flops / peak, 4))
    return net, run, throughput


def judge_images(net: model.GPT, images: Images, judge: ImageJudge, per_class: int, levels: int, seed: int,
                 device: str) -> tuple[Score, torch.Tensor]:
    """Sample per_class images of each class; the classifier's score, and the first sample of each class."""
    labels = torch.arange(data.CLASSES).repeat_interleave(per_class)
    prefix = (levels + labels)[:, None].to(device)
    sampler = torch.Generator().manual_seed(seed)
    codes = model.sample(net, prefix, images.side ** 2, sampler, allowed=slice(0, levels)).cpu()
    score = judges.classifier_accuracy(judge.classifier, data.dequantise(codes, levels), labels)
    return (Score(images.task.name, net.non_embedding_parameters(), "classifier accuracy", score,
                  score / judge.real_accuracy), codes[::per_class])


def judge_text(net: model.GPT, text: Text, judge: TextJudge, count: int, length: int, seed: int,
               device: str) -> tuple[list[Score], TextSample]:
    """Sample count passages from a newline; both judges' scores, and the first passage's start."""
    prefix = torch.full((count, 1), ord("\n"), device=device)
    sampler = torch.Generator().manual_seed(seed)
    passages = [data.decode(s) for s in model.sample(net, prefix, length, sampler)]
    n = net.non_embedding_parameters()
    words = judges.word_validity(passages, judge.vocabulary)
    pairs = judges.bigram_attestation(passages, judge.attested)
    return ([Score(text.task.name, n, "word validity", words, words / judge.real_words),
             Score(text.task.name, n, "word-pair attestation", pairs, pairs / judge.real_pairs)],
            TextSample(n, passages[0][:200]))


def real_images(images: Images, levels: int) -> torch.Tensor:
    """The first held-out image of each class, as pixel codes (CLASSES, side²)."""
    test = images.test[0]
    return torch.stack([test[test[:, 0] == levels + c][0, 1:] for c in range(data.CLASSES)])


def _pixels(codes: torch.Tensor, side: int, row: str) -> list[Pixel]:
    return [Pixel(row, CLASS_NAMES[c], x, y, int(codes[c, y * side + x]))
            for c in range(len(codes)) for y in range(side) for x in range(side)]


# ---------------------------------------------------------------- fits

def fit_modality(task_data: Images | Text, runs: list[Run], resamples: int, seed: int) -> Fit:
    name = task_data.task.name
    n = np.array([r.parameters for r in runs if r.modality == name], float)
    loss = np.array([r.held_out_bits for r in runs if r.modality == name])
    floor, n_c, alpha = fit.fit(n, loss)
    boot = fit.bootstrap(n, loss, resamples, seed)
    # The floor is resolved only if the bootstrap keeps it well away from zero; otherwise "parameters to
    # the floor" is an artefact of the fit and is not reported.
    resolved = bool(np.percentile(boot[:, 0], 2.5) > 0.1 * floor)
    return Fit(name, task_data.key, floor, n_c, alpha, boot, n, loss, resolved)


def parameters_to_floor(law: Fit, within: list[float]) -> list[ToFloor]:
    """For each distance to the floor: the fitted size to come that close, with its bootstrap interval."""
    rows = []
    for w in within:
        row = ToFloor(law.modality, law.key, w, law.parameters.max())
        if law.resolved:
            spread = np.array([fit.parameters_to_floor(*b, w) for b in law.boot])
            row.low, row.high = np.percentile(spread, [2.5, 97.5])
            row.parameters = fit.parameters_to_floor(law.floor, law.n_c, law.alpha, w)
        rows.append(row)
    return rows


def primary_scores(scores: list[Score], modality: str) -> list[Score]:
    return [s for s in scores if s.modality == modality and s.judge in PRIMARY_JUDGES]


def good_enough(law: Fit, scores: list[Score], bars: list[float]) -> list[GoodEnough]:
    """For each share of real data's score: the smallest model reaching it, and where the fit puts its loss."""
    primary = primary_scores(scores, law.modality)
    rows = []
    for bar in bars:
        passing = [s.parameters for s in primary if s.relative_to_real >= bar]
        smallest = min(passing) if passing else None
        above = None
        if passing and law.resolved:
            above = fit.power_law(smallest, law.floor, math.log(law.n_c), law.alpha) / law.floor - 1
        rows.append(GoodEnough(law.modality, law.key, primary[0].judge, bar, smallest, above))
    return rows


def full_profile_runs():
    """(size, context, tokens) of each run in the full profile, to state its cost."""
    full = SPEC.profiles["full"]
    contexts = [side * side for side in full["image_sides"]] + [full["text_context"]]
    tokens = full["recipe"]["steps"] * full["recipe"]["batch"]
    for c in contexts:
        for _, s, _ in every_run(full["sizes"], full["seeded_sizes"], full["extra_seeds"]):
            yield s, c, tokens * c


def full_profile_flops() -> float:
    """Training FLOPs of the full profile's sweep: FLOPs a token times tokens, summed over its runs."""
    return sum(model.GPT(model.Size(*s), 1, c).training_flops_per_token() * t for s, c, t in full_profile_runs())


# ---------------------------------------------------------------- values, tables, charts

def _values(ctx, modalities: list[tuple], sweep: Sweep, fits: list[Fit], to_floor: list[ToFloor],
            good: list[GoodEnough], flops_full: float) -> None:
    out = ctx.results
    _data_values(out, modalities)
    for law in fits:
        _modality_values(out, law, sweep.scores)
    for row in to_floor:
        if row.parameters is not None:
            out.value(f"{row.key}_params_within_{round(100 * row.within)}pct", row.parameters, "parameters",
                      f"{row.modality}: parameters to come within {row.within:.0%} of its own floor (fit, 95% interval)",
                      low=row.low, high=row.high)
    for row in good:
        if row.smallest_model is not None:
            out.value(f"{row.key}_good_enough_{round(100 * row.bar)}pct", row.smallest_model, "parameters",
                      f"{row.modality}: smallest model whose samples reach {row.bar:.0%} of real data's judge score")
    alphas = {law.key: law.alpha for law in fits}
    if "images_8x8" in alphas:
        theirs = ctx.row("henighan_alpha_image_8").value / ctx.row("henighan_alpha_language").value
        out.value("alpha_ratio_henighan", theirs, "×", "Henighan et al.: α of 8×8 images over α of language",
                  sources=("henighan_alpha_image_8", "henighan_alpha_language"))
        out.value("alpha_ratio_here", alphas["images_8x8"] / alphas["text"], "×", "Here: α of 8×8 images over α of text")
    out.value("full_profile_training_flops", flops_full, "FLOPs", "Training FLOPs of the full profile's sweep")
    out.value("full_profile_h100_hours", flops_full / ctx.row("h100_fp32_flops").value / 3600, "hours",
              "Full profile on one H100 at its FP32 peak: a lower bound", sources=("h100_fp32_flops",))
    out.value("tokens_per_run", sweep.runs[0].tokens, "tokens", "Training tokens per run (every size, every modality)")


def _data_values(out, modalities: list[tuple]) -> None:
    """The data's sizes, and each judge's score of real data: the ceilings of the judges table."""
    for task_data, judge in modalities:
        if isinstance(task_data, Images):
            side = task_data.side
            out.value(f"classifier_accuracy_{side}", 100 * judge.real_accuracy, "%",
                      f"Judge: the classifier's accuracy on real held-out {side}×{side} images")
        else:
            out.value("text_bytes_train", len(task_data.training), "bytes", "Text: training bytes")
            out.value("text_bytes_held_out", len(task_data.held), "bytes", "Text: held-out bytes")
            out.value("real_word_validity", 100 * judge.real_words, "%",
                      "Judge: real training text, words found in held-out text")
            out.value("real_bigram_attestation", 100 * judge.real_pairs, "%",
                      "Judge: real held-out text, word pairs found in training")


def _modality_values(out, law: Fit, scores: list[Score]) -> None:
    """One modality's fit, with 95% bootstrap intervals, and its judges' scores relative to real data."""
    name, key = law.modality, law.key
    low, high = np.percentile(law.boot, [2.5, 97.5], axis=0)
    out.value(f"{key}_alpha", law.alpha, "", f"{name}: fitted exponent α (95% bootstrap interval)",
              low=low[2], high=high[2])
    out.value(f"{key}_floor", law.floor, "bits", f"{name}: fitted irreducible loss L∞ per pixel or byte",
              low=low[0], high=high[0])
    out.value(f"{key}_bootstrap_fits", len(law.boot), "", f"{name}: bootstrap refits that converged")
    out.value(f"{key}_smallest", law.parameters.min(), "parameters", f"{name}: smallest model")
    out.value(f"{key}_largest", law.parameters.max(), "parameters", f"{name}: largest model")
    out.value(f"{key}_best_bits", law.loss.min(), "bits", f"{name}: best held-out loss")
    primary = primary_scores(scores, name)
    out.value(f"{key}_judge_largest", 100 * max(primary, key=lambda s: s.parameters).relative_to_real, "%",
              f"{name}: largest model's judge score, relative to real data")
    out.value(f"{key}_judge_best", 100 * max(s.relative_to_real for s in primary), "%",
              f"{name}: best judge score of any size, relative to real data")


def _rows(records: list) -> list[dict]:
    return [dataclasses.asdict(r) for r in records]


def _tables(ctx, sweep: Sweep, to_floor: list[ToFloor], good: list[GoodEnough]) -> None:
    out = ctx.results
    out.table("runs", _rows(sweep.runs), "Every training run: size, seed, held-out loss")
    out.table("judges", _rows(sweep.scores), "Judges' scores of samples, and relative to real data")
    out.table("to_floor", [r.row() for r in to_floor],
              "Parameters to come within a given distance of each modality's own fitted floor")
    out.table("good_enough", [r.row() for r in good],
              "Smallest model whose samples reach a given share of real data's judge score")
    ctx.measurements.table("throughput", _rows(sweep.throughput), f"Training throughput on {ctx.device}, against "
                           "its measured fp32 matmul rate")
    out.table("text_samples", _rows(sweep.text_samples), "Text samples, temperature 1, from a newline")
    out.table("image_samples", _rows(sweep.image_samples),
              "Image samples, one per class, and real images (grey level 0–15)")


def _charts(ctx, modalities: list[Images | Text], sweep: Sweep, fits: list[Fit], bars: list[float],
            levels: int) -> None:
    out = ctx.results
    runs, scores, image_samples = _rows(sweep.runs), _rows(sweep.scores), _rows(sweep.image_samples)
    # Each task in the colour of its modality, as on every page of the site.
    scale = modality_scale(alt, (), {m.task.name: MODALITY_COLOURS[m.site_modality] for m in modalities})
    colours = alt.Color("modality:N", scale=scale, legend=alt.Legend(orient="bottom", title=None))
    lines = [{"modality": law.modality, "parameters": float(x),
              "fitted_bits": float(fit.power_law(x, law.floor, math.log(law.n_c), law.alpha))}
             for law in fits for x in np.geomspace(law.parameters.min(), law.parameters.max(), 40)]
    points = alt.Chart(alt.Data(values=runs)).mark_point(filled=True).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Non-embedding parameters (log scale)"),
        y=alt.Y("held_out_bits:Q", title="Held-out loss (bits per pixel or byte)", scale=alt.Scale(zero=False)),
        color=colours, tooltip=["modality:N", "parameters:Q", "seed:Q", alt.Tooltip("held_out_bits:Q", format=".4f")])
    curve = alt.Chart(alt.Data(values=lines)).mark_line().encode(x="parameters:Q", y="fitted_bits:Q", color=colours)
    out.chart("loss_vs_parameters", (points + curve).properties(width=520, height=300), "Loss against model size",
              "Held-out loss in bits per pixel (images) or per byte (text) against non-embedding parameters, one point "
              "per run, with the fitted power law per modality.", data="runs")

    chart = alt.Chart(alt.Data(values=scores)).mark_line(point=True).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Non-embedding parameters (log scale)"),
        y=alt.Y("relative_to_real:Q", title="Judge's score relative to real data", axis=alt.Axis(format="%")),
        color=alt.Color("judge:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["modality:N", "judge:N", "parameters:Q", alt.Tooltip("score:Q", format=".1%"),
                 alt.Tooltip("relative_to_real:Q", format=".1%")])
    rule = alt.Chart(alt.Data(values=[{"bar": b} for b in bars])).mark_rule(strokeDash=[4, 4], color="#888").encode(
        y="bar:Q")
    out.chart("acceptable_output", (chart + rule).properties(width=520, height=280), "Good enough to a judge?",
              "Each judge's score of samples relative to its score of real data, against model size; dashed lines at "
              + ", ".join(f"{b:.0%}" for b in bars) + ".", data="judges")

    grid = alt.Chart(alt.Data(values=image_samples)).mark_rect().encode(
        x=alt.X("x:O", axis=None), y=alt.Y("y:O", axis=None),
        color=alt.Color("level:Q", scale=alt.Scale(domain=[0, levels - 1], range=["#000000", "#ffffff"]), legend=None),
    ).properties(width=40, height=40).facet(
        row=alt.Row("row:N", title=None, sort=list(dict.fromkeys(r["row"] for r in image_samples)),
                    header=alt.Header(labelAngle=0, labelAlign="right", labelLimit=160)),
        column=alt.Column("label:N", title=None, sort=list(CLASS_NAMES),
                          header=alt.Header(labelAngle=-40, labelAlign="left", labelLimit=90))
    ).resolve_scale(x="independent", y="independent")   # 8×8 and 16×16 rows each keep their own grid
    out.chart("image_samples", grid, "Samples from the smallest and largest image models",
              "One class-conditional sample per Fashion-MNIST class from the smallest and the largest image model, "
              "above real held-out images of the same classes.", data="image_samples")
