# %% [markdown]
# # Compute per sample: the computation, step by step
#
# The page asks whether diffusion models get away with few parameters because they run their network many times
# per image. This notebook counts, with the analysis's own functions (`analyses/compute_per_sample/analysis.py`),
# the FLOPs of each part of Stable Diffusion v1, SDXL and SDXL-Turbo, and of a Llama 2 7B answer, on models built
# on PyTorch's meta device (shapes, no weights, nothing downloaded). It checks the sums against closed forms, runs
# the whole analysis, draws both charts of the page, and compares everything with the frozen results. It runs in
# about 20 seconds and needs no data files beyond the configs in the repository.

# %%
from analyses import catalog
from analyses._notebook import check, context, run, show_chart, show_table
from analyses.compute_per_sample import SPEC
from analyses.compute_per_sample import analysis as cps
from analyses.modelstats.build import read_config

rows = catalog.load(*SPEC.catalog)  # the cited figures, each with its source and locator
for row_id in ("sd_default_steps", "sdxl_turbo_steps", "words_per_token", "dalle_params", "dalle_image_tokens",
               "dalle_text_tokens"):
    print(f"{row_id}: {rows[row_id].value:,g} {rows[row_id].unit}\n    {rows[row_id].source}; {rows[row_id].locator}")
# The context run(ctx) gets: the parameters of the profile the page was frozen with, and the analysis's
# declared files (ctx.data opens only those).
files = context("compute_per_sample")
p = files.params
print(f"answer: {p['answer_words']} words at a context of {p['context']:,} tokens")

# %% [markdown]
# ## One Stable Diffusion v1 image
#
# `sd_parts` builds the CLIP text encoder, the UNet and the VAE from their configs and counts one forward pass of
# each with PyTorch's FLOP counter; the UNet works on a 64 × 64 latent (512 pixels downsampled 8× per side).
# `flops_per_image` then adds them up. Classifier-free guidance runs the text encoder twice (prompt and
# negative prompt) and the UNet on a batch of two at every step; the VAE decodes once at the end. The default
# sampler runs 50 steps (CompVis's reference script).

# %%
steps = int(rows["sd_default_steps"].value)
sd1 = cps.sd_parts(files, "sd-v1-4", 512)
assert sd1["unet_2"] == 2 * sd1["unet_1"]  # a batch of two costs exactly twice one
sd_image = cps.flops_per_image(sd1, steps, guidance=True)
assert sd_image == 2 * sd1["text"] + steps * sd1["unet_2"] + sd1["decode"]
sd_unet_share = 100 * steps * sd1["unet_2"] / sd_image
sd_depth = sd1["blocks"] * steps  # residual and transformer blocks traversed, one after another
for part in ("text", "unet_1", "decode"):
    print(f"{part}: {sd1[part]:,} FLOPs per pass")
print(f"one image, {steps} steps with guidance: {sd_image / 1e12:.2f} trillion FLOPs, {sd_unet_share:.2f}% in the UNet")
print(f"{sd1['parameters']:,} parameters; {sd1['blocks']} blocks per UNet pass, {sd_depth:,} per image")

# %% [markdown]
# ## SDXL, and SDXL-Turbo's single step
#
# SDXL base has the same pipeline with two text encoders and a larger UNet, at 1,024 pixels. SDXL-Turbo keeps
# SDXL's architecture, was distilled to generate at 512 pixels in a single network evaluation (Stability AI's
# model card; Sauer et al.), and needs no guidance.

# %%
sdxl = cps.sd_parts(files, "sdxl-base", 1024)
turbo = cps.sd_parts(files, "sdxl-base", 512)
assert turbo["parameters"] == sdxl["parameters"]  # same networks, smaller latent
sdxl_image = cps.flops_per_image(sdxl, steps, guidance=True)
turbo_image = cps.flops_per_image(turbo, int(rows["sdxl_turbo_steps"].value), guidance=False)
assert turbo_image == turbo["text"] + turbo["unet_1"] + turbo["decode"]
print(f"SDXL base, {steps} steps with guidance: {sdxl_image / 1e12:,.1f} trillion FLOPs per image")
print(f"SDXL-Turbo, one step: {turbo_image / 1e12:.2f} trillion FLOPs per image")
print(f"SD v1 spends {sd_image / turbo_image:.1f}× SDXL-Turbo's compute per image")

