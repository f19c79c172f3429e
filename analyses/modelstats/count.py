"""Count parameters of a model built on the meta device, and by the analytic decoder formula.

``parameters()`` yields each tensor once, so tied weights (GPT-2's wte and lm_head)
count once: the count the model's makers publish.
"""

from torch import nn

from analyses.modelstats.build import ConfigError

# Parts of a model, in the order a breakdown lists them.
COMPONENTS = ("embeddings", "attention", "mlp", "norms", "output head", "convolutions", "other")
ATTENTION_NAMES = ("attn", "attention")
MLP_NAMES = ("mlp", "ffn", "feed_forward", "feedforward", "intermediate", "experts", "fc1", "fc2", "moe")


def count_parameters(model: nn.Module) -> int:
    """Unique parameters: tied tensors (e.g. GPT-2's wte and lm_head) count once."""
    return sum(p.numel() for p in model.parameters())


def embedding_parameters(model: nn.Module, vocab_size: int | None = None) -> int:
    """Token and position embeddings (nn.Embedding), plus an untied output layer over the vocabulary.

    Kaplan et al. (2020, Sec. 1.1) exclude embeddings from N; an untied output
    matrix is the same kind of lookup table, so we count it with them.
    """
    breakdown = parameter_breakdown(model, vocab_size)
    return breakdown["embeddings"] + breakdown["output head"]


def component_of(path: str, module: nn.Module, vocab_size: int | None) -> str:
    """Which part of the model a module's own parameters belong to, from its type and its dotted path."""
    if isinstance(module, nn.Embedding):
        return "embeddings"
    if isinstance(module, nn.Linear) and vocab_size and module.out_features == vocab_size:
        return "output head"
    if "Norm" in type(module).__name__:
        return "norms"
    parts = path.lower().split(".")
    if any(name in part for part in parts for name in ATTENTION_NAMES):
        return "attention"
    if any(name in part for part in parts for name in MLP_NAMES):
        return "mlp"
    if isinstance(module, nn.modules.conv._ConvNd):
        return "convolutions"
    return "other"


def parameter_breakdown(model: nn.Module, vocab_size: int | None = None) -> dict[str, int]:
    """Unique parameters by component (COMPONENTS), each tensor once, classified by the module that owns it.

    Attention and MLP are recognised by module names (``attn``, ``mlp``, ``experts``...),
    so an unusual naming lands in "other" rather than in the wrong place.
    """
    counts, seen = dict.fromkeys(COMPONENTS, 0), set()
    for path, module in model.named_modules():
        for tensor in module.parameters(recurse=False):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                counts[component_of(path, module, vocab_size)] += tensor.numel()
    return counts


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


FORMULA_TYPES = ("gpt2", "llama", "mistral", "mixtral", "qwen2")


def formula_from_config(config: dict) -> dict[str, int]:
    """decoder_parameters() with its arguments read from a transformers config (GPT-2, Llama, Mistral, Mixtral, Qwen2)."""
    kind = config["model_type"]
    if kind == "gpt2":
        d = config["n_embd"]
        return decoder_parameters(config["vocab_size"], d, config["n_layer"], config["n_head"], config["n_head"],
                                  d // config["n_head"], config.get("n_inner") or 4 * d, glu=False, bias=True,
                                  norm="layernorm", tied=config.get("tie_word_embeddings", True),
                                  positions=config["n_positions"])
    if kind in FORMULA_TYPES:
        d, heads = config["hidden_size"], config["num_attention_heads"]
        return decoder_parameters(
            config["vocab_size"], d, config["num_hidden_layers"], heads,
            config.get("num_key_value_heads") or heads, config.get("head_dim") or d // heads,
            config["intermediate_size"], glu=True, bias=kind == "qwen2" or config.get("attention_bias", False),
            attn_out_bias=config.get("attention_bias", False), mlp_bias=False, norm="rmsnorm",
            tied=config.get("tie_word_embeddings", False), experts=config.get("num_local_experts", 1),
            active_experts=config.get("num_experts_per_tok", 1))
    raise ConfigError(f"no analytic formula for model_type '{kind}'")
