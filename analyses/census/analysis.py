"""The census: parameters, memory and FLOPs of real architectures, computed without weights.

Each model in models.yaml is built on the meta device from its upstream config
(configs/), then counted: unique parameters (total, embedding, non-embedding,
per component), weight memory per precision, KV cache and activation memory,
and FLOPs per unit of output (per token, per image, per 30 s of audio) with
torch's FlopCounterMode. Published figures come from analyses/catalog/census.yaml.
"""

import json
import math
import pathlib
import subprocess
import sys

import yaml

from analyses._checks import verdict
from analyses._format import format_number as fmt
from analyses.census.count import (
    ConfigError,
    build,
    count_flops,
    count_parameters,
    embedding_parameters,
    formula_from_config,
    forward_with_hooks,
    kv_cache_bytes,
    leaf_activation_bytes,
    lm_flops_per_token,
    read_config,
    unet_inputs,
    weight_bytes,
)

HERE = pathlib.Path(__file__).parent
CONFIGS = HERE / "configs"
GB = 1e9  # decimal gigabytes, as the sources use them
REQUIRED = ("id", "name", "modality", "released", "released_source", "upstream", "components")


def load_models(path: pathlib.Path = HERE / "models.yaml") -> list[dict]:
    """models.yaml, validated: one line naming the entry and the field on error."""
    try:
        entries = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ConfigError(f"{path.name}{f' line {mark.line + 1}' if mark else ''}: not valid YAML "
                          f"({getattr(error, 'problem', error)})") from None
    seen = set()
    for i, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {i} ({entry.get('id', '?')})"
        for field in REQUIRED:
            if not entry.get(field):
                raise ConfigError(f"{where}: field '{field}' is missing")
        if entry["modality"] not in {"vision", "audio", "language"}:
            raise ConfigError(f"{where}: modality must be vision, audio or language")
        if entry["id"] in seen:
            raise ConfigError(f"{where}: duplicate id")
        seen.add(entry["id"])
        for name, component in entry["components"].items():
            if not (CONFIGS / component["config"]).is_file():
                raise ConfigError(f"{where}: component '{name}' config configs/{component['config']} does not exist")
    return entries


# ---------------------------------------------------------------- per-model measurements

def build_components(entry: dict) -> dict:
    """name -> (module, config dict, vocab size) for every component, built on meta."""
    built = {}
    for name, component in entry["components"].items():
        config = read_config(CONFIGS / component["config"])
        sub = component.get("subconfig")
        module = build(config, f"configs/{component['config']}", component.get("class"), sub)
        vocab = (config.get(sub) or {}).get("vocab_size") if sub else config.get("vocab_size")
        if sub and vocab is None:  # CLIP's text tower default when the file leaves it implicit
            vocab = getattr(getattr(module, "config", None), "vocab_size", None)
        built[name] = (module, config, vocab)
    return built


def parameter_rows(entry: dict, built: dict) -> list[dict]:
    """One row per component; an AutoencoderKL is split into its encoder and decoder halves."""
    rows = []
    for name, (module, _, vocab) in built.items():
        parts = {name: module}
        if type(module).__name__ == "AutoencoderKL":
            parts = {f"{name}_encoder": [module.encoder, module.quant_conv],
                     f"{name}_decoder": [module.decoder, module.post_quant_conv]}
        for part, modules in parts.items():
            modules = modules if isinstance(modules, list) else [modules]
            total = sum(count_parameters(m) for m in modules if m is not None)
            embedding = sum(embedding_parameters(m, vocab) for m in modules if m is not None)
            rows.append({"model": entry["id"], "component": part, "parameters": total,
                         "embedding": embedding, "non_embedding": total - embedding})
    return rows


