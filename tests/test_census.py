"""Census: counts against published figures and closed forms, the formula, FLOPs, and the CLI's errors."""

import json
import subprocess
import sys

import pytest
import torch

from analyses.census.count import (
    ConfigError,
    build,
    causal_lm_flops_per_token,
    count_flops,
    count_parameters,
    decoder_parameters,
    embedding_parameters,
    formula_from_config,
    kv_cache_bytes,
    lm_flops_per_token,
    moe_dense_equivalent,
    read_config,
)
from tests.conftest import ROOT

CONFIGS = ROOT / "analyses" / "census" / "configs"

TINY_GPT2 = {"model_type": "gpt2", "vocab_size": 100, "n_positions": 64, "n_embd": 32, "n_layer": 2, "n_head": 4}
TINY_LLAMA = {"model_type": "llama", "vocab_size": 100, "hidden_size": 32, "intermediate_size": 88,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "tie_word_embeddings": False}


CAUSAL_LM = {"gpt2": "GPT2LMHeadModel", "llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM",
             "mixtral": "MixtralForCausalLM"}


def meta_build(config):
    return build(config, "test", CAUSAL_LM[config["model_type"]])


def meta_count(config):
    return count_parameters(meta_build(config))


# ---------------------------------------------------------------- published counts

@pytest.mark.parametrize("folder, published", [
    ("gpt2", 124_439_808),              # Hugging Face's count of openai-community/gpt2
    ("llama-2-7b", 6_738_415_616),      # Llama 2 7B checkpoint size, as Hugging Face reports it
    ("llama-3-8b", 8_030_261_248),      # Meta-Llama-3-8B checkpoint size
])
def test_counts_match_published_exact_figures(folder, published):
    assert meta_count(read_config(CONFIGS / folder)) == published


def test_sd_v1_unet_matches_the_860m_unet():
    unet = build(read_config(CONFIGS / "sd-v1-4" / "unet.json"), "unet")
    assert count_parameters(unet) == 859_520_964  # CompVis README: "860M UNet"


def test_non_embedding_split_matches_the_qwen_card():
    # Qwen2.5-1.5B model card: 1.54B parameters, 1.31B non-embedding (tied embeddings counted once).
    config = read_config(CONFIGS / "qwen2.5-1.5b")
    model = build(config, "qwen")
    total = count_parameters(model)
    non_embedding = total - embedding_parameters(model, config["vocab_size"])
    assert round(total / 1e9, 2) == 1.54 and round(non_embedding / 1e9, 2) == 1.31


def test_tied_weights_count_once():
    model = meta_build({**TINY_GPT2, "tie_word_embeddings": True})
    assert model.lm_head.weight is model.transformer.wte.weight
    untied = meta_build({**TINY_GPT2, "tie_word_embeddings": False})
    assert count_parameters(untied) - count_parameters(model) == 100 * 32


# ---------------------------------------------------------------- the formula

@pytest.mark.parametrize("config", [
    {**TINY_GPT2, "tie_word_embeddings": True},                                           # tied, GELU, MHA, biases
    {**TINY_GPT2, "tie_word_embeddings": False},                                          # untied
    TINY_LLAMA,                                                                           # SwiGLU, RMSNorm, MHA
    {**TINY_LLAMA, "num_key_value_heads": 2},                                             # grouped-query attention
    {**TINY_LLAMA, "model_type": "qwen2", "tie_word_embeddings": True, "num_key_value_heads": 1},  # qkv bias, tied
    {**TINY_LLAMA, "model_type": "mixtral", "num_local_experts": 4, "num_experts_per_tok": 2},    # MoE
])
def test_formula_equals_instantiated_count(config):
    assert formula_from_config(config)["total"] == meta_count(config)


def test_moe_active_parameters_hand_worked():
    # 2 layers × (4 - 2) unused experts × 3·d·ff each are not active.
    config = {**TINY_LLAMA, "model_type": "mixtral", "num_local_experts": 4, "num_experts_per_tok": 2}
    counts = formula_from_config(config)
    assert counts["total"] - counts["active"] == 2 * 2 * 3 * 32 * 88


