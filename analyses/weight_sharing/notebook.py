# %% [markdown]
# # Weight sharing: the computation, step by step
#
# The page asks how many parameters a model would need if it could not reuse a weight across positions, as
# the visual cortex cannot, and finds that language models reuse their weights even more than vision models.
# This notebook measures that "unshared equivalent" with the analysis's own functions
# (`analyses/weight_sharing/analysis.py`): first on one convolution, where it can be checked by hand, then on
# ViT-B/16, Llama 2 7B and the Stable Diffusion v1 UNet, built on PyTorch's `meta` device from the census's
# config files. It then runs the whole analysis and checks everything against the frozen results. It runs in
# about ten seconds on a laptop CPU and downloads nothing.

# %%
import math

import torch
from torch import nn

from analyses import catalog
from analyses._notebook import check, context, run, show_chart, show_table, values
from analyses.brain import area_counts
from analyses.modelstats.build import build, read_config
from analyses.weight_sharing import analysis as sharing

params = context("weight_sharing").params  # the profile the page was frozen with: sizes and context length
print(f"SD v1 at {params['sd_size']}px, ViT-B/16 at {params['vit_size']}px, "
      f"Llama 2 7B on {params['llm_context']:,} tokens")

# %% [markdown]
# ## One convolution, by hand
#
# A forward hook records how many positions each module with parameters was applied at in one pass (batch
# size 1). A 3×3 convolution from 3 to 8 channels holds 8 × (3 × 3 × 3) weights and 8 biases. With padding
# 1 on a 32×32 image it is applied at every one of the 32 × 32 output positions, so a locally connected
# layer (one filter per position) would need that many copies.

# %%
conv = nn.Conv2d(3, 8, kernel_size=3, padding=1)
[record] = sharing.unshared_counts(conv, torch.zeros(1, 3, 32, 32))
assert record["parameters"] == 8 * 3 * 3 * 3 + 8
assert record["positions"] == 32 * 32
assert record["unshared"] == (8 * 3 * 3 * 3 + 8) * 32 * 32
print(f"{record['parameters']} parameters applied at {record['positions']:,} positions: "
      f"{record['unshared']:,} unshared")

# %% [markdown]
# ## ViT-B/16 at 224×224
#
# A vision transformer cuts the image into 16×16 patches and adds a class token, then applies every linear
# layer once per token. So its patch projection (a convolution with stride 16) runs at (224/16)² positions
# and every attention and MLP layer at one more. Only the classifier, applied to the class token alone,
# runs once.

