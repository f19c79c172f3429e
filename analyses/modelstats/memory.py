"""Bytes: weights by dtype, training state, KV cache, and activations seen by forward hooks.

GB here is 10⁹ bytes, as the sources use it.
"""

import torch
from torch import nn

# Bytes per weight; int4 packs two weights a byte (quantisation scales not counted). The census's tables use
# all but fp16, which is bf16's size.
BYTES_PER_DTYPE = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
BYTES_PER_PARAM = {dtype: size for dtype, size in BYTES_PER_DTYPE.items() if dtype != "fp16"}


def weight_bytes(parameters: int) -> dict[str, float]:
    """Weights alone at each precision of BYTES_PER_PARAM."""
    return {dtype: parameters * size for dtype, size in BYTES_PER_PARAM.items()}


def training_bytes(parameters: int, dtype: str) -> dict[str, float]:
    """Weights, gradients and Adam's state for one training step, activations aside.

    Adam keeps two fp32 moments per weight. In fp32 training that is 4 + 4 + 8 = 16
    bytes a parameter; mixed precision (fp16/bf16) keeps 16-bit weights and gradients
    plus an fp32 master copy and the two moments, 2 + 2 + 12 = 16 bytes too
    (Rajbhandari et al. 2020, ZeRO, Sec. 3.1: "16Ψ bytes"). Training in int8/int4 is not
    counted. accelerate's estimate-memory reports the largest of these parts, not their sum.
    """
    if dtype == "fp32":
        parts = {"weights": 4 * parameters, "gradients": 4 * parameters, "adam_states": 8 * parameters}
    elif dtype in ("fp16", "bf16"):
        parts = {"weights": 2 * parameters, "gradients": 2 * parameters, "adam_states": 12 * parameters}
    else:
        raise ValueError(f"training memory is counted for fp32, fp16 and bf16, not {dtype}")
    return {**parts, "total": sum(parts.values())}


def kv_cache_bytes(config: dict, context: int, bytes_per_value: float = 2, batch: int = 1) -> float:
    """Keys and values of every layer: 2 · L · kv_heads · head_dim · context · batch · bytes.

    With grouped-query attention only ``num_key_value_heads`` heads are cached
    (Ainslie et al. 2023), e.g. 8 of Llama 3 8B's 32.
    """
    d = config.get("hidden_size") or config.get("n_embd") or config.get("d_model")
    layers = config.get("num_hidden_layers") or config.get("n_layer")
    heads = config.get("num_attention_heads") or config.get("n_head")
    kv_heads = config.get("num_key_value_heads") or config.get("multi_query_group_num") or heads
    head_dim = config.get("head_dim") or d // heads
    return 2 * layers * kv_heads * head_dim * context * batch * bytes_per_value


def forward_with_hooks(model: nn.Module, handles: list, *args, **kwargs):
    """One forward pass without gradients, then remove the hooks (also when the pass fails)."""
    try:
        with torch.no_grad():
            return model(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()


def leaf_activation_bytes(model: nn.Module, bytes_per_value: float, *args, **kwargs) -> dict[str, float]:
    """Sizes of every leaf module's output during one forward pass on meta tensors (forward hooks).

    ``largest`` is the biggest single output (a floor on peak activation memory at
    inference); ``total`` is what a training step would keep for backward (a ceiling).
    """
    sizes = []

    def hook(module, inputs, output):
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        sizes.append(sum(o.numel() for o in outputs if isinstance(o, torch.Tensor)))

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    forward_with_hooks(model, handles, *args, **kwargs)
    return {"largest": max(sizes) * bytes_per_value, "total": sum(sizes) * bytes_per_value}