# %% [markdown]
# ## A language model's answer, and DALL-E's image
#
# `lm_flops` counts Llama 2 7B's FLOPs per token, averaged over a prefill of the whole context. Two terms make
# it up: 2 FLOPs per weight of every linear layer, and attention's score and value matmuls, 4 × layers × hidden
# size × context (the counter counts the full score matrix). An answer of 500 words is 500 / 0.75 tokens at
# OpenAI's rule of thumb. DALL-E's 12-billion-parameter transformer is counted at 2 FLOPs per parameter per token
# over 256 text and 1,024 image tokens (Ramesh et al.; Kaplan et al.'s approximation, attention left out).

# %%
config = read_config(files.data("analyses/modelstats/configs/llama-2-7b/config.json"))
llama = cps.lm_flops(config, p["context"])
d, layers, ffn = config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"]
linear_weights = layers * (4 * d * d + 3 * d * ffn) + config["vocab_size"] * d  # q, k, v, o; gate, up, down; head
assert llama["per_token"] == 2 * linear_weights + 4 * layers * d * p["context"]
answer_tokens = round(p["answer_words"] / rows["words_per_token"].value)
answer = llama["per_token"] * answer_tokens
dalle = 2 * rows["dalle_params"].value * (rows["dalle_image_tokens"].value + rows["dalle_text_tokens"].value)
print(f"Llama 2 7B: {llama['per_token'] / 1e9:.2f} billion FLOPs per token; {answer_tokens} tokens: "
      f"{answer / 1e12:.2f} trillion FLOPs")
print(f"DALL-E: {dalle / 1e12:.2f} trillion FLOPs per image")
print(f"the answer costs {answer / sd_image:.3f} of one SD v1 image")

# %% [markdown]
# ## Compute per parameter
#
# Dividing compute per sample by parameters shows how often, in effect, each weight is used per sample:
# many times over for a diffusion model, fewer for the language model's answer.

# %%
sd_per_parameter = sd_image / sd1["parameters"]
llm_per_parameter = answer / llama["parameters"]
print(f"SD v1: {sd_per_parameter:,.0f} FLOPs per parameter per image")
print(f"Llama 2 7B: {llm_per_parameter:,.0f} FLOPs per parameter per {p['answer_words']}-word answer")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does. It does not time this machine, so the timing step is
# skipped here; its frozen measurements are shown at the end. Its steps:

# %%
ctx = run("compute_per_sample")

# %% [markdown]
# The table that puts the five generators side by side:

# %%
show_table(ctx.results, "per_sample", columns=["model", "parameters", "flops_per_sample", "evaluations",
                                               "effective_depth", "flops_per_parameter"])

# %% [markdown]
# ### Chart: Compute per image grows with every step
#
# FLOPs per image rise in proportion to the number of sampling steps, with the LLM answer and DALL-E as
# reference lines. On the page the reader moves the steps, the guidance and the answer's length; the page
# evaluates `image_flops`, `answer_flops` and `answer_over_image` as Vega expressions (printed here), checked
# against the functions by the site's browser test. By hand, one step without guidance is one pass of each part:

# %%
print("Vega expression:", cps.image_flops.vega)
assert cps.image_flops(1, "without guidance", sd1["text"], sd1["unet_1"], sd1["unet_2"], sd1["decode"]) == (
    sd1["text"] + sd1["unet_1"] + sd1["decode"])
show_chart(ctx.results, "flops_by_steps")

# %% [markdown]
# ### Chart: Parameters against compute per sample
#
# One dot per generator: parameters on one axis, compute per sample on the other.

# %%
show_chart(ctx.results, "params_vs_compute")

# %% [markdown]
# ## Measured on the machine named on the page
#
# The analysis also times a half-width UNet step and a GPT-2 small token with random weights, to turn counted
# FLOPs into achieved FLOP/s. Timings vary between machines and runs, so this notebook does not copy them (the
# page shows them, with the machine); `nox -s analyses -- compute_per_sample --force` times yours.

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole run
# wrote, compared byte for byte with the frozen files.

# %%
check("compute_per_sample", {
    "sd1_flops_per_image": sd_image, "sd1_unet_share": sd_unet_share, "sdxl_flops_per_image": sdxl_image,
    "turbo_flops_per_image": turbo_image, "llm_answer_flops": answer, "dalle_flops_per_image": dalle,
    "sd1_flops_per_parameter": sd_per_parameter, "llm_flops_per_parameter": llm_per_parameter,
    "sd1_effective_depth": sd_depth, "sd1_over_turbo": sd_image / turbo_image,
    "llm_answer_over_sd_image": answer / sd_image}, ctx)
