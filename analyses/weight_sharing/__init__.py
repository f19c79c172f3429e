from analyses._spec import Spec

SPEC = Spec(
    title="Weight sharing: what the same computation costs without reusing weights across positions",
    tests=("essay.h2_weight_sharing",),
    page="evidence/weight-sharing.md",
    catalog=("exposure", "brain", "census"),
    data=("analyses/census/configs/sd-v1-4/unet.json", "analyses/census/configs/vit-base-patch16/config.json",
          "analyses/census/configs/whisper-large/config.json", "analyses/census/configs/llama-2-7b/config.json"),
    # Everything runs on the meta device: shapes only, so one profile fits any machine.
    profiles={"quick": {"sd_size": 512, "vit_size": 224, "llm_context": 2048}},
)
