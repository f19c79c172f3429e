"""Parameters, memory and FLOPs of any transformers or diffusers model, from its config alone.

A small library, read top to bottom:

    build.py     read a config.json, choose the model class, build it on the meta device
                 (shapes without storage: a 70B model costs nothing, nothing is downloaded)
    count.py     unique parameters (tied tensors once), embeddings, a per-component breakdown,
                 and the analytic formula of a decoder-only transformer
    flops.py     FLOPs per unit of output (a token, an image, 30 s of audio, a denoising step)
                 with torch's FlopCounterMode, and the inputs each kind of model takes
    memory.py    bytes of weights by dtype, training state (weights, gradients, Adam), KV cache,
                 activations seen by forward hooks
    measure.py   real peak memory of a model built with random weights, in a process of its own
    configs/     the upstream configs of the architectures the census counts
    __main__.py  the command line: ``python -m analyses.modelstats PATH ...`` (``nox -s census -- PATH ...``)

The census analysis is one user; brain_scale, compute_per_sample, dense_waste and
weight_sharing build their models with it too.
"""

import pathlib

CONFIGS = pathlib.Path(__file__).parent / "configs"
CONFIGS_DATA = "analyses/modelstats/configs"  # the same folder as analyses declare their files in SPEC.data
