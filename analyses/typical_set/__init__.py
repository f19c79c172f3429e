from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    p_black: float              # probability of a black pixel in the independent-pixel model
    sizes: list[int]            # image sizes in pixels
    k_sigma: list[int]          # typical-set widths in standard deviations
    markov_n: int               # pixels of the Markov chain
    markov_stay: float          # probability that a pixel repeats its neighbour
    ising_side: int
    ising_coupling: float
    ising_sweeps: int           # Gibbs sweeps
    samples: int                # pictures of each kind


SPEC = Spec(
    title="The typical set: why the most likely image is not a likely kind of image",
    tests=("comment.typical_set",),
    page="evidence/typical-set.md",
    params=Params,
    profiles={"quick": {"p_black": 0.51, "sizes": [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576],
                        "k_sigma": [1, 2, 3], "markov_n": 1024, "markov_stay": 0.9, "ising_side": 32,
                        "ising_coupling": 0.3, "ising_sweeps": 200, "samples": 3}},
)
