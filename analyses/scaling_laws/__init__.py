import pathlib
from typing import TypedDict

import yaml

from analyses._spec import Spec
from analyses.modelstats import CONFIGS_DATA

_HERE = pathlib.Path(__file__).parent


def _configs() -> tuple[str, ...]:
    """The config of every census model language_models.yaml names: their sizes are counted from them."""
    used = {e["census"] for e in yaml.safe_load((_HERE / "language_models.yaml").read_text())}
    census = yaml.safe_load((_HERE.parent / "census" / "models.yaml").read_text())
    return tuple(sorted(f"{CONFIGS_DATA}/{e['components']['model']['config']}" for e in census if e["id"] in used))


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
    catalog=("scaling", "benchmarks", "exposure", "census"),
    data=("analyses/census/models.yaml", "analyses/scaling_laws/language_models.yaml", *_configs()),
    profiles={"quick": {"bootstrap": 2000, "loss_grid": 40, "inference_tokens": [0, 1e11, 1e12, 1e13, 1e14]}},
    seed=0,
)
