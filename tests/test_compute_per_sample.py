"""FLOPs per image are linear in steps, guidance doubles the UNet's share, and peak memory is measured."""

import torch
from diffusers import UNet2DConditionModel

from analyses._measure import peak_memory_bytes
from analyses.compute_per_sample.analysis import flops_per_image
from analyses.modelstats.flops import count_flops

PARTS = {"text": 7.0, "unet_1": 100.0, "unet_2": 200.0, "decode": 30.0}


def test_flops_per_image_scale_linearly_with_steps():
    f = {steps: flops_per_image(PARTS, steps, guidance=False) for steps in (1, 2, 50)}
    assert f[2] - f[1] == PARTS["unet_1"]
    assert f[50] == PARTS["text"] + 50 * PARTS["unet_1"] + PARTS["decode"]


def test_guidance_doubles_the_unet_share_on_a_real_unet():
    # A tiny UNet in SD's layout: a batch of two (prompt and negative prompt) costs exactly twice one.
    with torch.device("meta"):
        unet = UNet2DConditionModel(block_out_channels=(32, 64), down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32,
                                    layers_per_block=1, attention_head_dim=4, norm_num_groups=8, sample_size=8)
    flops = {b: count_flops(unet, torch.zeros(b, 4, 8, 8, device="meta"), torch.zeros(b, device="meta"),
                            encoder_hidden_states=torch.zeros(b, 77, 32, device="meta")) for b in (1, 2)}
    assert flops[2] == 2 * flops[1]
    parts = {"text": 0.0, "unet_1": flops[1], "unet_2": flops[2], "decode": 0.0}
    assert flops_per_image(parts, 50, guidance=True) == 2 * flops_per_image(parts, 50, guidance=False)


def test_peak_memory_sees_a_materialised_matrix():
    x = torch.randn(512, 64)
    # x @ xᵀ allocates a 512 × 512 float32 matrix: 1 MiB.
    assert peak_memory_bytes(lambda: x @ x.T, "cpu") >= 512 * 512 * 4