# %%
size = params["vit_size"]
vit = build(read_config("analyses/modelstats/configs/vit-base-patch16/config.json"), "vit")
vit_records = sharing.unshared_counts(vit, pixel_values=torch.zeros(1, 3, size, size, device="meta"))
by_module = {r["module"]: r for r in vit_records}
patches = (size // 16) ** 2
assert by_module["vit.embeddings.patch_embeddings.projection"]["positions"] == patches
assert by_module["vit.layers.0.attention.q_proj"]["positions"] == patches + 1
assert by_module["classifier"]["positions"] == 1
vit_factor = sharing.sharing_factor(vit_records)
vit_unshared = sum(r["unshared"] for r in vit_records)
print(f"ViT-B/16: {sum(r['parameters'] for r in vit_records):,} parameters, {vit_unshared:,} unshared "
      f"({vit_factor:.1f}×)")
# The class token and position table sit in ViTEmbeddings, not an nn.Embedding, so the hook counts them at
# every token rather than once (see the module's docstring); their share of the total is small:
embeddings = by_module["vit.embeddings"]
print(f"ViTEmbeddings: {embeddings['parameters']:,} parameters at {embeddings['positions']} positions, "
      f"{embeddings['unshared'] / vit_unshared:.2%} of the unshared total")

# %% [markdown]
# ## Llama 2 7B reading 2,048 tokens
#
# In a decoder-only language model every linear layer and every norm runs at every token, including the
# output layer over the vocabulary. Only the token embedding is a lookup table, which counts once. So the
# unshared equivalent has a closed form: (parameters − embedding) × tokens + embedding, and the factor is
# just under the context length.

# %%
context = params["llm_context"]
llama_config = read_config("analyses/modelstats/configs/llama-2-7b/config.json")
llama = build(llama_config, "llama")
llama_records = sharing.unshared_counts(llama, input_ids=torch.zeros(1, context, dtype=torch.long, device="meta"))
llama_params = sum(r["parameters"] for r in llama_records)
embedding = llama_config["vocab_size"] * llama_config["hidden_size"]
llama_unshared = sum(r["unshared"] for r in llama_records)
assert llama_unshared == (llama_params - embedding) * context + embedding
llama_factor = sharing.sharing_factor(llama_records)
print(f"Llama 2 7B: {llama_params:,} parameters, {llama_unshared:,} unshared ({llama_factor:.1f}×)")

# %% [markdown]
# ## The Stable Diffusion v1 UNet at 512×512
#
# The UNet works on a latent 8 times smaller than the image, with 4 channels, conditioned on 77 CLIP text
# tokens. Unlike a transformer, it reuses layers unequally: the outer convolutions run at every latent
# pixel, the bottleneck at a few. Cross-attention's key and value projections run once per text token.

# %%
latent = params["sd_size"] // 8
unet = build(read_config("analyses/modelstats/configs/sd-v1-4/unet.json"), "unet")
unet_records = sharing.unshared_counts(
    unet, torch.zeros(1, 4, latent, latent, device="meta"), torch.zeros(1, device="meta"),
    encoder_hidden_states=torch.zeros(1, 77, unet.config.cross_attention_dim, device="meta"))
convs = [r for r in unet_records if r["kind"] == "Conv2d"]
assert convs[0]["positions"] == latent * latent  # conv_in, at every latent pixel
print(f"convolutions run at {min(r['positions'] for r in convs):,} to {max(r['positions'] for r in convs):,} "
      "positions")
unet_params = sum(r["parameters"] for r in unet_records)
unet_unshared = sum(r["unshared"] for r in unet_records)
unet_factor = sharing.sharing_factor(unet_records)
print(f"SD v1 UNet: {unet_params:,} parameters, {unet_unshared:,} unshared ({unet_factor:.1f}×)")

# %% [markdown]
# ## How much of the brain gap could sharing explain?
#
# The brain-scale analysis counts the visual cortex's synapses from cited figures (`area_counts`, reused
# here): Pakkenberg et al.'s neocortical synapse count times Millidge's share of cortex for vision, with a
# range from neuron counts times 1,000 to 10,000 synapses a neuron. The gap to the UNet, in orders of
# magnitude, is set against the orders of magnitude sharing adds to the UNet. The same correction applied
# to Llama 2 7B is set against the synapses of the language areas.

# %%
rows = catalog.load("brain")
visual = area_counts(lambda row_id: rows[row_id], "visual cortex")["synapses"]  # (low, central, high)
language = area_counts(lambda row_id: rows[row_id], "language areas")["synapses"]
gap = [math.log10(v / unet_params) for v in visual]
sharing_oom = math.log10(unet_factor)
explained = 100 * sharing_oom / gap[1]
llama_over_language = math.log10(llama_unshared / language[1])
print(f"visual cortex over the UNet: {gap[1]:.2f} orders ({gap[0]:.2f} to {gap[2]:.2f}); sharing saves "
      f"{sharing_oom:.2f}: {explained:.0f}% of the gap")
print(f"Llama 2 7B unshared over the language areas' synapses: {llama_over_language:+.2f} orders")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine): the three models
# above and Whisper large on 30 s of audio, whose decoder reads as many tokens as 30 s of speech holds
# (Brysbaert's 183 words a minute read aloud, at 0.75 words a token).

# %%
ctx = run("weight_sharing")
show_table(ctx.results, "totals")

# %% [markdown]
# ### Chart: Parameters with and without weight sharing
#
# Each model's parameters as built and its unshared equivalent, on a log scale.

# %%
show_chart(ctx.results, "totals")

# %% [markdown]
# ### Chart: Where the reuse happens
#
# Positions each convolution or linear layer is applied at, layer by layer in forward order.

# %%
show_chart(ctx.results, "depth")

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole
# run wrote, compared byte for byte with the frozen files.

# %%
check("weight_sharing", {"vit_b_16_unshared": vit_unshared, "vit_b_16_factor": vit_factor,
                         "llama_2_7b_unshared": llama_unshared, "llama_2_7b_factor": llama_factor,
                         "stable_diffusion_v1_unet_unshared": unet_unshared,
                         "stable_diffusion_v1_unet_factor": unet_factor, "vision_gap_oom": gap[1],
                         "vision_sharing_oom": sharing_oom, "vision_gap_explained": explained,
                         "llama_unshared_over_language_oom": llama_over_language,
                         **values(ctx, "whisper_large_unshared", "whisper_large_factor")}, ctx)