def sd_flops(built: dict, size: int, steps: int) -> dict:
    """FLOPs per generated image: text encoders + steps × UNet (batch 2 with guidance) + VAE decode."""
    import torch

    unet = built["unet"][0]
    latent = size // 8  # the VAE downsamples by 8 (Rombach et al. 2022, f=8)
    text = 0
    for name, (module, _, _) in built.items():
        if name.startswith("text_encoder"):
            text += count_flops(module, input_ids=torch.zeros(1, 77, dtype=torch.long, device="meta"))
    per_step = {}
    attention = 0
    for batch in (1, 2):
        (sample, timestep), kwargs = unet_inputs(unet, batch, latent)
        per_step[batch] = count_flops(unet, sample, timestep, **kwargs)
        if batch == 2:
            activations = leaf_activation_bytes(unet, 2, sample, timestep, **kwargs)
            attention = attention_matrix_bytes(unet, 2, sample, timestep, **kwargs)
    vae = built["vae"][0]
    decode = count_flops(vae.decoder, torch.zeros(1, vae.config.latent_channels, latent, latent, device="meta"))
    decode += count_flops(vae.post_quant_conv, torch.zeros(1, vae.config.latent_channels, latent, latent,
                                                           device="meta")) if vae.post_quant_conv else 0
    return {"text": text, "unet_step": per_step[1], "unet_step_cfg": per_step[2], "vae_decode": decode,
            "steps": steps, "per_image": text + steps * per_step[1] + decode,
            "per_image_cfg": 2 * text + steps * per_step[2] + decode,
            "activation_largest": activations["largest"], "attention_matrix": attention}


def attention_matrix_bytes(unet, bytes_per_value: float, *args, **kwargs) -> float:
    """Largest attention score matrix (batch × heads × queries × keys) a naive implementation would hold."""
    largest = 0

    def hook(module, args, kwargs_):
        nonlocal largest
        hidden = args[0] if args else kwargs_["hidden_states"]
        context = kwargs_.get("encoder_hidden_states")
        keys = context.shape[1] if context is not None else hidden.shape[1]
        largest = max(largest, hidden.shape[0] * module.heads * hidden.shape[1] * keys)

    handles = [m.register_forward_pre_hook(hook, with_kwargs=True) for m in unet.modules()
               if type(m).__name__ == "Attention"]
    forward_with_hooks(unet, handles, *args, **kwargs)
    return largest * bytes_per_value


def measure_entry(entry: dict, params: dict, tokens_per_30s: int) -> tuple[list[dict], dict]:
    """Parameter rows and one summary row (memory, FLOPs) for a model."""
    import torch

    built = build_components(entry)
    rows = parameter_rows(entry, built)
    total = sum(r["parameters"] for r in rows)
    embedding = sum(r["embedding"] for r in rows)
    summary = {"model": entry["id"], "name": entry["name"], "modality": entry["modality"],
               "released": str(entry["released"]), "parameters": total, "embedding": embedding,
               "non_embedding": total - embedding}
    summary.update({f"weights_{k}_bytes": v for k, v in weight_bytes(total).items()})
    flops = entry.get("flops") or {}
    summary.update(flops_unit="", flops_per_unit=math.nan, flops_per_unit_8k=math.nan, flops_note="")
    kind = flops.get("kind")
    if kind == "causal_lm":
        module, config, _ = built["model"]
        limit = config.get("max_position_embeddings") or config.get("n_positions") or config.get("n_ctx")
        summary["flops_unit"] = "token"
        summary["context_limit"] = limit
        where = f"configs/{entry['components']['model']['config']}"
        summary["flops_per_unit"] = lm_flops_per_token(module, config, where, min(params["contexts"][0], limit))
        if limit >= params["contexts"][1]:
            summary["flops_per_unit_8k"] = lm_flops_per_token(module, config, where, params["contexts"][1])
        else:
            summary["flops_note"] = f"context window is {limit} tokens"
        for context in params["kv_contexts"]:
            summary[f"kv_cache_{context}_bytes"] = kv_cache_bytes(config, context)
    elif kind == "whisper":
        module, config, _ = built["model"]
        summary["flops_unit"] = "30 s of audio"
        summary["flops_per_unit"] = count_flops(
            module, input_features=torch.zeros(1, config["num_mel_bins"], 3000, device="meta"),
            decoder_input_ids=torch.zeros(1, tokens_per_30s, dtype=torch.long, device="meta"))
        summary["flops_note"] = f"encoder on 3,000 frames; decoder on {tokens_per_30s} tokens"
    elif kind == "image":
        module = built[flops.get("component", "model")][0]
        size = flops["size"]
        summary["flops_unit"] = "image"
        summary["flops_per_unit"] = count_flops(module, pixel_values=torch.zeros(1, 3, size, size, device="meta"))
        summary["flops_note"] = f"{size}×{size} input"
    elif kind == "sd":
        sd = sd_flops(built, flops["size"], flops["steps"])
        summary["flops_unit"] = "image"
        summary["flops_per_unit"] = sd["per_image_cfg"]
        summary["flops_note"] = (f"{flops['size']}px, {sd['steps']} steps with classifier-free guidance "
                                 f"(batch 2 per step)")
        summary.update({f"sd_{k}": v for k, v in sd.items()})
    return rows, summary


