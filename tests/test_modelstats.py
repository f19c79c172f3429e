"""modelstats: counts against published figures and closed forms, the formula, FLOPs, memory, and the command line."""

import json
import subprocess
import sys

import pytest
import torch

from analyses.modelstats import CONFIGS
from analyses.modelstats.__main__ import describe
from analyses.modelstats.build import MAX_LAYERS, ConfigError, build, is_decoder_only, read_config
from analyses.modelstats.count import (
    count_parameters,
    decoder_parameters,
    embedding_parameters,
    formula_from_config,
    parameter_breakdown,
)
from analyses.modelstats.flops import (
    causal_lm_flops_per_token,
    count_flops,
    lm_flops_per_token,
    moe_dense_equivalent,
    speech_tokens_in_30s,
)
from analyses.modelstats.memory import kv_cache_bytes, training_bytes
from tests.conftest import ROOT

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


def test_breakdown_of_gpt2_by_hand():
    # GPT-2 small (Radford et al. 2019; shapes from its config): per layer, attention is c_attn (d → 3d) and c_proj
    # (d → d) with biases, 4d² + 4d; the MLP is d → 4d → d with biases, 8d² + 5d; two LayerNorms, 4d.
    config = read_config(CONFIGS / "gpt2")
    L, d, V, P = (config[k] for k in ("n_layer", "n_embd", "vocab_size", "n_positions"))
    parts = parameter_breakdown(meta_build(config), V)
    assert parts["attention"] == L * (4 * d * d + 4 * d)
    assert parts["mlp"] == L * (8 * d * d + 5 * d)
    assert parts["norms"] == L * 4 * d + 2 * d
    assert parts["embeddings"] == V * d + P * d and parts["output head"] == 0  # tied to the token embeddings
    assert parts["other"] == 0 and sum(parts.values()) == 124_439_808


def test_speech_tokens_in_30s_by_hand():
    # 183 words a minute read aloud (Brysbaert 2019) for half a minute, 0.75 words a token: 91.5 / 0.75 = 122.
    assert speech_tokens_in_30s(183, 0.75) == 122


def test_training_memory_is_16_bytes_a_parameter_with_adam():
    # ZeRO (Rajbhandari et al. 2020, Sec. 3.1): mixed-precision Adam holds 2 + 2 + 12 = 16 bytes a parameter.
    assert training_bytes(10, "bf16") == {"weights": 20, "gradients": 20, "adam_states": 120, "total": 160}
    assert training_bytes(10, "fp32") == {"weights": 40, "gradients": 40, "adam_states": 80, "total": 160}
    with pytest.raises(ValueError, match="int8"):
        training_bytes(10, "int8")


# ---------------------------------------------------------------- the command line

