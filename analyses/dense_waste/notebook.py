# %% [markdown]
# # Compute waste in dense transformers: the computation, step by step
#
# The page tests a reader's claim that a dense transformer spends all its weights and all its context on every
# token. It finds that mixture-of-experts models do use a fraction of their weights per token, but attention over
# the context is a minor cost at ordinary lengths. This notebook redoes the counts with the analysis's own
# functions (`analyses/dense_waste/analysis.py`) on models built on PyTorch's meta device (shapes, no weights, so
# nothing is downloaded), checks them against closed forms, runs the whole analysis, shows the charts and ends
# by comparing everything with the frozen results. It runs in about ten seconds and needs no data files beyond
# the configs in the repository.

# %%
import math

import torch

from analyses import catalog
from analyses._notebook import check, frozen_table, run, show_chart, show_measured_chart, show_table
from analyses.dense_waste import SPEC
from analyses.dense_waste import analysis as dw
from analyses.modelstats import CONFIGS
from analyses.modelstats.build import build, read_config
from analyses.modelstats.count import count_parameters
from analyses.modelstats.memory import kv_cache_bytes

rows = catalog.load(*SPEC.catalog)  # the published figures the counts are compared with
for row_id in ("params_mixtral", "params_mixtral_active", "params_olmoe", "params_olmoe_active"):
    print(f"{row_id}: {rows[row_id].value:,.0f} {rows[row_id].unit}\n    {rows[row_id].source}; {rows[row_id].locator}")
mixtral_config = read_config(CONFIGS / "mixtral-8x7b" / "config.json")
olmoe_config = read_config(dw.HERE / "configs" / "olmoe-1b-7b.json")
llama_config = read_config(CONFIGS / "llama-2-7b" / "config.json")

# %% [markdown]
# ## Mixture of experts: weights per token
#
# `moe_parameters` counts every parameter of the model, then those inside its `experts` modules; a token runs
# only *k* of the *E* experts, so only *k*/*E* of the expert weights are active. Each expert is a gated MLP with
# three matrices of hidden size × expert size, so the expert weights must equal layers × *E* × 3 × hidden ×
# expert size. Mixtral 8x7B has 8 experts and runs 2; OLMoE has 64 and runs 8 (from their configs).

# %%
moe = {}
for key, name, config, experts in (("mixtral", "Mixtral 8x7B", mixtral_config, "num_local_experts"),
                                   ("olmoe", "OLMoE-1B-7B", olmoe_config, "num_experts")):
    counts = dw.moe_parameters(build(config, name), config[experts], config["num_experts_per_tok"])
    assert counts["expert"] == (config["num_hidden_layers"] * config[experts] * 3 * config["hidden_size"]
                                * config["intermediate_size"])
    moe[key] = counts
    published, published_active = rows[f"params_{key}"].value, rows[f"params_{key}_active"].value
    print(f"{name}: {counts['total']:,} parameters, {counts['active']:,} per token "
          f"({100 * counts['active'] / counts['total']:.2f}%); published {published:,.0f} and {published_active:,.0f}")

# %% [markdown]
# ## Attention's share of a 7B model's FLOPs
#
# `flops_by_kind` runs Llama 2 7B on meta tensors under PyTorch's FLOP counter and splits the FLOPs per token into
# attention (the score and value matmuls) and the rest. Both have closed forms. The rest is 2 FLOPs per weight of
# every linear layer, whatever the context. Attention is, per layer, 2·*n*·*d* for the scores *q·kᵀ* plus
# 2·*n*·*d* for the weighted sum of values, per token at context *n*: it grows linearly. The counter counts the
# full score matrix; a causal kernel skips about half of it.

# %%
contexts = (4096, 32768)
llama = build({**llama_config, "max_position_embeddings": max(contexts)}, "llama-2-7b")  # rotary past 4,096
d, layers = llama_config["hidden_size"], llama_config["num_hidden_layers"]
linear_weights = sum(m.weight.numel() for m in llama.modules() if isinstance(m, torch.nn.Linear))
flop_share = {}
for context in contexts:
    flops = dw.flops_by_kind(llama, context)
    assert flops["attention"] == 4 * layers * d * context
    assert flops["other"] == 2 * linear_weights
    flop_share[context] = 100 * flops["attention"] / (flops["attention"] + flops["other"])
    print(f"{context:,} tokens: attention {flops['attention']:,.0f} FLOPs per token, the rest {flops['other']:,.0f} "
          f"({flop_share[context]:.2f}% attention)")
