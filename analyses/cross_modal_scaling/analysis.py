"""Cross-modal scaling, trained here: one transformer family, one recipe, two modalities.

Models of six sizes learn 8×8 Fashion-MNIST images (16 grey levels, class-conditional, raster order)
and bytes of English text. Held-out loss in bits per pixel or byte is fitted by L(N) = L∞ + (N_c/N)^α
per modality and set beside Henighan et al. 2020's exponents. Independent judges then score samples
from each model: a classifier for images, vocabulary and word-pair checks for text.
"""

import hashlib
import inspect
import math
import pathlib
import time

import altair as alt
import numpy as np
import torch

from analyses import _datasets
from analyses.cross_modal_scaling import SPEC, Recipe, data, fit, judges, model, train

CACHE = pathlib.Path(".cache/cross_modal_scaling")      # checkpoints of runs, so an interrupted sweep resumes
# Fashion-MNIST's class names in label order, from its README (github.com/zalandoresearch/fashion-mnist).
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def image_task(fashion: dict, side: int, levels: int, held_out: int) -> tuple[train.Task, dict]:
    """The task, and the sequences and labels of both splits (the judge trains on them too).
    ``fashion``: split -> (images (N, 28, 28) uint8, labels (N,))."""
    splits = {split: data.image_sequences(*fashion[split], side, levels) for split in ("train", "t10k")}
    sequences, test = splits["train"][0], splits["t10k"][0]
    task = train.Task(f"images {side}×{side}", levels + data.CLASSES, side * side,
                      lambda b, g: sequences[torch.randint(0, len(sequences), (b,), generator=g)], test[:held_out])
    return task, splits


def text_task(fortunes: list[str], context: int, held_out: int,
              seed: int) -> tuple[train.Task, torch.Tensor, torch.Tensor, dict]:
    training, held, docs = data.text_streams(fortunes)
    fixed = data.windows(held, context + 1, held_out, torch.Generator().manual_seed(seed))
    task = train.Task("text", 256, context, lambda b, g: data.windows(training, context + 1, b, g), fixed)
    return task, training, held, docs


def run_folder(task: train.Task, size: model.Size, recipe: Recipe, seed: int, device: str) -> pathlib.Path:
    """A run's checkpoint folder, named by a hash of everything that decides its result."""
    code = "".join(inspect.getsource(m) for m in (model, train, data))
    key = repr((task.name, task.vocab, task.context, size, recipe.steps, recipe.batch, recipe.learning_rate,
                recipe.warmup, seed, device, torch.__version__, code))
    return CACHE / hashlib.sha256(key.encode()).hexdigest()[:16]


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


