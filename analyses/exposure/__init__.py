from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    distinct_images_per_second: list[float]     # assumed rates of distinct images seen


SPEC = Spec(
    title="Data exposure: what a person takes in versus a training set",
    tests=("essay.exposure", "essay.question"),
    page="evidence/exposure.md",
    params=Params,
    catalog=("exposure",),
    # Pure arithmetic over cited figures: one profile does for every machine.
    profiles={"quick": {"distinct_images_per_second": [0.01, 0.03, 0.1, 0.3, 1, 3, 10]}},
)
