# %% [markdown]
# # The census: the computation, step by step
#
# The page counts the parameters, weight memory and FLOPs of real architectures, and checks the sizes the
# essay and untoreh's post argue from. This notebook builds a few of those models on PyTorch's `meta` device
# with the analysis's own functions (`analyses/census/analysis.py` and the modelstats library in
# `analyses/modelstats/`), checks their counts against hand formulas, then runs the whole census and compares
# everything with the frozen results on the page.
# Nothing is downloaded: every model is built from a config file in `analyses/modelstats/configs/`. It runs in
# about half a minute on a laptop CPU.

# %%
from analyses import catalog
from analyses._format import format_number
from analyses._notebook import check, context, run, show_chart, show_table, values
from analyses.census import analysis as census
from analyses.modelstats import CONFIGS, build, count, flops

rows = catalog.load("census", "exposure")  # published counts, the sources' claims, speech rates
entries = {entry["id"]: entry for entry in census.load_models()}  # models.yaml, validated
print(f"{len(entries)} architectures in models.yaml")
for row_id in ("params_gpt2", "params_sd_v1_unet", "essay_sd_params", "untoreh_6b_memory", "untoreh_sd_memory"):
    row = rows[row_id]
    spread = f" (range {row.low:g} to {row.high:g})" if row.low is not None else ""
    print(f"{row_id}: {format_number(row.value)} {row.unit}{spread}\n    {row.source}; {row.locator}")

# %% [markdown]
# ## Counting GPT-2 small without its weights
#
# `build` instantiates the model class named in the config on the `meta` device: every tensor gets a shape
# and no storage. `count_parameters` sums `numel()` over `parameters()`, which yields a tied tensor once, so
# GPT-2's output layer (tied to the token embeddings) is not counted twice. The hand formula of
# `decoder_parameters` gives the same number; for GPT-2 it reduces to 12·L·d² + 13·L·d per layer stack
# (attention and MLP matrices, their biases, two LayerNorms), plus token and position embeddings and a final
# LayerNorm. OpenAI's model card says 124 million.

# %%
gpt2_config = build.read_config(CONFIGS / "gpt2" / "config.json")
gpt2 = build.build(gpt2_config, "configs/gpt2/config.json", "GPT2LMHeadModel")
gpt2_params = count.count_parameters(gpt2)
gpt2_embedding = count.embedding_parameters(gpt2, gpt2_config["vocab_size"])
L, d, V, P = (gpt2_config[k] for k in ("n_layer", "n_embd", "vocab_size", "n_positions"))
assert gpt2_params == L * (12 * d * d + 13 * d) + V * d + P * d + 2 * d
assert gpt2_params == count.formula_from_config(gpt2_config)["total"]
assert gpt2_embedding == V * d + P * d  # token and position tables; the tied output layer adds nothing
print(f"GPT-2 small: {gpt2_params:,} parameters, {gpt2_embedding:,} of them in embeddings "
      f"(published: {rows['params_gpt2'].value:,.0f})")

# %% [markdown]
# ## Llama 2 7B and Mixtral 8x7B: size, compute per token, KV cache
#
# `measure_entry` does for one models.yaml entry what the full run does for every one: it counts parameters
# by component, weight bytes at each precision, FLOPs per token (with `FlopCounterMode`, over a 1,024-token
# prefill) and the bf16 key/value cache. A forward pass costs about 2 FLOPs per non-embedding parameter per
# token (Kaplan et al. 2020, Sec. 2.1); attention over the context adds the rest. The KV cache has a closed
# form: keys and values, for every layer, head and position, at 2 bytes each.
#
# Mixtral routes each token to 2 of its 8 experts, so it uses far fewer parameters per token than it holds;
# the formula gives both (its paper says 13B active).

# %%
params = context("census").params  # the parameters of the profile the page was frozen with
# Tokens Whisper emits for 30 s of speech (read aloud at 183 words/min, 0.75 words/token); only Whisper uses it,
# but measure_entry takes it for every model.
tokens_per_30s = flops.speech_tokens_in_30s(rows["oral_reading_rate"].value, rows["words_per_token"].value)
_, llama = census.measure_entry(entries["llama-2-7b"], params, tokens_per_30s)
llama_config = build.read_config(CONFIGS / entries["llama-2-7b"]["components"]["model"]["config"])
layers, heads = llama_config["num_hidden_layers"], llama_config["num_attention_heads"]
head_dim = llama_config["hidden_size"] // heads
kv_2048 = llama.kv_cache_bytes[2048]
assert kv_2048 == 2 * layers * heads * head_dim * 2048 * 2  # Llama 2 7B has no grouped-query attention
assert llama.weights_bytes["bf16"] == 2 * llama.parameters
flops_over_2n = llama.flops_per_unit / (2 * llama.non_embedding)
print(f"Llama 2 7B: {llama.parameters:,} parameters; {llama.flops_per_unit:.4g} FLOPs per token at 1k "
      f"context, {flops_over_2n:.3f} × 2N; KV cache for 2,048 tokens: {kv_2048 / census.GB:.3f} GB")