def run(ctx) -> None:
    p, out, device = ctx.params, ctx.results, ctx.device
    recipe = Recipe(**p["recipe"])
    sizes = [model.Size(*s) for s in p["sizes"]]

    ctx.step("the machine's dense matrix-multiply rate")
    peak = matmul_flops_per_second(device)

    ctx.step("data: Fashion-MNIST sequences, text streams, the judges' references")
    tasks, judge_of = [], {}
    fashion = {split: _datasets.fashion_mnist(ctx, split) for split in ("train", "t10k")}
    for side in p["image_sides"]:
        task, splits = image_task(fashion, side, p["levels"], p["held_out"])
        (train_seqs, train_labels), (test, test_labels) = splits["train"], splits["t10k"]
        classifier = judges.train_classifier(data.dequantise(train_seqs[:, 1:], p["levels"]), train_labels,
                                             p["classifier_epochs"], ctx.seed)
        real = judges.classifier_accuracy(classifier, data.dequantise(test[:, 1:], p["levels"]), test_labels)
        out.value(f"classifier_accuracy_{side}", 100 * real, "%",
                  f"Judge: the classifier's accuracy on real held-out {side}×{side} images")
        tasks.append(task)
        judge_of[task.name] = ("image", side, classifier, real, test)
    fortunes = _datasets.fortunes(ctx.data(_datasets.FORTUNES.path))
    task, training, held, docs = text_task(fortunes, p["text_context"], p["held_out"], ctx.seed)
    tasks.append(task)
    held_docs = [t for name, t in docs.items() if data.is_held_out(name)]
    train_docs = [t for name, t in docs.items() if not data.is_held_out(name)]
    vocabulary, attested = judges.vocabulary(held_docs), judges.bigrams(train_docs)
    generator = torch.Generator().manual_seed(ctx.seed)
    real_train = [data.decode(w) for w in data.windows(training, p["text_sample_bytes"], 256, generator)]
    real_held = [data.decode(w) for w in data.windows(held, p["text_sample_bytes"], 256, generator)]
    real_words, real_pairs = judges.word_validity(real_train, vocabulary), judges.bigram_attestation(real_held, attested)
    judge_of["text"] = ("text", None, None, (real_words, real_pairs), None)
    out.value("text_bytes_train", len(training), "bytes", "Text: training bytes")
    out.value("text_bytes_held_out", len(held), "bytes", "Text: held-out bytes")
    out.value("real_word_validity", 100 * real_words, "%", "Judge: real training text, words found in held-out text")
    out.value("real_bigram_attestation", 100 * real_pairs, "%", "Judge: real held-out text, word pairs found in training")

    runs, judged, throughput, image_samples, text_samples = [], [], [], [], []
    for task in tasks:
        kind, side, classifier, real, test = judge_of[task.name]
        for i, size in enumerate(sizes):
            for seed in range(1 + (p["extra_seeds"] if i < p["seeded_sizes"] else 0)):
                ctx.step(f"{task.name}: {size.layers} layers × {size.width} wide, seed {seed}")
                net, result = train.train(task, size, recipe, seed, device, run_folder(task, size, recipe, seed, device),
                                          lambda line: print(f"      {line}", flush=True))
                n = net.non_embedding_parameters()
                runs.append({"modality": task.name, "layers": size.layers, "width": size.width, "seed": seed,
                             "parameters": n, "tokens": result["tokens"],
                             "training_flops": float(f"{net.training_flops_per_token() * result['tokens']:.4g}"),
                             "held_out_bits": result["held_out_bits"],
                             "final_train_bits": result["curve"][-1]["train_bits"]})
                flops = net.training_flops_per_token() * result["tokens_per_second"]
                throughput.append({"modality": task.name, "parameters": n, "seed": seed,
                                   "tokens_per_second": round(result["tokens_per_second"]),
                                   "achieved_flops_per_second": float(f"{flops:.3g}"),
                                   "matmul_flops_per_second": float(f"{peak:.3g}"),
                                   "share_of_matmul_rate": round(flops / peak, 4)})
                if seed:
                    continue
                sampler = torch.Generator().manual_seed(ctx.seed)
                if kind == "image":
                    labels = torch.arange(data.CLASSES).repeat_interleave(p["image_samples_per_class"])
                    prefix = (p["levels"] + labels)[:, None].to(device)
                    codes = model.sample(net, prefix, side * side, sampler, allowed=slice(0, p["levels"])).cpu()
                    score = judges.classifier_accuracy(classifier, data.dequantise(codes, p["levels"]), labels)
                    judged.append({"modality": task.name, "parameters": n, "judge": "classifier accuracy",
                                   "score": score, "relative_to_real": score / real})
                    if i in (0, len(sizes) - 1):
                        first = codes[::p["image_samples_per_class"]]          # one sample per class
                        image_samples += _pixels(first, side, f"{side}×{side}, {n:,} parameters")
                else:
                    prefix = torch.full((p["text_samples"], 1), ord("\n"), device=device)
                    passages = [data.decode(s) for s in model.sample(net, prefix, p["text_sample_bytes"], sampler)]
                    for judge, score, ceiling in (
                            ("word validity", judges.word_validity(passages, vocabulary), real[0]),
                            ("word-pair attestation", judges.bigram_attestation(passages, attested), real[1])):
                        judged.append({"modality": task.name, "parameters": n, "judge": judge, "score": score,
                                       "relative_to_real": score / ceiling})
                    text_samples.append({"parameters": n, "sample": passages[0][:200]})
        if kind == "image":
            by_class = [test[test[:, 0] == p["levels"] + c][0, 1:] for c in range(data.CLASSES)]
            image_samples += _pixels(torch.stack(by_class), side, f"{side}×{side}, real images")

    ctx.step("fits: L(N) = L∞ + (N_c/N)^α per modality, with bootstrap intervals")
    fits, to_floor, resolved_floor = {}, [], {}
    for task in tasks:
        mine = [r for r in runs if r["modality"] == task.name]
        n = np.array([r["parameters"] for r in mine], float)
        loss = np.array([r["held_out_bits"] for r in mine])
        floor, n_c, alpha = fit.fit(n, loss)
        boot = fit.bootstrap(n, loss, p["bootstrap"], ctx.seed)
        low, high = np.percentile(boot, [2.5, 97.5], axis=0)
        fits[task.name] = (floor, n_c, alpha)
        key = _key(task.name)
        out.value(f"{key}_alpha", alpha, "", f"{task.name}: fitted exponent α (95% bootstrap interval)",
                  low=low[2], high=high[2])
        out.value(f"{key}_floor", floor, "bits", f"{task.name}: fitted irreducible loss L∞ per pixel or byte",
                  low=low[0], high=high[0])
        out.value(f"{key}_bootstrap_fits", len(boot), "", f"{task.name}: bootstrap refits that converged")
        out.value(f"{key}_smallest", n.min(), "parameters", f"{task.name}: smallest model")
        out.value(f"{key}_largest", n.max(), "parameters", f"{task.name}: largest model")
        out.value(f"{key}_best_bits", loss.min(), "bits", f"{task.name}: best held-out loss")
        # The floor is resolved only if the bootstrap keeps it well away from zero; otherwise "parameters to
        # the floor" is an artefact of the fit and is not reported.
        resolved = resolved_floor[task.name] = bool(np.percentile(boot[:, 0], 2.5) > 0.1 * floor)
        for within in p["within"]:
            need = fit.parameters_to_floor(floor, n_c, alpha, within)
            row = {"modality": task.name, "within_floor": f"{within:.0%}", "parameters": "not determined: floor not resolved",
                   "low": "", "high": "", "beyond_largest_model": ""}
            if resolved:
                spread = np.array([fit.parameters_to_floor(*b, within) for b in boot])
                low, high = np.percentile(spread, [2.5, 97.5])
                beyond = need / n.max()
                row |= {"parameters": float(f"{need:.3g}"), "low": float(f"{low:.3g}"), "high": float(f"{high:.3g}"),
                        "beyond_largest_model": "no" if beyond <= 1 else f"{beyond:.2g}×" if beyond < 10
                        else f"{beyond:,.0f}×"}
                out.value(f"{key}_params_within_{round(100 * within)}pct", need, "parameters",
                          f"{task.name}: parameters to come within {within:.0%} of its own floor (fit, 95% interval)",
                          low=low, high=high)
            to_floor.append(row)
    good = []
    for task in tasks:
        key = _key(task.name)
        primary = [r for r in judged if r["modality"] == task.name and r["judge"] in ("classifier accuracy",
                                                                                      "word validity")]
        floor, n_c, alpha = fits[task.name]
        for bar in p["good_enough"]:
            passing = [r["parameters"] for r in primary if r["relative_to_real"] >= bar]
            row = {"modality": task.name, "judge": primary[0]["judge"], "share_of_real_score": f"{bar:.0%}",
                   "smallest_model": min(passing) if passing else "none of the sizes", "fitted_loss_above_floor": ""}
            if passing and resolved_floor[task.name]:
                gap = fit.power_law(min(passing), floor, math.log(n_c), alpha) / floor - 1
                row["fitted_loss_above_floor"] = f"{gap:.0%}"
            if passing:
                out.value(f"{key}_good_enough_{round(100 * bar)}pct", min(passing), "parameters",
                          f"{task.name}: smallest model whose samples reach {bar:.0%} of real data's judge score")
            good.append(row)
        best = max(primary, key=lambda r: r["parameters"])
        out.value(f"{key}_judge_largest", 100 * best["relative_to_real"], "%",
                  f"{task.name}: largest model's judge score, relative to real data")
        out.value(f"{key}_judge_best", 100 * max(r["relative_to_real"] for r in primary), "%",
                  f"{task.name}: best judge score of any size, relative to real data")
    ctx.step("Henighan et al.'s exponents, and what the full profile would cost")
    ours = {_key(t.name): fits[t.name][2] for t in tasks}
    if "images_8x8" in ours:
        theirs = ctx.row("henighan_alpha_image_8").value / ctx.row("henighan_alpha_language").value
        out.value("alpha_ratio_henighan", theirs, "×", "Henighan et al.: α of 8×8 images over α of language",
                  sources=("henighan_alpha_image_8", "henighan_alpha_language"))
        out.value("alpha_ratio_here", ours["images_8x8"] / ours["text"], "×", "Here: α of 8×8 images over α of text")
    flops_full = sum(model.GPT(model.Size(*s), 1, c).training_flops_per_token() * t
                     for s, c, t in _full_profile_runs())
    out.value("full_profile_training_flops", flops_full, "FLOPs", "Training FLOPs of the full profile's sweep")
    out.value("full_profile_h100_hours", flops_full / ctx.row("h100_fp32_flops").value / 3600, "hours",
              "Full profile on one H100 at its FP32 peak: a lower bound", sources=("h100_fp32_flops",))

    ctx.step("tables and charts")
    out.value("tokens_per_run", runs[0]["tokens"], "tokens", "Training tokens per run (every size, every modality)")
    out.table("runs", runs, "Every training run: size, seed, held-out loss")
    out.table("judges", judged, "Judges' scores of samples, and relative to real data")
    out.table("to_floor", to_floor, "Parameters to come within a given distance of each modality's own fitted floor")
    out.table("good_enough", good, "Smallest model whose samples reach a given share of real data's judge score")
    ctx.measurements.table("throughput", throughput, f"Training throughput on {device}, against its measured fp32 "
                           "matmul rate")
    out.table("text_samples", text_samples, "Text samples, temperature 1, from a newline")
    out.table("image_samples", image_samples, "Image samples, one per class, and real images (grey level 0–15)")
    _charts(out, runs, judged, fits, image_samples, p["good_enough"], p["levels"])


