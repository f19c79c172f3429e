from typing import TypedDict

from analyses._spec import Spec
from analyses.modelstats import CONFIGS, CONFIGS_DATA


class Params(TypedDict):
    contexts: list[int]                 # context lengths for FLOPs per token
    kv_contexts: list[int]              # context lengths for KV-cache sizes
    measure: list[list[str]]            # [model id, kind] pairs built with real random weights
    memory_chart_models: list[str]      # model ids on the memory chart


SPEC = Spec(
    title="How big are these models, really? Parameters, memory and FLOPs of real architectures",
    tests=("essay.question", "essay.h3_iterative_inference", "essay.h5_inefficient_llms", "untoreh.memory"),
    page="evidence/census.md",
    params=Params,
    # census: published counts and the sources' claims; exposure: training-set sizes and speech rates.
    catalog=("census", "exposure"),
    # The census counts every config of the shared folder (models.yaml names each): editing one stales it.
    data=tuple(sorted(f"{CONFIGS_DATA}/{p.relative_to(CONFIGS).as_posix()}" for p in CONFIGS.rglob("*.json"))),
    profiles={
        # Everything is counted on the meta device, so one profile fits any machine; "measure" builds
        # small models with real random weights to compare estimated with measured memory.
        "quick": {"contexts": [1024, 8192], "kv_contexts": [2048, 32768],
                  "measure": [["gpt2", "causal_lm"], ["whisper-tiny", "whisper"], ["vit-base-16", "image"]],
                  "memory_chart_models": ["gpt-j-6b", "gpt-neox-20b", "llama-2-7b", "llama-13b", "gpt-3-175b",
                                          "sd-v1", "whisper-large", "mixtral-8x7b"]},
    },
)
