"""Lottery tickets: prune a trained network by weight magnitude, rewind the survivors to early training.

Frankle et al. 2020, "Linear mode connectivity and the lottery ticket hypothesis" (arXiv 1912.05671),
Section 2, Algorithm 2 (iterative magnitude pruning with rewinding): train to the end, prune the weights
of smallest magnitude, reset the survivors to their values at an early step k rather than at
initialisation, and train again from step k. Here the pruning is done once (one shot), not iteratively.

Only the weight matrices of the blocks' linear layers are pruned, as in Frankle and Carbin 2019 and in
Chen et al. 2020's BERT tickets; embeddings, biases and LayerNorms stay dense.
"""

import torch

from analyses.cross_modal_scaling.model import GPT


def prunable(model: GPT) -> dict[str, torch.Tensor]:
    """The blocks' linear weight matrices, by parameter name."""
    return {name: p for name, p in model.named_parameters() if name.startswith("blocks.") and name.endswith(".weight")
            and p.dim() == 2}


def weights_to_keep(large: GPT, target_non_embedding: int) -> int:
    """How many prunable weights the large model keeps so that its non-zero non-embedding parameters equal
    target_non_embedding (a smaller dense model's N): the dense rest (biases, LayerNorms) is kept whole."""
    dense_rest = large.non_embedding_parameters() - sum(p.numel() for p in prunable(large).values())
    keep = target_non_embedding - dense_rest
    if not 0 < keep <= sum(p.numel() for p in prunable(large).values()):
        raise ValueError(f"cannot prune {large.size} to {target_non_embedding:,} non-embedding parameters: "
                         f"its biases and LayerNorms alone hold {dense_rest:,}")
    return keep


def magnitude_masks(weights: dict[str, torch.Tensor], keep: int) -> dict[str, torch.Tensor]:
    """0/1 masks that keep exactly `keep` weights: the largest in magnitude across all the matrices at
    once (global pruning). The count is exact even where magnitudes tie."""
    flat = torch.cat([w.detach().abs().reshape(-1) for w in weights.values()])
    chosen = torch.zeros_like(flat)
    chosen[torch.topk(flat, keep, sorted=False).indices] = 1
    parts = chosen.split([w.numel() for w in weights.values()])
    return {name: part.reshape(w.shape) for (name, w), part in zip(weights.items(), parts, strict=True)}


def random_masks(masks: dict[str, torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
    """The control: in each matrix, as many weights as the magnitude mask keeps there, but chosen at random."""
    shuffled = {}
    for name, mask in masks.items():
        order = torch.randperm(mask.numel(), generator=generator)
        chosen = torch.zeros(mask.numel())
        chosen[order[:int(mask.sum())]] = 1
        shuffled[name] = chosen.reshape(mask.shape)
    return shuffled


def rewind(early: dict[str, torch.Tensor], masks: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The ticket's starting weights: the state at the early step, with the pruned weights set to zero."""
    return {name: value * masks[name] if name in masks else value.clone() for name, value in early.items()}
