from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    steps: list[int]                    # sampling steps on the FLOPs-by-steps curve
    answer_words: int                   # length of the LLM answer compared with one image
    context: int                        # the LLM's context while answering
    timing_unet_channels: list[int]     # block widths of the timed UNet (SD v1 layout)
    timing_latent: int                  # latent side of the timed UNet step
    timing_prompt: int                  # prompt tokens before the timed LLM token
    timing_new_tokens: int
    repeats: int                        # timing repeats (medians)


_CONFIGS = "analyses/modelstats/configs/"

SPEC = Spec(
    title="Compute per sample: diffusion's iterative inference against one-pass generators and LLMs",
    tests=("essay.h3_iterative_inference",),
    page="evidence/compute-per-sample.md",
    params=Params,
    test_overrides={"timing_unet_channels": [32, 64, 64, 64], "timing_latent": 8, "timing_prompt": 8,
                    "timing_new_tokens": 2, "repeats": 1},
    catalog=("compute", "exposure"),
    data=tuple(_CONFIGS + f for f in (
        "sd-v1-4/unet.json", "sd-v1-4/vae.json", "sd-v1-4/text_encoder.json",
        "sdxl-base/unet.json", "sdxl-base/vae.json", "sdxl-base/text_encoder.json", "sdxl-base/text_encoder_2.json",
        "llama-2-7b/config.json", "gpt2/config.json")),
    profiles={
        # Counting is on the meta device; the timing part builds a half-width SD UNet and GPT-2 small with
        # random weights on the CPU (or CUDA), which a 2-core machine does in well under a minute each.
        "quick": {"steps": [1, 2, 4, 8, 16, 25, 50, 100], "answer_words": 500, "context": 1024,
                  "timing_unet_channels": [160, 320, 640, 640], "timing_latent": 64, "timing_prompt": 128,
                  "timing_new_tokens": 16, "repeats": 3},
        "full": {"steps": [1, 2, 4, 8, 16, 25, 50, 100], "answer_words": 500, "context": 1024,
                 "timing_unet_channels": [320, 640, 1280, 1280], "timing_latent": 64, "timing_prompt": 512,
                 "timing_new_tokens": 64, "repeats": 10},
    },
)
