from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    sd_size: int            # image side for the SD v1 UNet (pixels)
    vit_size: int           # image side for ViT-B/16 (pixels)
    llm_context: int        # tokens for Llama 2 7B


SPEC = Spec(
    title="Weight sharing: what the same computation costs without reusing weights across positions",
    tests=("essay.h2_weight_sharing",),
    page="evidence/weight-sharing.md",
    params=Params,
    catalog=("exposure", "brain", "census"),
    data=("analyses/modelstats/configs/sd-v1-4/unet.json", "analyses/modelstats/configs/vit-base-patch16/config.json",
          "analyses/modelstats/configs/whisper-large/config.json", "analyses/modelstats/configs/llama-2-7b/config.json"),
    # Everything runs on the meta device: shapes only, so one profile fits any machine.
    profiles={"quick": {"sd_size": 512, "vit_size": 224, "llm_context": 2048}},
)