def _full_profile_runs():
    """(size, context, tokens) of each run in the full profile, to state its cost."""
    full = SPEC.profiles["full"]
    contexts = [side * side for side in full["image_sides"]] + [full["text_context"]]
    tokens = full["recipe"]["steps"] * full["recipe"]["batch"]
    for c in contexts:
        for i, s in enumerate(full["sizes"]):
            for _ in range(1 + (full["extra_seeds"] if i < full["seeded_sizes"] else 0)):
                yield s, c, tokens * c


def _key(name: str) -> str:
    return name.replace("images ", "images_").replace("×", "x").replace(" ", "_")


def _pixels(codes: torch.Tensor, side: int, row: str) -> list[dict]:
    return [{"row": row, "label": CLASS_NAMES[c], "x": x, "y": y, "level": int(codes[c, y * side + x])}
            for c in range(len(codes)) for y in range(side) for x in range(side)]


def _charts(out, runs, judged, fits, image_samples, bars, levels) -> None:
    colours = alt.Color("modality:N", legend=alt.Legend(orient="bottom", title=None))
    lines = []
    for name, (floor, n_c, alpha) in fits.items():
        ns = [r["parameters"] for r in runs if r["modality"] == name]
        for x in np.geomspace(min(ns), max(ns), 40):
            lines.append({"modality": name, "parameters": float(x),
                          "fitted_bits": float(fit.power_law(x, floor, math.log(n_c), alpha))})
    points = alt.Chart(alt.Data(values=runs)).mark_point(filled=True).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Non-embedding parameters (log scale)"),
        y=alt.Y("held_out_bits:Q", title="Held-out loss (bits per pixel or byte)", scale=alt.Scale(zero=False)),
        color=colours, tooltip=["modality:N", "parameters:Q", "seed:Q", alt.Tooltip("held_out_bits:Q", format=".4f")])
    curve = alt.Chart(alt.Data(values=lines)).mark_line().encode(x="parameters:Q", y="fitted_bits:Q", color=colours)
    out.chart("loss_vs_parameters", (points + curve).properties(width=520, height=300), "Loss against model size",
              "Held-out loss in bits per pixel (images) or per byte (text) against non-embedding parameters, one point "
              "per run, with the fitted power law per modality.", data="runs")

    chart = alt.Chart(alt.Data(values=judged)).mark_line(point=True).encode(
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
