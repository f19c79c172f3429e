from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    steps: int              # denoising steps per sample, for images and video alike
    guidance_batch: int     # 2 with classifier-free guidance (a conditional and an unconditional pass)


SPEC = Spec(
    title="Brain versus models: the cortex in parameters, with ranges, and what video adds",
    tests=("essay.brain", "essay.h1_unfair_comparison", "addendum.remaining_gap"),
    page="evidence/brain.md",
    params=Params,
    catalog=("brain", "census"),
    # The SD v1 UNet config, to put a video model's compute next to an image model's.
    data=("analyses/modelstats/configs/sd-v1-4/unet.json",),
    # Counted on the meta device (shapes only): one profile fits any machine. Both image and video
    # use the same sampler budget so that the comparison is of the networks, not of the samplers.
    profiles={"quick": {"steps": 50, "guidance_batch": 2}},
)
