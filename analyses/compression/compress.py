"""The three ways of shrinking a trained model, applied in place to its weights.

Every function takes and returns plain tensors, so the tests can check them on
hand-made weights and the analysis can use them on any of the three models.
"""

import contextlib

import torch


def quantise_rtn(weight: torch.Tensor, bits: int) -> torch.Tensor:
    """Round-to-nearest, symmetric, one scale per output channel; returns the dequantised weight.

    weight: (out_channels, ...) — a linear layer's (out, in), a conv's (out, in, kh, kw),
    an embedding's (vocab, dim) (one scale per token row). The scale of row r is
    s_r = max|w_r| / (2^(bits−1) − 1) and w' = s_r · clamp(round(w / s_r)), so every
    element moves by at most s_r / 2. This is the RTN baseline of GPTQ (Frantar et al.
    2022, §5), with per-channel scales as in Nagel et al. 2021 (arXiv 2106.08295, §2.2).
    At 2 bits the symmetric grid is {−s, 0, s}: three of the four codes are used.
    """
    rows = weight.reshape(weight.shape[0], -1)               # (out, fan_in)
    levels = 2 ** (bits - 1) - 1
    scale = rows.abs().amax(dim=1, keepdim=True) / levels    # (out, 1)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    return (torch.clamp(torch.round(rows / scale), -levels, levels) * scale).reshape(weight.shape)


def stored_bits_per_parameter(weights: dict[str, torch.Tensor], bits: int, total_parameters: int) -> float:
    """Bits stored per parameter of the whole model after RTN: the codes, one fp32 scale per
    output channel, and every parameter left unquantised (biases, norms) at 32 bits."""
    quantised = sum(w.numel() for w in weights.values())
    scales = sum(w.shape[0] for w in weights.values())
    return (bits * quantised + 32 * scales + 32 * (total_parameters - quantised)) / total_parameters


def magnitude_masks(weights: dict[str, torch.Tensor], sparsities: list[float], scope: str) -> list[dict]:
    """Keep-masks (True = kept) that zero the smallest-magnitude weights, one dict per sparsity.

    scope "layer": each tensor loses exactly round(sparsity · its size) weights.
    scope "global": one threshold over all tensors; exactly round(sparsity · total) weights
    go, wherever they are (Han et al. 2015, arXiv 1506.02626, §3, without retraining).
    The same selection as torch.nn.utils.prune's l1_unstructured and global_unstructured.
    Weights are ranked once per scope, so a grid of sparsities costs one sort.
    """
    if any(not 0 <= s < 1 for s in sparsities):
        raise ValueError(f"sparsities must be in [0, 1), got {sparsities}")
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    groups = [[name] for name in weights] if scope == "layer" else [list(weights)]
    ranks = {}                                                # name -> rank of each weight within its group
    for names in groups:
        scores = torch.cat([weights[n].detach().abs().flatten() for n in names])
        rank = torch.empty_like(scores, dtype=torch.long)
        rank[torch.argsort(scores, stable=True)] = torch.arange(scores.numel(), device=scores.device)
        for n, part in zip(names, rank.split([weights[n].numel() for n in names]), strict=True):
            ranks[n] = (part.reshape(weights[n].shape), scores.numel())
    return [{n: rank >= round(s * size) for n, (rank, size) in ranks.items()} for s in sparsities]


@contextlib.contextmanager
def replaced(weights: dict[str, torch.Tensor], new: dict[str, torch.Tensor]):
    """Copy new values into the model's own weight tensors, and put the originals back after."""
    saved = {name: w.detach().clone() for name, w in weights.items()}
    with torch.no_grad():
        for name, value in new.items():
            weights[name].copy_(value)
        try:
            yield
        finally:
            for name, value in saved.items():
                weights[name].copy_(value)