def test_kaplan_12_l_d_squared():
    # Kaplan et al. (2020), Table 1: a GELU decoder with d_ff = 4d has ≈ 12·L·d² non-embedding parameters.
    counts = decoder_parameters(0, 1024, 24, 16, 16, 64, 4096, glu=False, bias=False, norm="rmsnorm", tied=True)
    assert counts["total"] == 12 * 24 * 1024**2 + 24 * 2 * 1024 + 1024


# ---------------------------------------------------------------- FLOPs and memory

def test_linear_flops_are_two_per_multiply_accumulate():
    layer = torch.nn.Linear(64, 32, bias=False, device="meta")
    assert count_flops(layer, torch.zeros(10, 64, device="meta")) == 2 * 10 * 64 * 32


def test_flops_grow_with_sequence_length_by_the_attention_term():
    config = {**TINY_GPT2, "n_positions": 256}
    model = meta_build(config)
    total = {t: causal_lm_flops_per_token(model, t) * t for t in (64, 128)}
    assert causal_lm_flops_per_token(model, 128) > causal_lm_flops_per_token(model, 64)
    # f(T) = a·T + b·T² with b = L · 2 matmuls (QKᵀ, AV) · 2 FLOPs · d: f(2T) - 2·f(T) = 2·b·T².
    b = 2 * 2 * 2 * 32
    assert total[128] - 2 * total[64] == 2 * b * 64**2


def test_moe_flops_match_a_dense_model_of_the_active_width():
    config = {**TINY_LLAMA, "model_type": "mixtral", "num_local_experts": 4, "num_experts_per_tok": 2}
    dense = moe_dense_equivalent(config)
    assert dense["intermediate_size"] == 2 * 88 and dense["model_type"] == "mistral"
    flops = lm_flops_per_token(None, config, "moe", 16)
    assert flops > 2 * (formula_from_config(config)["active"] - 2 * 100 * 32)


def test_kv_cache_hand_worked():
    # Llama 2 7B, 4,096 tokens, bf16: 2 (K and V) · 32 layers · 32 heads · 128 dims · 4096 · 2 bytes = 2 GiB.
    assert kv_cache_bytes(read_config(CONFIGS / "llama-2-7b"), 4096) == 2 * 32 * 32 * 128 * 4096 * 2 == 2**31


# ---------------------------------------------------------------- bad input

def cli(*args):
    return subprocess.run([sys.executable, "-m", "analyses.census", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_reports_each_bad_input_in_one_line_and_keeps_going(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "alien.json").write_text(json.dumps({"model_type": "no_such_arch"}))
    (tmp_path / "pipe.json").write_text(json.dumps({"_class_name": "NoSuchModel"}))
    result = cli(str(tmp_path / "missing.json"), str(tmp_path / "broken.json"), str(tmp_path / "alien.json"),
                 str(tmp_path / "pipe.json"), "analyses/census/configs/gpt2", "--json")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "missing.json: no such file" in errors[0]
    assert "broken.json: malformed JSON" in errors[1]
    assert "alien.json: unknown model_type 'no_such_arch'" in errors[2]
    assert "pipe.json: unknown diffusers _class_name 'NoSuchModel'" in errors[3]
    (gpt2,) = json.loads(result.stdout)
    assert gpt2["parameters"] == 124_439_808


def test_read_config_errors():
    with pytest.raises(ConfigError, match="no such file"):
        read_config(ROOT / "nowhere")


def test_models_yaml_errors_name_the_entry(tmp_path):
    from analyses.census.analysis import load_models

    path = tmp_path / "models.yaml"
    path.write_text("- id: x\n  name: X\n  modality: smell\n  released: 2020-01\n  released_source: https://a\n"
                    "  upstream: https://b\n  components: {model: {config: gpt2/config.json}}\n")
    with pytest.raises(ConfigError, match=r"models.yaml entry 1 \(x\): modality must be"):
        load_models(path)
    assert len(load_models()) >= 30
