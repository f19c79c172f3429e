"""FLOPs per unit of output, counted by torch's FlopCounterMode on meta tensors.

FlopCounterMode counts 2 FLOPs per multiply-accumulate for matmuls, convolutions
and attention (scaled-dot-product attention included), from shapes alone: a
forward pass on the meta device costs no arithmetic. The unit depends on what
the model outputs: a token (causal LMs), 30 s of audio (Whisper), an image
(classifiers and image towers), a denoising step (a diffusion UNet).
"""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from analyses.modelstats.build import build

WHISPER_FRAMES = 3000       # 30 s of audio as 10 ms log-mel frames, Whisper's fixed window (Radford et al. 2022, Sec. 2.2)
CLIP_TEXT_TOKENS = 77       # CLIP's text context, which Stable Diffusion's UNets attend to
UNITS = {"causal_lm": "token", "whisper": "30 s of audio", "image": "image", "unet": "denoising step"}


def speech_tokens_in_30s(words_per_minute: float, words_per_token: float) -> int:
    """Tokens Whisper's decoder emits for 30 s of speech: words read aloud in half a minute ÷ words per token
    (183 words/min, Brysbaert 2019, and 0.75 words/token give 122)."""
    return round(0.5 * words_per_minute / words_per_token)


# ---------------------------------------------------------------- inputs, by kind of model

def causal_lm_inputs(context: int, device: str = "meta", batch: int = 1) -> dict:
    return {"input_ids": torch.zeros(batch, context, dtype=torch.long, device=device)}


def whisper_inputs(config: dict, decoder_tokens: int, device: str = "meta", batch: int = 1) -> dict:
    """30 s of log-mel frames for the encoder and ``decoder_tokens`` tokens for the decoder."""
    return {"input_features": torch.zeros(batch, config["num_mel_bins"], WHISPER_FRAMES, device=device),
            "decoder_input_ids": torch.zeros(batch, decoder_tokens, dtype=torch.long, device=device)}


def image_inputs(size: int, device: str = "meta", batch: int = 1) -> dict:
    return {"pixel_values": torch.zeros(batch, 3, size, size, device=device)}


def unet_inputs(unet, batch: int, latent: int) -> tuple[tuple, dict]:
    """Meta-tensor arguments for one UNet2DConditionModel call: (sample, timestep), conditioning kwargs.

    77 text tokens (CLIP's context); SDXL's UNet also takes a pooled text embedding and
    six size/crop ids, each embedded in 256 dimensions (Podell et al. 2023, Sec. 2.2).
    """
    kwargs = {"encoder_hidden_states": torch.zeros(batch, CLIP_TEXT_TOKENS, unet.config.cross_attention_dim,
                                                   device="meta")}
    if unet.config.addition_embed_type == "text_time":
        kwargs["added_cond_kwargs"] = {
            "text_embeds": torch.zeros(batch, unet.config.projection_class_embeddings_input_dim - 6 * 256,
                                       device="meta"),
            "time_ids": torch.zeros(batch, 6, device="meta")}
    sample = torch.zeros(batch, unet.config.in_channels, latent, latent, device="meta")
    return (sample, torch.zeros(batch, device="meta")), kwargs


# ---------------------------------------------------------------- counting

def count_flops(model: nn.Module, *args, **kwargs) -> int:
    """FLOPs of one forward call on meta tensors (2 per multiply-accumulate, attention included)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*args, **kwargs)
    return counter.get_total_flops()


def causal_lm_flops_per_token(model: nn.Module, context: int) -> float:
    """Average FLOPs per token of a forward pass over ``context`` tokens (prefill of a full context)."""
    return count_flops(model, **causal_lm_inputs(context)) / context


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
    """FLOPs per token of a causal LM at ``context``, via the dense equivalent for Mixtral-style experts."""
    if "num_local_experts" in config and config.get("model_type") == "mixtral":
        dense = build(moe_dense_equivalent(config), where, "MistralForCausalLM")
        return causal_lm_flops_per_token(dense, context) + moe_router_flops(config)
    return causal_lm_flops_per_token(model, context)


def context_limit(config: dict) -> int | None:
    """The longest context the model's positions allow, when the config says."""
    return config.get("max_position_embeddings") or config.get("n_positions") or config.get("n_ctx")


def output_kind(module: nn.Module) -> str | None:
    """What one unit of output is for this class (a key of UNITS), or None when it has no natural unit."""
    name = type(module).__name__
    if name.endswith(("ForCausalLM", "LMHeadModel")):
        return "causal_lm"
    if name.startswith("Whisper"):
        return "whisper"
    if "ImageClassification" in name or name.startswith("CLIPVision"):
        return "image"
    if name == "UNet2DConditionModel":
        return "unet"
    return None


def flops_per_unit(module: nn.Module, config: dict, kind: str, *, context: int = 1024, speech_tokens: int = 122,
                   image_size: int | None = None, where: str = "config") -> float:
    """FLOPs for one unit of output (UNITS[kind]) of a model built on meta.

    causal_lm  a token, averaged over a prefill of ``context`` tokens
    whisper    30 s of audio: the encoder on 3,000 frames, the decoder on ``speech_tokens`` tokens
    image      one image of ``image_size`` pixels a side (default: the config's image_size, else 224)
    unet       one denoising step at the UNet's native latent size, batch 1, CLIP text conditioning
    """
    if kind == "causal_lm":
        return lm_flops_per_token(module, config, where, context)
    if kind == "whisper":
        return count_flops(module, **whisper_inputs(config, speech_tokens))
    if kind == "image":
        return count_flops(module, **image_inputs(image_size or config.get("image_size", 224)))
    if kind == "unet":
        args, kwargs = unet_inputs(module, 1, module.config.sample_size)
        return count_flops(module, *args, **kwargs)
    raise ValueError(f"no unit of output for kind '{kind}' (known: {', '.join(UNITS)})")