mixtral_config = build.read_config(CONFIGS / entries["mixtral-8x7b"]["components"]["model"]["config"])
mixtral = count.formula_from_config(mixtral_config)
print(f"Mixtral 8x7B: {mixtral['total']:,} parameters held, {mixtral['active']:,} used per token "
      f"(paper: {rows['params_mixtral_active'].value:,.0f})")

# %% [markdown]
# ## Stable Diffusion v1: which 890M?
#
# The essay says Stable Diffusion has 890M parameters. The model has three parts: the denoising UNet, the
# VAE (split here into the encoder, used only to edit images, and the decoder) and the CLIP text encoder.
# One image at 512×512 costs the text encoder twice (prompt and empty prompt for classifier-free guidance),
# 50 UNet evaluations on a batch of two, and one VAE decode. Memory at inference is the fp16 weights plus
# activations: at least the largest layer output (memory-efficient attention), at most the largest attention
# matrix (naive attention). untoreh's post says 3 to 5 GB.

# %%
sd_rows, sd = census.measure_entry(entries["sd-v1"], params, tokens_per_30s)
for r in sd_rows:
    print(f"  {r['component']:<13} {r['parameters']:>13,}")
unet = next(r["parameters"] for r in sd_rows if r["component"] == "unet")
sd_total = sd.parameters
assert sd_total == sum(r["parameters"] for r in sd_rows)
print(f"UNet {unet:,} (README: {rows['params_sd_v1_unet'].value:,.0f}); all parts {sd_total:,} "
      f"(essay: {rows['essay_sd_params'].value:,.0f})")

sd_flops = sd.flops_per_unit
assert sd_flops == 2 * sd.sd["text"] + 50 * sd.sd["unet_step_cfg"] + sd.sd["vae_decode"]
sd_in_llama_tokens = sd_flops / llama.flops_per_unit
print(f"one image: {sd_flops:.4g} FLOPs, {50 * sd.sd['unet_step_cfg'] / sd_flops:.0%} of them in the UNet's 50 "
      f"guided steps; as much compute as {sd_in_llama_tokens:,.0f} Llama 2 7B tokens")

sd_weights_gb = sd.weights_bytes["bf16"] / census.GB
sd_low = sd_weights_gb + sd.sd["activation_largest"] / census.GB
sd_high = sd_weights_gb + sd.sd["attention_matrix"] / census.GB
print(f"fp16 weights {sd_weights_gb:.2f} GB; with activations {sd_low:.2f} to {sd_high:.2f} GB")

# %% [markdown]
# ## The whole census
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine): every
# architecture of models.yaml, then the tables, the checks and the charts. Transformers warns on stderr about
# one reconstructed config (Chinchilla's token ids); those warnings are not results and are dropped.

# %%
ctx = run("census")

# %% [markdown]
# Every count beside the figure its makers published; the page explains each difference over 0.5%:

# %%
show_table(ctx.results, "published", limit=8, columns=["model", "counted", "published", "difference_pct"])

# %% [markdown]
# The sources' figures, checked. A claim holds when our figure is within 10% of it, and is roughly right
# within a factor of two:

# %%
show_table(ctx.results, "checks", columns=["claim", "we_find", "verdict"])

# %% [markdown]
# ### Chart: Parameters by modality and year
#
# Every architecture of the census by release month, on a log scale.

# %%
show_chart(ctx.results, "by_year")

# %% [markdown]
# ### Chart: Weight memory by precision
#
# Each halving of precision halves the bytes: 4, 2, 1 and half a byte a parameter.

# %%
show_chart(ctx.results, "memory")

# %% [markdown]
# ### Chart: Compute per output against parameters
#
# FLOPs per token, per image or per 30 s of audio; the dashed line is one forward pass at 2 FLOPs a parameter.

# %%
show_chart(ctx.results, "flops_vs_params")

# %% [markdown]
# ## Measured memory
#
# The estimates above are arithmetic. The page also records the peak memory of three small models built with
# real random fp32 weights and run once, on the machine named on the page. Measurements of a machine vary
# between machines and runs, so this notebook does not copy them; `nox -s analyses -- census --force` measures
# yours.

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole
# run wrote, compared byte for byte with the frozen files.

# %%
check("census", {"params_gpt2": gpt2_params, "params_llama_2_7b": llama.parameters,
                 "llama2_7b_flops_per_token": llama.flops_per_unit, "kv_llama_2_7b_2048_gb": kv_2048 / census.GB,
                 "mixtral_active": mixtral["active"], "sd_v1_unet": unet, "sd_v1_total": sd_total,
                 "sd_v1_flops_per_image": sd_flops, "sd_v1_unet_step_flops": sd.sd["unet_step"],
                 "sd_image_in_llama_tokens": sd_in_llama_tokens, "sd_v1_weights_fp16_gb": sd_weights_gb,
                 "sd_v1_inference_gb": (sd_low + sd_high) / 2,
                 **values(ctx, "census_models", "largest_vision", "largest_audio", "largest_language")}, ctx)