def cli(*args):
    return subprocess.run([sys.executable, "-m", "analyses.modelstats", *args], cwd=ROOT, capture_output=True,
                          text=True)


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_a_config_without_architectures_is_counted_with_its_lm_head(tmp_path):
    config = read_config(CONFIGS / "llama-3-8b")
    del config["architectures"]
    llama = describe_config(config, context=64)
    assert llama["parameters"] == 8_030_261_248  # Meta-Llama-3-8B, LM head included (7.50B without it)
    model = llama["components"]["model"]
    assert model["class"] == "LlamaForCausalLM" and "no architectures" in model["class_chosen_by"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    text = cli(str(tmp_path), "--context", "64").stdout
    assert "LlamaForCausalLM (no architectures in the config" in text and "8,030,261,248" in text


def test_class_choice_without_architectures():
    assert is_decoder_only("llama") and is_decoder_only("gpt2") and is_decoder_only("mixtral")
    assert not is_decoder_only("bert") and not is_decoder_only("t5") and not is_decoder_only("whisper")
    config = read_config(CONFIGS / "bert-base")
    del config["architectures"]
    bare = describe_config(config)
    assert bare["components"]["model"]["class"] == "BertModel"
    assert "without a task head" in bare["components"]["model"]["class_chosen_by"]
    chosen = describe_config(config, "BertForMaskedLM")["components"]["model"]
    assert chosen["class"] == "BertForMaskedLM" and chosen["class_chosen_by"] == "chosen with --class"


def describe_config(config: dict, class_name=None, **kwargs) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/config.json"
        with open(path, "w") as f:
            json.dump(config, f)
        return describe(path, class_name, **kwargs)


def test_inference_memory_counts_grouped_query_kv_heads():
    # Llama 3 8B caches 8 key/value heads of 32 (grouped-query attention): 2 (K, V) · 32 layers · 8 heads · 128
    # dims · 8,192 tokens · 4 sequences · 2 bytes = 4 GiB, a quarter of what 32 heads would need.
    result = describe(str(CONFIGS / "llama-3-8b"), context=8192, batch=4, dtype="bf16")
    memory = result["memory_bytes"]
    assert memory["kv_cache"] == 2 * 32 * 8 * 128 * 8192 * 4 * 2 == 4 * 2**30
    assert memory["weights"] == 2 * 8_030_261_248
    assert memory["inference"] == memory["weights"] + memory["kv_cache"]
    assert memory["training"]["total"] == 16 * 8_030_261_248
    fp32 = describe(str(CONFIGS / "llama-3-8b"), context=8192, batch=4, dtype="fp32")["memory_bytes"]
    assert fp32["weights"] == 2 * memory["weights"] and fp32["kv_cache"] == 2 * memory["kv_cache"]
    int4 = describe(str(CONFIGS / "llama-3-8b"), context=8192, batch=4, dtype="int4")["memory_bytes"]
    assert int4["weights"] == memory["weights"] / 4 and int4["kv_cache"] == memory["kv_cache"]  # 16-bit keys, values


def test_context_beyond_the_window_is_capped_and_said():
    gpt2 = describe(str(CONFIGS / "gpt2"), context=4096)["components"]["model"]
    assert gpt2["context"] == 1024 and "window is 1,024 tokens" in gpt2["flops_note"]
    assert gpt2["kv_cache_bytes"] == 2 * 12 * 12 * 64 * 1024 * 2


DECODERS = sorted(p.parent.name for p in CONFIGS.glob("*/config.json")
                  if is_decoder_only(read_config(p).get("model_type", "")))


def test_every_decoder_gets_flops_per_token():
    assert len(DECODERS) >= 20
    missing = []
    for folder in DECODERS:
        model = describe(str(CONFIGS / folder), context=256)["components"]["model"]
        if model["flops_per_unit"] is None or model["kv_cache_bytes"] is None:
            missing.append(f"{folder}: {model['flops_note']}")
        # A forward pass costs at least 2 FLOPs per non-embedding parameter used (Kaplan et al. 2020, Sec. 2.1);
        # a mixture of experts uses fewer than it holds, so only dense models are held to that floor.
        elif "num_local_experts" not in read_config(CONFIGS / folder):
            assert model["flops_per_unit"] > 2 * model["non_embedding"], folder
    assert not missing


def sd_pipeline(folder) -> str:
    """Stable Diffusion v1-4 laid out as a diffusers pipeline: model_index.json and one folder per component."""
    (folder / "model_index.json").write_text("{}")
    for component in ("text_encoder", "unet", "vae"):
        (folder / component).mkdir()
        (folder / component / "config.json").write_text((CONFIGS / "sd-v1-4" / f"{component}.json").read_text())
    return str(folder)


def test_json_is_valid_where_a_figure_is_missing(tmp_path):
    result = cli(str(CONFIGS / "bert-base"), sd_pipeline(tmp_path), "--json", "--dtype", "int4")
    assert result.returncode == 0, result.stderr
    bert, sd = strict_json(result.stdout)
    assert bert["components"]["model"]["flops_per_unit"] is None  # no natural unit of output for BertForMaskedLM
    assert bert["memory_bytes"]["training"] is None                # training in int4 is not counted
    assert bert["memory_bytes"]["weights"] == bert["parameters"] / 2
    assert sd["components"]["unet"]["flops_unit"] == "denoising step"
    assert sd["components"]["unet"]["parameters"] == 859_520_964


def test_cli_refuses_a_config_too_deep_to_build_in_one_line(tmp_path):
    config = {**read_config(CONFIGS / "llama-3-8b"), "num_hidden_layers": 1_000_000}
    (tmp_path / "deep.json").write_text(json.dumps(config))
    result = cli(str(tmp_path / "deep.json"), str(CONFIGS / "gpt2"))
    assert result.returncode == 1
    (error,) = result.stderr.splitlines()
    assert error == (f"error: {tmp_path / 'deep.json'}: num_hidden_layers = 1,000,000 is over the {MAX_LAYERS:,} "
                     "layers this tool builds (the deepest published models have about 100-200)")
    assert "124,439,808 parameters" in result.stdout  # the next argument still counted


def test_cli_reports_each_bad_input_in_one_line_and_keeps_going(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "alien.json").write_text(json.dumps({"model_type": "no_such_arch"}))
    (tmp_path / "pipe.json").write_text(json.dumps({"_class_name": "NoSuchModel"}))
    result = cli(str(tmp_path / "missing.json"), str(tmp_path / "broken.json"), str(tmp_path / "alien.json"),
                 str(tmp_path / "pipe.json"), "analyses/modelstats/configs/gpt2", "--json")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "missing.json: no such file" in errors[0]
    assert "broken.json: malformed JSON" in errors[1]
    assert "alien.json: unknown model_type 'no_such_arch'" in errors[2]
    assert "pipe.json: unknown diffusers _class_name 'NoSuchModel'" in errors[3]
    (gpt2,) = strict_json(result.stdout)
    assert gpt2["parameters"] == 124_439_808


def test_cli_rejects_bad_options_in_one_line(tmp_path):
    result = cli(str(CONFIGS / "gpt2"), "--context", "0")
    assert result.returncode == 2 and "--context: must be at least 1, got 0" in result.stderr
    result = cli(sd_pipeline(tmp_path), "--class", "GPT2LMHeadModel")
    assert result.returncode == 1 and "--class applies to one config, not to a pipeline" in result.stderr


def test_read_config_errors():
    with pytest.raises(ConfigError, match="no such file"):
        read_config(ROOT / "nowhere")
