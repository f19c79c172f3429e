from analyses._spec import Spec

SPEC = Spec(
    title="Brain versus models: the cortex in parameters, with ranges, and what video adds",
    tests=("essay.brain", "essay.h1_unfair_comparison", "addendum.remaining_gap"),
    page="evidence/brain.md",
    catalog=("brain", "census"),
    profiles={"quick": {}},
)
