from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    bootstrap: int                  # resamples of the MMLU-frontier trend
    loss_grid: int                  # grid points per axis of the loss surface
    inference_tokens: list[float]   # lifetime inference tokens for the inference-aware size


SPEC = Spec(
    title="The addendum: Chinchilla, overtraining and the shrinking of language models",
    tests=("addendum.undertrained", "addendum.remaining_gap", "essay.h5_inefficient_llms", "essay.h4_breadth",
           "lesswrong_reply.tiered_training"),
    page="evidence/scaling-laws.md",
    params=Params,
    catalog=("scaling", "exposure", "census"),
    data=("analyses/census/models.yaml",),
    profiles={"quick": {"bootstrap": 2000, "loss_grid": 40, "inference_tokens": [0, 1e11, 1e12, 1e13, 1e14]}},
    seed=0,
)