def measured_peak(entry: dict, kind: str, device: str) -> dict:
    """Real fp32 weights and one forward pass, in a fresh process (see measure.py)."""
    component = entry["components"]["model"]
    out = subprocess.run([sys.executable, "-m", "analyses.census.measure", str(CONFIGS / component["config"]),
                          component["class"], kind, "--device", device], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the analysis


def tokens_in_30s_of_speech(words_per_minute: float, words_per_token: float) -> int:
    """Tokens Whisper emits for 30 s of speech: words read aloud in half a minute ÷ words per token
    (183 words/min, Brysbaert 2019, and 0.75 words/token give 122)."""
    return round(0.5 * words_per_minute / words_per_token)

def run(ctx) -> None:
    import altair as alt

    out = ctx.results
    params = ctx.params
    ctx.step("reading models.yaml and the catalog")
    entries = load_models()
    tokens_per_30s = tokens_in_30s_of_speech(ctx.row("oral_reading_rate").value, ctx.row("words_per_token").value)

    parameter_table, summaries = [], []
    for i, entry in enumerate(entries, start=1):
        ctx.step(f"{i}/{len(entries)} {entry['name']}: building on meta, counting parameters and FLOPs")
        rows, summary = measure_entry(entry, params, tokens_per_30s)
        parameter_table += rows
        published = entry.get("published")
        if published:
            row = ctx.row(published)
            summary["published"] = row.value
            summary["published_component"] = row.counts
            counted = sum(r["parameters"] for r in rows if r["component"] in (row_components(row) or [r["component"]]))
            summary["counted_for_published"] = counted
            summary["difference_pct"] = 100 * (counted - row.value) / row.value
            summary["published_source"] = row.url
        training = entry.get("training")
        if training:
            row = ctx.row(training)
            summary["training_data"] = row.value
            summary["training_unit"] = row.unit
        summaries.append(summary)
        out.value(f"params_{key(entry['id'])}", summary["parameters"], "parameters",
                  f"{entry['name']}: unique parameters, all components, counted on the meta device")
        if not math.isnan(summary["flops_per_unit"]):
            out.value(f"flops_{key(entry['id'])}", summary["flops_per_unit"], f"FLOPs/{summary['flops_unit']}",
                      f"{entry['name']}: FLOPs per {summary['flops_unit']} ({summary['flops_note'] or 'see table'})")

    ctx.step("tables")
    columns = ["model", "name", "modality", "released", "config_origin", "parameters", "embedding", "non_embedding",
               "published", "difference_pct", "explanation", "weights_fp32_bytes", "weights_bf16_bytes",
               "weights_int8_bytes", "weights_int4_bytes", "flops_unit", "flops_per_unit", "flops_per_unit_8k",
               "flops_note", "training_data", "training_unit"]
    unexplained = []
    for entry, summary in zip(entries, summaries, strict=True):
        summary["config_origin"] = entry.get("config_origin", "")
        off = abs(summary.get("difference_pct", 0)) > 0.5
        summary["explanation"] = EXPLANATIONS.get(entry["id"], "") if off else ""
        if off and not summary["explanation"]:
            unexplained.append(f"{entry['id']} ({summary['difference_pct']:+.1f}%)")
    if unexplained:  # every difference over 0.5% must be explained on the page
        raise ValueError(f"counts differ from the published figure by over 0.5% with no entry in EXPLANATIONS: "
                         f"{', '.join(unexplained)}")
    table = [{c: clean(s.get(c)) for c in columns} for s in summaries]
    out.table("models", table, "Every model: parameters, weight memory by precision, FLOPs per unit of output")
    out.table("components", parameter_table, "Parameters by component, counted on the meta device")
    out.table("published", [
        {"model": s["name"], "config": s["config_origin"], "counted": s["counted_for_published"],
         "published": s["published"], "difference_pct": round(s["difference_pct"], 2),
         "counts": s["published_component"], "explanation": s["explanation"]}
        for s in summaries if "published" in s], "Meta-device counts against published figures")
    by_id = {s["model"]: s for s in summaries}
    for origin in ("upstream", "reconstructed", "derived", "mixed"):
        out.value(f"configs_{origin}", sum(e.get("config_origin") == origin for e in entries), "architectures",
                  f"Architectures whose config is {origin}")

    ctx.step("the analytic formula against instantiated counts")
    formula_rows = []
    for entry in entries:
        config = read_config(CONFIGS / entry["components"].get("model", {}).get("config", "missing"))  \
            if "model" in entry["components"] else {}
        if config.get("model_type") not in {"gpt2", "llama", "mistral", "mixtral", "qwen2"}:
            continue
        formula = formula_from_config(config)
        counted = by_id[entry["id"]]["parameters"]
        formula_rows.append({"model": entry["id"], "formula_total": formula["total"], "counted": counted,
                             "formula_active": formula["active"], "match": formula["total"] == counted})
    out.table("formula", formula_rows, "Decoder-only parameter formula against meta-device counts")
    out.value("formula_models_matched", sum(r["match"] for r in formula_rows), "models",
              "Decoder-only models whose hand formula equals the instantiated count exactly")
    out.value("formula_models", len(formula_rows), "models", "Decoder-only models checked against the formula")
    mixtral = next(r for r in formula_rows if r["model"] == "mixtral-8x7b")
    out.value("mixtral_active", mixtral["formula_active"], "parameters",
              "Mixtral 8x7B parameters used per token (2 of 8 experts), from the formula")

    ctx.step("memory: weights, KV cache, SD activations")
    memory_rows = []
    for s in summaries:
        row = {"model": s["model"], "name": s["name"], "modality": s["modality"]}
        row.update({dtype: s[f"weights_{dtype}_bytes"] / GB for dtype in ("fp32", "bf16", "int8", "int4")})
        for context in params["kv_contexts"]:
            kv = s.get(f"kv_cache_{context}_bytes")
            row[f"kv_cache_{context}_gb"] = "" if kv is None else kv / GB
        memory_rows.append(row)
    out.table("memory", memory_rows, "Weight memory (GB) by precision, and bf16 KV cache for one sequence")
    chart_memory_rows = [{"model": r["name"], "precision": d, "gb": r[d]} for r in memory_rows
                         if r["model"] in params["memory_chart_models"] for d in ("fp32", "bf16", "int8", "int4")]
    out.table("memory_chart", chart_memory_rows, "Weight memory of the models the sources name, by precision")
    sd = by_id["sd-v1"]
    sd_weights = sd["weights_bf16_bytes"]
    sd_low = sd_weights + sd["sd_activation_largest"]
    sd_high = sd_weights + sd["sd_attention_matrix"]
    out.value("sd_v1_inference_gb", (sd_low + sd_high) / 2 / GB, "GB",
              "SD v1 at 512px in fp16, batch 2 (guidance): weights plus activations, from memory-efficient "
              "attention (largest layer output) to naive attention (largest attention matrix)",
              low=sd_low / GB, high=sd_high / GB)
    out.value("sd_v1_weights_fp16_gb", sd_weights / GB, "GB", "SD v1 weights (UNet, VAE, text encoder) in fp16")
    for model_id in ("llama-2-7b", "llama-3-8b", "llama-3-70b"):
        s = by_id[model_id]
        for context in params["kv_contexts"]:
            out.value(f"kv_{key(model_id)}_{context}_gb", s[f"kv_cache_{context}_bytes"] / GB, "GB",
                      f"{s['name']}: bf16 KV cache for one sequence of {context:,} tokens")

    if ctx.measuring:  # memory of this machine's allocator: recorded apart, with the machine
        ctx.step("measured peak memory with real random weights")
        measured_rows = []
        for model_id, kind in params["measure"]:
            entry = next(e for e in entries if e["id"] == model_id)
            measured = measured_peak(entry, kind, "cuda" if ctx.device == "cuda" else "cpu")
            weights = by_id[model_id]["weights_fp32_bytes"]
            measured_rows.append({"model": model_id, "weights_fp32_gb": weights / GB,
                                  "measured_peak_gb": measured["peak_bytes"] / GB,
                                  "peak_over_weights": measured["peak_bytes"] / weights, "device": ctx.device})
        ctx.measurements.table("measured", measured_rows,
                               "Peak memory of a real fp32 model and one forward pass, against its weights")

    ctx.step("FLOPs per token against the 2N rule")
    rule_rows = []
    for s in summaries:
        if s["flops_unit"] != "token":
            continue
        active = next((r["formula_active"] for r in formula_rows if r["model"] == s["model"]), s["parameters"])
        active_non_embedding = active - s["embedding"]
        rule_rows.append({"model": s["model"], "name": s["name"], "flops_per_token_1k": s["flops_per_unit"],
                          "two_n": 2 * active_non_embedding,
                          "ratio_1k": s["flops_per_unit"] / (2 * active_non_embedding),
                          "ratio_8k": clean(s["flops_per_unit_8k"] / (2 * active_non_embedding))})
    out.table("two_n_rule", rule_rows, "FLOPs per token at 1k and 8k context over 2 × non-embedding (active) parameters")
    llama3 = next(r for r in rule_rows if r["model"] == "llama-3-8b")
    out.value("llama3_8b_ratio_1k", llama3["ratio_1k"], "×", "Llama 3 8B: FLOPs per token at 1k context over 2N")
    out.value("llama3_8b_ratio_8k", llama3["ratio_8k"], "×", "Llama 3 8B: FLOPs per token at 8k context over 2N")

    ctx.step("checking the sources' figures")
    checks = fact_checks(ctx, by_id, sd_low, sd_high)
    out.table("checks", checks, "The sources' figures about model size and memory, checked")
    out.table("unknown", [
        {"model": "GPT-4", "what_is_claimed": "Architecture and size withheld by OpenAI", "by_whom":
         "OpenAI, GPT-4 Technical Report, Section 2", "url": "https://arxiv.org/abs/2303.08774"},
        {"model": "Midjourney", "what_is_claimed": "No architecture or parameter count published", "by_whom":
         "Midjourney publishes neither; the essay names the model without a size",
         "url": "https://www.beren.io/2023-04-04-Surprising-parameter-efficiency-vision-models/"},
    ], "Models with no public architecture: listed, never counted")

    ctx.step("values for the prose")
    values_for_prose(ctx, by_id)

    ctx.step("charts")
    charts(ctx, alt, table, chart_memory_rows, summaries)


EXPLANATIONS = {
    # Why a meta-device count differs from the published figure by more than 0.5%.
    "gpt2-xl": "The model card's 1.5B rounds 1.56B down to one decimal.",
    "phi-3-mini": "3.8B rounds 3.82B.",
    "qwen2.5-0.5b": "0.49B rounds 0.494B down.",
    "gpt-neox-20b": "The README's 20B is a round figure; the paper's title also says 20B.",
    "chinchilla-70b": ("The paper's Table 4 gives layers, width and heads but not the MLP width or embedding "
                       "details; a 4×d MLP with a 32k vocabulary falls short of 70B. Unexplained by the published "
                       "hyperparameters."),
    "llama-7b": "7B is a size class: the model has 6.74B parameters (Touvron et al. 2023, Table 2 lists 6.7B).",
    "llama-2-7b": "7B is a size class: the model has 6.74B parameters.",
    "llama-2-70b": "70B is a size class: the model has 69.0B parameters.",
    "llama-3-70b": "70B is a size class: the model has 70.6B parameters.",
    "mistral-7b": "The 7.3B in the documentation is above our 7.24B, which reproduces Table 1 exactly; the paper itself says 7B.",
    "mixtral-8x7b": "47B rounds 46.7B.",
    "phi-2": "2.7B rounds 2.78B down.",
    "bert-large": "The paper's 340M is rounded; BertForMaskedLM has 335M.",
    "t5-base": "The paper says about 220 million; tied embeddings counted once give 223M.",
    "vit-base-16": "The paper's 86M leaves out the 1000-class head (0.8M) counted here.",
    "vit-large-16": ("The paper's 307M includes a pre-logits layer and a larger head used in pretraining; "
                     "our 1000-class ViT-L has neither."),
    "whisper-tiny": ("OpenAI's table rounds, and its own code keeps the encoder's sinusoidal position table "
                     "as a buffer; the gap is not explained by the published shapes."),
    "whisper-base": "As for tiny: a gap the published shapes do not explain.",
    "whisper-small": "As for tiny: a gap the published shapes do not explain.",
    "whisper-medium": "As for tiny: a gap the published shapes do not explain.",
    "sdxl-base": "2.6B rounds the UNet's 2.57B.",
}


def fact_checks(ctx, by_id: dict, sd_low: float, sd_high: float) -> list[dict]:
    rows = []

    def add(claim_id: str, claim: str, low: float, high: float, found: str, tier: str | None = None):
        c = ctx.row(claim_id)
        if tier is None:
            tier, factor = verdict(*c.range, low, high)
            tier = tier if tier == "holds" else f"{tier} ({factor:.2g}× apart)"
        rows.append({"claim": claim, "source": c.source.split(",")[0], "url": c.url, "we_find": found,
                     "verdict": tier})

    sd = by_id["sd-v1"]
    unet = sd["counted_for_published"]
    add("essay_sd_params", "Stable Diffusion is only 890M parameters", sd["parameters"], sd["parameters"],
        f"UNet {fmt(unet)}, all components {fmt(sd['parameters'])}; no standard grouping gives 890M")
    whisper = by_id["whisper-large"]["parameters"]
    add("essay_whisper_params", "Whisper has 1.6B parameters", whisper, whisper, f"Whisper large: {fmt(whisper)}")
    add("essay_llama_11b", "the Llama 11B", math.nan, math.nan,
        "LLaMA came in 7B, 13B, 33B and 65B (model card); there is no 11B", tier="no such model")
    gptj = by_id["gpt-j-6b"]["weights_bf16_bytes"] / GB
    add("untoreh_6b_memory", "a 6B GPT needs 12 GB", gptj, gptj,
        f"GPT-J-6B weights in fp16/bf16: {gptj:.1f} GB (fp32: {2 * gptj:.1f} GB)")
    add("untoreh_sd_memory", "Stable Diffusion needs 3 to 5 GB", sd_low / GB, sd_high / GB,
        f"SD v1 in fp16 at 512px: {sd_low / GB:.1f} GB with memory-efficient attention, {sd_high / GB:.1f} GB "
        "with naive attention")
    add("essay_gpt4_dense", "GPT-4 is unlikely to exceed 1 trillion dense parameters", math.nan, math.nan,
        "OpenAI withholds GPT-4's size (GPT-4 Technical Report, Section 2)", tier="untestable")
    return rows


def values_for_prose(ctx, by_id: dict) -> None:
    out = ctx.results
    sd = by_id["sd-v1"]
    out.value("sd_v1_unet", sd["counted_for_published"], "parameters", "SD v1 UNet, counted on meta",
              sources=("params_sd_v1_unet",))
    out.value("sd_v1_total", sd["parameters"], "parameters", "SD v1: UNet + VAE + CLIP text encoder")
    out.value("sdxl_over_sd1_unet", by_id["sdxl-base"]["counted_for_published"] / sd["counted_for_published"], "×",
              "SDXL UNet over SD v1 UNet (the SDXL abstract says three times larger)")
    out.value("sd_v1_flops_per_image", sd["flops_per_unit"], "FLOPs",
              "SD v1: FLOPs per 512px image, 50 steps with classifier-free guidance")
    out.value("sd_v1_unet_step_flops", sd["sd_unet_step"], "FLOPs", "SD v1: one UNet evaluation at 512px, batch 1")
    llama = by_id["llama-2-7b"]
    out.value("llama2_7b_flops_per_token", llama["flops_per_unit"], "FLOPs",
              "Llama 2 7B: FLOPs per token at 1k context")
    out.value("sd_image_in_llama_tokens", sd["flops_per_unit"] / llama["flops_per_unit"], "tokens",
              "Llama 2 7B tokens that cost as much compute as one SD v1 image")
    out.value("gptj_weights_bf16_gb", by_id["gpt-j-6b"]["weights_bf16_bytes"] / GB, "GB", "GPT-J-6B weights in bf16")
    out.value("census_models", len(by_id), "architectures", "Architectures counted in the census")
    for modality in ("vision", "audio", "language"):
        sizes = [s["parameters"] for s in by_id.values() if s["modality"] == modality]
        out.value(f"largest_{modality}", max(sizes), "parameters", f"Largest {modality} model in the census")


def charts(ctx, alt, table: list[dict], memory_rows: list[dict], summaries: list[dict]) -> None:
    out = ctx.results
    colors = alt.Scale(domain=["vision", "audio", "language"], range=["#1f77b4", "#2ca02c", "#d62728"])
    points = [{"name": r["name"], "modality": r["modality"], "released": r["released"] + "-15",
               "parameters": r["parameters"], "origin": r["config_origin"]} for r in table]
    out.table("by_year", points, "Parameters by release date and modality")
    scatter = alt.Chart(alt.Data(values=points)).mark_circle(size=70, opacity=0.85).encode(
        x=alt.X("released:T", title="Release"),
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("modality:N", scale=colors, legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["name:N", alt.Tooltip("parameters:Q", format=",.0f"), alt.Tooltip("released:T", format="%b %Y"),
                 alt.Tooltip("origin:N", title="config")])
    vision = max(p["parameters"] for p in points if p["modality"] == "vision")
    language = max(p["parameters"] for p in points if p["modality"] == "language")
    out.chart("by_year", scatter.properties(width=560, height=300), "Parameters by modality and year",
              f"Log-scale scatter of {len(points)} architectures by release month. Language models span "
              f"{fmt(min(p['parameters'] for p in points if p['modality'] == 'language'))} to {fmt(language)} "
              f"parameters; the largest vision model here has {fmt(vision)} and the largest audio model "
              f"{fmt(max(p['parameters'] for p in points if p['modality'] == 'audio'))}.", data="by_year")

    bars = alt.Chart(alt.Data(values=memory_rows)).mark_point(filled=True, size=90).encode(
        y=alt.Y("model:N", sort=None, title=None),
        x=alt.X("gb:Q", scale=alt.Scale(type="log"), title="Weight memory, GB (log scale)"),
        color=alt.Color("precision:N", sort=["fp32", "bf16", "int8", "int4"], legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("precision:N", sort=["fp32", "bf16", "int8", "int4"]),
        tooltip=["model:N", "precision:N", alt.Tooltip("gb:Q", format=".3~r", title="GB")])
    out.chart("memory", bars.properties(width=560, height=260), "Weight memory by precision",
              "Log-scale dot plot of weight memory at fp32, bf16, int8 and int4 for the models the sources "
              "name: each halving of precision halves the bytes, from 4 bytes a parameter down to half a byte.",
              data="memory_chart")

    flops_points = [{"name": s["name"], "modality": s["modality"], "parameters": s["parameters"],
                     "flops": s["flops_per_unit"], "unit": s["flops_unit"]}
                    for s in summaries if not math.isnan(s["flops_per_unit"])]
    out.table("flops_vs_params", flops_points, "FLOPs per unit of output against parameters")
    flops_chart = alt.Chart(alt.Data(values=flops_points)).mark_point(filled=True, size=70).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        y=alt.Y("flops:Q", scale=alt.Scale(type="log"), title="FLOPs per unit of output (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("modality:N", scale=colors, legend=alt.Legend(orient="bottom", title=None)),
        shape=alt.Shape("unit:N", legend=alt.Legend(orient="bottom", title="per")),
        tooltip=["name:N", alt.Tooltip("parameters:Q", format=",.0f"), alt.Tooltip("flops:Q", format=".3~s"),
                 "unit:N"])
    sd = next(p for p in flops_points if p["name"] == "Stable Diffusion v1")
    # One forward pass costs about 2 FLOPs per parameter (Kaplan et al. 2020, Sec. 2.1): the dashed line.
    span = [min(p["parameters"] for p in flops_points), max(p["parameters"] for p in flops_points)]
    one_pass = alt.Chart(alt.Data(values=[{"parameters": n, "flops": 2 * n} for n in span])).mark_line(
        strokeDash=[4, 3], color="gray").encode(x="parameters:Q", y="flops:Q")
    out.chart("flops_vs_params", (one_pass + flops_chart).properties(width=560, height=320),
              "Compute per output against parameters",
              f"Log-log scatter: FLOPs per token for language models, per image for vision models, per 30 s "
              f"for Whisper. Stable Diffusion v1 spends {fmt(sd['flops'])} FLOPs on one image with "
              f"{fmt(sd['parameters'])} parameters, far above the dashed line of 2 FLOPs per parameter "
              "that one pass would cost.", data="flops_vs_params")


def row_components(row) -> list[str] | None:
    """Which components a published figure counts, from the catalog row's note ("components: unet")."""
    if row.note.startswith("components:"):
        return [c.strip() for c in row.note.split(":", 1)[1].split(";")[0].split(",")]
    return None


def key(model_id: str) -> str:
    return model_id.replace("-", "_").replace(".", "")


def clean(value):
    if isinstance(value, float) and math.isnan(value):
        return ""
    return "" if value is None else value
