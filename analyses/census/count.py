"""Count parameters, weight memory and FLOPs of real architectures without their weights.

Every count comes from a model instantiated on PyTorch's ``meta`` device from
its upstream config: modules get shapes but no storage, so a 70B model costs
nothing to build. Parameters are counted once even when tied (``parameters()``
deduplicates shared tensors). FLOPs come from ``torch.utils.flop_counter``,
which counts 2 FLOPs per multiply-accumulate for matmuls, convolutions and
attention (scaled-dot-product attention included).
"""

import json
import pathlib

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

BYTES_PER_PARAM = {"fp32": 4, "bf16": 2, "int8": 1, "int4": 0.5}


class ConfigError(ValueError):
    """A config that cannot be turned into a model (one line: file and problem)."""


# ---------------------------------------------------------------- configs and models

def read_config(path: pathlib.Path) -> dict:
    """A config.json (or a folder holding one) as a dict."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "config.json"
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: malformed JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return config


def model_class(config: dict, where: str, class_name: str | None = None):
    """The transformers or diffusers class for a config: its ``_class_name``, ``architectures[0]``, or AutoModel."""
    import diffusers
    import transformers

    if "_class_name" in config:
        name = class_name or config["_class_name"]
        cls = getattr(diffusers, name, None)
        if cls is None:
            raise ConfigError(f"{where}: unknown diffusers _class_name '{name}'")
        return cls
    if "model_type" not in config:
        raise ConfigError(f"{where}: neither 'model_type' (transformers) nor '_class_name' (diffusers) is set")
    if config["model_type"] not in transformers.CONFIG_MAPPING:
        raise ConfigError(f"{where}: unknown model_type '{config['model_type']}' for transformers "
                          f"{transformers.__version__}")
    name = class_name or (config.get("architectures") or ["AutoModel"])[0]
    cls = getattr(transformers, name, None)
    if cls is None:
        raise ConfigError(f"{where}: transformers has no class '{name}'")
    return cls


def build(config: dict, where: str, class_name: str | None = None, subconfig: str | None = None) -> nn.Module:
    """Instantiate on the meta device: shapes without storage, nothing downloaded.

    ``torch.device("meta")`` as a context keeps tied weights tied (accelerate's
    init_empty_weights does not, see the census issue).
    """
    import transformers

    cls = model_class(config, where, class_name)
    try:
        with torch.device("meta"):
            if "_class_name" in config:
                return cls.from_config({k: v for k, v in config.items() if not k.startswith("_")})
            # Build in fp32 whatever dtype the checkpoint was saved in: counting needs shapes only, and
            # mixed dtypes break FLOP counting of fused kernels (Mixtral's grouped matmul).
            hf_config = transformers.AutoConfig.for_model(
                **{k: v for k, v in config.items() if k not in ("torch_dtype", "dtype")})
            if subconfig:
                hf_config = getattr(hf_config, subconfig)
            if cls is transformers.AutoModel:
                return transformers.AutoModel.from_config(hf_config)
            return cls(hf_config)
    except ConfigError:
        raise
    except Exception as error:  # transformers/diffusers raise many kinds; name the file
        raise ConfigError(f"{where}: cannot build {cls.__name__} ({type(error).__name__}: {error})") from None


# ---------------------------------------------------------------- parameters

def count_parameters(model: nn.Module) -> int:
    """Unique parameters: tied tensors (e.g. GPT-2's wte and lm_head) count once."""
    return sum(p.numel() for p in model.parameters())


def embedding_parameters(model: nn.Module, vocab_size: int | None = None) -> int:
    """Token and position embeddings (nn.Embedding), plus an untied output layer over the vocabulary.

    Kaplan et al. (2020, Sec. 1.1) exclude embeddings from N; an untied output
    matrix is the same kind of lookup table, so we count it with them.
    """
    seen, total = set(), 0
    for module in model.modules():
        weights = []
        if isinstance(module, nn.Embedding):
            weights = [module.weight]
        elif isinstance(module, nn.Linear) and vocab_size and module.out_features == vocab_size:
            weights = [module.weight] + ([module.bias] if module.bias is not None else [])
        for w in weights:
            if id(w) not in seen:
                seen.add(id(w))
                total += w.numel()
    return total


def weight_bytes(parameters: int) -> dict[str, float]:
    """Weights alone at each precision (int4 packs two weights a byte; quantisation scales not counted)."""
    return {dtype: parameters * size for dtype, size in BYTES_PER_PARAM.items()}


# ---------------------------------------------------------------- the analytic formula

def decoder_parameters(vocab: int, d_model: int, layers: int, heads: int, kv_heads: int, head_dim: int,
                       d_ff: int, *, glu: bool, bias: bool, norm: str, tied: bool, positions: int = 0,
                       experts: int = 1, active_experts: int = 1, attn_out_bias: bool | None = None,
                       mlp_bias: bool | None = None) -> dict[str, int]:
    """Parameters of a decoder-only transformer, by hand (cf. Kaplan et al. 2020, Table 1: 12·L·d²).

    Per layer:
      attention  q: d·(h·dh)   k, v: d·(kv·dh) each   o: (h·dh)·d        (+ biases)
      MLP        GELU: 2·d·ff (+ ff + d biases)     SwiGLU (GLU): 3·d·ff
      MoE        E experts of the MLP + a router d·E; active per token: k of E
      norms      two per layer: LayerNorm 2·d, RMSNorm d
    Plus token embeddings V·d, learned positions P·d, a final norm, and V·d more when untied.
    Returns total and active (per-token) counts.
    """
    attn_bias = bias if attn_out_bias is None else attn_out_bias
    mlp_b = bias if mlp_bias is None else mlp_bias
    attention = d_model * heads * head_dim + 2 * d_model * kv_heads * head_dim + heads * head_dim * d_model
    if bias:
        attention += heads * head_dim + 2 * kv_heads * head_dim
    if attn_bias:
        attention += d_model
    mlp = (3 if glu else 2) * d_model * d_ff + ((d_ff + d_model) if mlp_b and not glu else 0)
    router = d_model * experts if experts > 1 else 0
    norm_size = {"layernorm": 2 * d_model, "rmsnorm": d_model}[norm]
    per_layer_total = attention + experts * mlp + router + 2 * norm_size
    per_layer_active = attention + active_experts * mlp + router + 2 * norm_size
    shared = vocab * d_model + positions * d_model + norm_size + (0 if tied else vocab * d_model)
    return {"total": shared + layers * per_layer_total, "active": shared + layers * per_layer_active}


def formula_from_config(config: dict) -> dict[str, int]:
    """decoder_parameters() with its arguments read from a transformers config (GPT-2, Llama, Mistral, Mixtral, Qwen2)."""
    kind = config["model_type"]
    if kind == "gpt2":
        d = config["n_embd"]
        return decoder_parameters(config["vocab_size"], d, config["n_layer"], config["n_head"], config["n_head"],
                                  d // config["n_head"], config.get("n_inner") or 4 * d, glu=False, bias=True,
                                  norm="layernorm", tied=config.get("tie_word_embeddings", True),
                                  positions=config["n_positions"])
    if kind in {"llama", "mistral", "mixtral", "qwen2"}:
        d, heads = config["hidden_size"], config["num_attention_heads"]
        return decoder_parameters(
            config["vocab_size"], d, config["num_hidden_layers"], heads,
            config.get("num_key_value_heads") or heads, config.get("head_dim") or d // heads,
            config["intermediate_size"], glu=True, bias=kind == "qwen2" or config.get("attention_bias", False),
            attn_out_bias=config.get("attention_bias", False), mlp_bias=False, norm="rmsnorm",
            tied=config.get("tie_word_embeddings", False), experts=config.get("num_local_experts", 1),
            active_experts=config.get("num_experts_per_tok", 1))
    raise ConfigError(f"no analytic formula for model_type '{kind}'")


# ---------------------------------------------------------------- FLOPs

def count_flops(model: nn.Module, *args, **kwargs) -> int:
    """FLOPs of one forward call on meta tensors (2 per multiply-accumulate, attention included)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*args, **kwargs)
    return counter.get_total_flops()


def causal_lm_flops_per_token(model: nn.Module, context: int) -> float:
    """Average FLOPs per token of a forward pass over ``context`` tokens (prefill of a full context)."""
    ids = torch.zeros(1, context, dtype=torch.long, device="meta")
    return count_flops(model, input_ids=ids) / context


def kv_cache_bytes(config: dict, context: int, bytes_per_value: float = 2) -> float:
    """Keys and values of every layer for one sequence: 2 · L · kv_heads · head_dim · context · bytes."""
    d = config.get("hidden_size") or config.get("n_embd") or config.get("d_model")
    layers = config.get("num_hidden_layers") or config.get("n_layer")
    heads = config.get("num_attention_heads") or config.get("n_head")
    kv_heads = config.get("num_key_value_heads") or config.get("multi_query_group_num") or heads
    head_dim = config.get("head_dim") or d // heads
    return 2 * layers * kv_heads * head_dim * context * bytes_per_value


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


def forward_with_hooks(model: nn.Module, handles: list, *args, **kwargs):
    """One forward pass without gradients, then remove the hooks (also when the pass fails)."""
    try:
        with torch.no_grad():
            return model(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()


def moe_dense_equivalent(config: dict) -> dict:
    """A dense config doing a mixture-of-experts model's per-token work: the MLP widened to k experts.

    Top-k routing is data-dependent and cannot run on meta tensors, but a SwiGLU
    MLP's FLOPs are linear in its width, so k experts of width ff cost what one
    MLP of width k·ff costs. Only the router (2·d·E FLOPs per layer) is missing;
    moe_router_flops() adds it back. Mixtral is Mistral with MoE MLPs
    (Jiang et al. 2024, Sec. 2), so the equivalent is a Mistral config.
    """
    k = config["num_experts_per_tok"]
    dense = {key: value for key, value in config.items()
             if key not in ("num_local_experts", "num_experts_per_tok", "router_aux_loss_coef", "architectures",
                            "output_router_logits", "router_jitter_noise")}
    dense.update(model_type="mistral", intermediate_size=k * config["intermediate_size"])
    return dense


def moe_router_flops(config: dict) -> int:
    """Router logits per token: 2 · d_model · experts per layer."""
    return 2 * config["hidden_size"] * config["num_local_experts"] * config["num_hidden_layers"]


def lm_flops_per_token(model: nn.Module, config: dict, where: str, context: int) -> float:
    """FLOPs per token of a causal LM at ``context``, via the dense equivalent for mixtures of experts."""
    if "num_local_experts" in config:
        dense = build(moe_dense_equivalent(config), where, "MistralForCausalLM")
        return causal_lm_flops_per_token(dense, context) + moe_router_flops(config)
    return causal_lm_flops_per_token(model, context)


def unet_inputs(unet, batch: int, latent: int) -> tuple[tuple, dict]:
    """Meta-tensor arguments for one UNet2DConditionModel call: (sample, timestep), conditioning kwargs.

    77 text tokens (CLIP's context); SDXL's UNet also takes a pooled text embedding and
    six size/crop ids, each embedded in 256 dimensions (Podell et al. 2023, Sec. 2.2).
    """
    kwargs = {"encoder_hidden_states": torch.zeros(batch, 77, unet.config.cross_attention_dim, device="meta")}
    if unet.config.addition_embed_type == "text_time":
        kwargs["added_cond_kwargs"] = {
            "text_embeds": torch.zeros(batch, unet.config.projection_class_embeddings_input_dim - 6 * 256,
                                       device="meta"),
            "time_ids": torch.zeros(batch, 6, device="meta")}
    sample = torch.zeros(batch, unet.config.in_channels, latent, latent, device="meta")
    return (sample, torch.zeros(batch, device="meta")), kwargs