# Attention's FLOPs equal the rest's where 4·L·d·n = 2·(linear weights).
flop_crossover = 2 * linear_weights / (4 * layers * d)
print(f"attention's FLOPs overtake the rest at {flop_crossover:,.0f} tokens")

# %% [markdown]
# ## Bytes read to decode one token
#
# Decoding is limited by memory traffic: each new token reads every weight once (bf16, 2 bytes each) plus the
# keys and values of every earlier token in every layer. `decode_traffic` gives both; the cache grows linearly and
# matches the weights at the crossover context.

# %%
parameters = count_parameters(llama)
kv_share = {}
for context in contexts:
    traffic = dw.decode_traffic(llama_config, parameters, context)
    head_dim = d // llama_config["num_attention_heads"]
    assert traffic["kv_cache"] == 2 * layers * llama_config["num_key_value_heads"] * head_dim * context * 2  # K and V
    kv_share[context] = 100 * traffic["kv_cache"] / (traffic["kv_cache"] + traffic["weights"])
    print(f"{context:,} tokens: KV cache {traffic['kv_cache'] / 1e9:.2f} GB, weights {traffic['weights'] / 1e9:.2f} GB "
          f"({kv_share[context]:.2f}% cache)")
kv_crossover = parameters * 2 / kv_cache_bytes(llama_config, 1)
print(f"the KV cache matches the weights at {kv_crossover:,.0f} tokens of context")

# %% [markdown]
# ## Fused attention computes the same function
#
# Naive attention materialises the *n* × *n* score matrix; torch's fused `scaled_dot_product_attention` does not.
# On the same seeded inputs they agree to float precision, so a fused kernel saves time and memory, never
# parameters.

# %%
generator = torch.Generator().manual_seed(0)
q, k, v = (torch.randn(1, 8, 256, 64, generator=generator) for _ in range(3))
torch.testing.assert_close(dw.naive_attention(q, k, v), dw.fused_attention(q, k, v), atol=1e-5, rtol=1e-4)
print("naive and fused attention agree (atol 1e-5, rtol 1e-4)")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does. It does not time this machine, so the benchmark step
# is skipped here; its measurements are shown further down as frozen. Its steps:

# %%
ctx = run("dense_waste")

# %% [markdown]
# The parameter counts beside the published figures (Jiang et al., *Mixtral of Experts*; Muennighoff et al.,
# *OLMoE*):

# %%
show_table(ctx.results, "moe", columns=["model", "experts", "active_experts", "total", "active", "active_share_pct",
                                        "published_total", "published_active"])

# %% [markdown]
# And attention's shares of FLOPs and of bytes read, by context:

# %%
show_table(ctx.results, "attention_share", columns=["context", "attention_flops", "other_flops",
                                                    "attention_flop_share_pct", "kv_traffic_share_pct"])

# %% [markdown]
# ### Chart: When attention dominates a 7B model
#
# Both shares climb with context and cross one half near the crossover contexts computed above.

# %%
show_chart(ctx.results, "attention_share")

# %% [markdown]
# ### Chart: Fused attention against naive attention
#
# Timings and memory of the machine named on the page: they vary between machines and runs, so the notebook
# does not copy them (the site shows the frozen chart here).

# %%
show_measured_chart("dense_waste", "benchmark")

# %% [markdown]
# The memory part of that benchmark has a closed form: the naive kernel's fp32 score matrix takes
# heads × *n*² × 4 bytes, which the fused kernel never allocates.

# %%
for r in frozen_table("dense_waste", "measured/benchmark"):
    assert math.isclose(r["score_matrix_mb"], r["heads"] * r["length"] ** 2 * 4 / 1e6, rel_tol=1e-7)
    print(f"n = {r['length']:>5,.0f}, {r['heads']:.0f} heads: score matrix {r['score_matrix_mb']:7.1f} MB")

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole run
# wrote, compared byte for byte with the frozen files.

# %%
check("dense_waste", {
    **{f"{key}_{what}": moe[key][what] for key in moe for what in ("total", "active")},
    **{f"{key}_active_pct": 100 * moe[key]["active"] / moe[key]["total"] for key in moe},
    **{f"attention_flop_share_{c}": flop_share[c] for c in contexts},
    **{f"kv_traffic_share_{c}": kv_share[c] for c in contexts},
    "flop_crossover_context": flop_crossover, "kv_crossover_context": kv_crossover}, ctx)
