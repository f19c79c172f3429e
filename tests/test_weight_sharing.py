"""Unshared-equivalent counts: a tiny conv net by hand, a toy transformer in closed form."""

import torch
from torch import nn

from analyses.modelstats.build import build
from analyses.weight_sharing.analysis import sharing_factor, unshared_counts


def test_locally_connected_conversion_of_a_tiny_conv_net_by_hand():
    # Conv2d(1 → 2 channels, 3×3) on a 5×5 image: 2·9 weights + 2 biases = 20 parameters, applied at the
    # 3×3 output positions, so a locally connected layer needs 20 × 9 = 180. The second conv (2 → 1, 3×3)
    # has 18 + 1 = 19 parameters at the single 1×1 output position.
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 1, 3)).to("meta")
    records = unshared_counts(net, torch.zeros(1, 1, 5, 5, device="meta"))
    assert [(r["parameters"], r["positions"], r["unshared"]) for r in records] == [(20, 9, 180), (19, 1, 19)]
    assert sharing_factor(records) == (180 + 19) / (20 + 19)


def test_linear_layer_on_tokens():
    layer = nn.Linear(4, 3).to("meta")
    (record,) = unshared_counts(layer, torch.zeros(1, 7, 4, device="meta"))
    assert record["unshared"] == (4 * 3 + 3) * 7


def test_toy_transformer_closed_form():
    # GPT-2 layout, N tokens: every block, final norm and (tied) output head is applied at each of the N
    # positions; the token and position tables are lookups and count once. So
    # unshared = N · (P − V·d − P_pos·d) + V·d + P_pos·d, with P the total parameters.
    vocab, d, positions, n = 50, 16, 32, 10
    config = {"model_type": "gpt2", "vocab_size": vocab, "n_positions": positions, "n_embd": d, "n_layer": 2,
              "n_head": 2}
    model = build(config, "toy", "GPT2LMHeadModel")
    total = sum(p.numel() for p in model.parameters())
    records = unshared_counts(model, input_ids=torch.zeros(1, n, dtype=torch.long, device="meta"))
    tables = vocab * d + positions * d
    assert sum(r["parameters"] for r in records) == total
    assert sum(r["unshared"] for r in records) == n * (total - tables) + tables
