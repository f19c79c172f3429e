"""MoE active counts by hand, attention FLOPs split, and naive against fused attention."""

import torch

from analyses.dense_waste.analysis import flops_by_kind, fused_attention, moe_parameters, naive_attention
from analyses.modelstats.build import build


def test_moe_active_count_by_hand():
    # Mixtral layout, 2 layers, d=32, ff=64, 4 experts, 2 active. Each expert: 3·d·ff = 6,144 parameters,
    # so the 2 unused experts in each of 2 layers leave out 2 · 2 · 6,144 = 24,576 parameters per token.
    config = {"model_type": "mixtral", "vocab_size": 100, "hidden_size": 32, "intermediate_size": 64,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
              "num_local_experts": 4, "num_experts_per_tok": 2}
    counts = moe_parameters(build(config, "moe", "MixtralForCausalLM"), 4, 2)
    assert counts["expert"] == 2 * 4 * 3 * 32 * 64
    assert counts["total"] - counts["active"] == 2 * 2 * 3 * 32 * 64


def test_attention_flops_are_the_score_and_value_matmuls():
    # Llama layout: per token, attention costs 2 matmuls · 2 FLOPs · n · d per layer.
    config = {"model_type": "llama", "vocab_size": 100, "hidden_size": 32, "intermediate_size": 88,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4}
    flops = flops_by_kind(build(config, "llama", "LlamaForCausalLM"), 64)
    assert flops["attention"] == 2 * 2 * 2 * 64 * 32


def test_naive_and_fused_attention_agree():
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 4, 128, 32, generator=generator) for _ in range(3))
    torch.testing.assert_close(naive_attention(q, k, v), fused_attention(q, k, v), atol=1e-5, rtol=1e-4)
