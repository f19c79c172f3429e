"""The census: parameters, memory and FLOPs of real architectures, computed without weights.

Each model in models.yaml is built on the meta device from its upstream config
(analyses/modelstats/configs/), then counted with the modelstats library: unique
parameters (total, embedding, non-embedding, per component), weight memory per
precision, KV cache and activation memory, and FLOPs per unit of output (per token,
per image, per 30 s of audio) with torch's FlopCounterMode. Published figures come
from analyses/catalog/census.yaml.
"""

import dataclasses
import json
import math
import pathlib
import subprocess
import sys

import yaml

from analyses._checks import fact_check
from analyses._format import format_number as fmt
from analyses._style import modality_scale
from analyses.modelstats import CONFIGS
from analyses.modelstats.build import ConfigError, build, read_config
from analyses.modelstats.count import FORMULA_TYPES, count_parameters, embedding_parameters, formula_from_config
from analyses.modelstats.flops import (
    CLIP_TEXT_TOKENS,
    WHISPER_FRAMES,
    context_limit,
    count_flops,
    flops_per_unit,
    speech_tokens_in_30s,
    unet_inputs,
)
from analyses.modelstats.memory import forward_with_hooks, kv_cache_bytes, leaf_activation_bytes, weight_bytes

HERE = pathlib.Path(__file__).parent
GB = 1e9  # decimal gigabytes, as the sources use them
REQUIRED = ("id", "name", "modality", "released", "released_source", "upstream", "components")
PRECISIONS = ("fp32", "bf16", "int8", "int4")


@dataclasses.dataclass
class Published:
    """A model's published parameter count and what we count for the same components."""
    value: float
    components: str          # what the published figure counts, from the catalog row
    counted: int
    url: str

    @property
    def difference_pct(self) -> float:
        return 100 * (self.counted - self.value) / self.value


@dataclasses.dataclass
class ModelCount:
    """One architecture of models.yaml, counted on the meta device."""
    model: str                              # models.yaml id
    name: str
    modality: str
    released: str
    config_origin: str
    parameters: int
    embedding: int
    flops_unit: str = ""                    # token, 30 s of audio, image; "" when not counted
    flops_per_unit: float = math.nan        # at the first context of the profile for language models
    flops_per_unit_8k: float = math.nan     # at the second context, when the model's window allows it
    flops_note: str = ""
    kv_cache_bytes: dict[int, float] = dataclasses.field(default_factory=dict)  # context -> bf16 bytes
    sd: dict | None = None                  # Stable Diffusion's FLOPs and activations by part (sd_flops)
    published: Published | None = None
    training_data: float | None = None
    training_unit: str | None = None
    explanation: str = ""                   # why the count differs from the published one by over 0.5%

    @property
    def non_embedding(self) -> int:
        return self.parameters - self.embedding

    @property
    def weights_bytes(self) -> dict[str, float]:
        return weight_bytes(self.parameters)

    def table_row(self) -> dict:
        """The row of the models table."""
        published = self.published
        return {"model": self.model, "name": self.name, "modality": self.modality, "released": self.released,
                "config_origin": self.config_origin, "parameters": self.parameters, "embedding": self.embedding,
                "non_embedding": self.non_embedding, "published": published.value if published else "",
                "difference_pct": published.difference_pct if published else "", "explanation": self.explanation,
                **{f"weights_{d}_bytes": b for d, b in self.weights_bytes.items()},
                "flops_unit": self.flops_unit, "flops_per_unit": clean(self.flops_per_unit),
                "flops_per_unit_8k": clean(self.flops_per_unit_8k), "flops_note": self.flops_note,
                "training_data": clean(self.training_data), "training_unit": clean(self.training_unit)}


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
            text += count_flops(module, input_ids=torch.zeros(1, CLIP_TEXT_TOKENS, dtype=torch.long, device="meta"))
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


def measure_entry(entry: dict, params: dict, speech_tokens: int) -> tuple[list[dict], ModelCount]:
    """Parameter rows by component and one ModelCount (memory, FLOPs) for a model."""
    built = build_components(entry)
    rows = parameter_rows(entry, built)
    count = ModelCount(model=entry["id"], name=entry["name"], modality=entry["modality"],
                       released=str(entry["released"]), config_origin=entry.get("config_origin", ""),
                       parameters=sum(r["parameters"] for r in rows), embedding=sum(r["embedding"] for r in rows))
    flops = entry.get("flops") or {}
    kind = flops.get("kind")
    if kind == "causal_lm":
        count_language_model(count, built["model"], params, f"configs/{entry['components']['model']['config']}")
    elif kind == "whisper":
        module, config, _ = built["model"]
        count.flops_unit = "30 s of audio"
        count.flops_per_unit = flops_per_unit(module, config, "whisper", speech_tokens=speech_tokens)
        count.flops_note = f"encoder on {WHISPER_FRAMES:,} frames; decoder on {speech_tokens} tokens"
    elif kind == "image":
        module, config, _ = built[flops.get("component", "model")]
        count.flops_unit = "image"
        count.flops_per_unit = flops_per_unit(module, config, "image", image_size=flops["size"])
        count.flops_note = f"{flops['size']}×{flops['size']} input"
    elif kind == "sd":
        count.sd = sd_flops(built, flops["size"], flops["steps"])
        count.flops_unit = "image"
        count.flops_per_unit = count.sd["per_image_cfg"]
        count.flops_note = (f"{flops['size']}px, {count.sd['steps']} steps with classifier-free guidance "
                            f"(batch 2 per step)")
    return rows, count


def count_language_model(count: ModelCount, built: tuple, params: dict, where: str) -> None:
    """FLOPs per token at the profile's two contexts (the second only within the model's window), and KV caches."""
    module, config, _ = built
    limit = context_limit(config)
    short, long = params["contexts"]
    count.flops_unit = "token"
    count.flops_per_unit = flops_per_unit(module, config, "causal_lm", context=min(short, limit), where=where)
    if limit >= long:
        count.flops_per_unit_8k = flops_per_unit(module, config, "causal_lm", context=long, where=where)
    else:
        count.flops_note = f"context window is {limit} tokens"
    count.kv_cache_bytes = {context: kv_cache_bytes(config, context) for context in params["kv_contexts"]}


def add_published(row, entry: dict, count: ModelCount, rows: list[dict]) -> None:
    """The published parameter count and the training-set size, from the catalog rows models.yaml names."""
    if entry.get("published"):
        published = row(entry["published"])
        components = row_components(published)
        counted = sum(r["parameters"] for r in rows if components is None or r["component"] in components)
        count.published = Published(value=published.value, components=published.counts, counted=counted,
                                    url=published.url)
        off = abs(count.published.difference_pct) > 0.5
        count.explanation = EXPLANATIONS.get(entry["id"], "") if off else ""
    if entry.get("training"):
        training = row(entry["training"])
        count.training_data, count.training_unit = training.value, training.unit


def measured_peak(entry: dict, kind: str, device: str) -> dict:
    """Real fp32 weights and one forward pass, in a fresh process (modelstats/measure.py)."""
    component = entry["components"]["model"]
    out = subprocess.run([sys.executable, "-m", "analyses.modelstats.measure", str(CONFIGS / component["config"]),
                          component["class"], kind, "--device", device], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    out, params = ctx.results, ctx.params
    ctx.step("reading models.yaml and the catalog")
    entries = load_models()
    speech_tokens = speech_tokens_in_30s(ctx.row("oral_reading_rate").value, ctx.row("words_per_token").value)

    counts, component_rows = [], []
    for i, entry in enumerate(entries, start=1):
        ctx.step(f"{i}/{len(entries)} {entry['name']}: building on meta, counting parameters and FLOPs")
        rows, count = measure_entry(entry, params, speech_tokens)
        add_published(ctx.row, entry, count, rows)
        component_rows += rows
        counts.append(count)
    by_id = {c.model: c for c in counts}
    save_model_values(out, counts)

    ctx.step("tables")
    check_explanations(counts)
    save_tables(out, counts, component_rows)

    ctx.step("the analytic formula against instantiated counts")
    formula_rows = formula_table(entries, by_id)
    save_formula(out, formula_rows)

    ctx.step("memory: weights, KV cache, SD activations")
    memory_rows = memory_table(counts, params["kv_contexts"])
    sd_low, sd_high = save_memory(out, memory_rows, by_id, params["kv_contexts"])

    if ctx.measuring:  # memory of this machine's allocator: recorded apart, with the machine
        ctx.step("measured peak memory with real random weights")
        save_measured(ctx, entries, by_id)

    ctx.step("FLOPs per token against the 2N rule")
    save_two_n_rule(out, two_n_rule(counts, formula_rows))

    ctx.step("checking the sources' figures")
    out.table("checks", [c.row() for c in fact_checks(ctx.row, by_id, sd_low, sd_high)],
              "The sources' figures about model size and memory, checked")
    out.table("unknown", UNKNOWN, "Models with no public architecture: listed, never counted")

    ctx.step("values for the prose")
    values_for_prose(out, by_id)

    ctx.step("charts")
    _charts(out, counts, memory_rows, params["memory_chart_models"])


def save_model_values(out, counts: list[ModelCount]) -> None:
    for c in counts:
        out.value(f"params_{key(c.model)}", c.parameters, "parameters",
                  f"{c.name}: unique parameters, all components, counted on the meta device")
        if not math.isnan(c.flops_per_unit):
            out.value(f"flops_{key(c.model)}", c.flops_per_unit, f"FLOPs/{c.flops_unit}",
                      f"{c.name}: FLOPs per {c.flops_unit} ({c.flops_note or 'see table'})")


def check_explanations(counts: list[ModelCount]) -> None:
    """Every difference over 0.5% from the published figure must be explained on the page."""
    unexplained = [f"{c.model} ({c.published.difference_pct:+.1f}%)" for c in counts
                   if c.published and abs(c.published.difference_pct) > 0.5 and not c.explanation]
    if unexplained:
        raise ValueError(f"counts differ from the published figure by over 0.5% with no entry in EXPLANATIONS: "
                         f"{', '.join(unexplained)}")


def save_tables(out, counts: list[ModelCount], component_rows: list[dict]) -> None:
    out.table("models", [c.table_row() for c in counts],
              "Every model: parameters, weight memory by precision, FLOPs per unit of output")
    out.table("components", component_rows, "Parameters by component, counted on the meta device")
    out.table("published", [
        {"model": c.name, "config": c.config_origin, "counted": c.published.counted, "published": c.published.value,
         "difference_pct": round(c.published.difference_pct, 2), "counts": c.published.components,
         "explanation": c.explanation}
        for c in counts if c.published], "Meta-device counts against published figures")
    for origin in ("upstream", "reconstructed", "derived", "mixed"):
        out.value(f"configs_{origin}", sum(c.config_origin == origin for c in counts), "architectures",
                  f"Architectures whose config is {origin}")


def formula_table(entries: list[dict], by_id: dict[str, ModelCount]) -> list[dict]:
    """The hand formula of every decoder-only model it covers, beside the meta-device count."""
    rows = []
    for entry in entries:
        if "model" not in entry["components"]:
            continue
        config = read_config(CONFIGS / entry["components"]["model"]["config"])
        if config.get("model_type") not in FORMULA_TYPES:
            continue
        formula = formula_from_config(config)
        counted = by_id[entry["id"]].parameters
        rows.append({"model": entry["id"], "formula_total": formula["total"], "counted": counted,
                     "formula_active": formula["active"], "match": formula["total"] == counted})
    return rows


def save_formula(out, formula_rows: list[dict]) -> None:
    out.table("formula", formula_rows, "Decoder-only parameter formula against meta-device counts")
    out.value("formula_models_matched", sum(r["match"] for r in formula_rows), "models",
              "Decoder-only models whose hand formula equals the instantiated count exactly")
    out.value("formula_models", len(formula_rows), "models", "Decoder-only models checked against the formula")
    mixtral = next(r for r in formula_rows if r["model"] == "mixtral-8x7b")
    out.value("mixtral_active", mixtral["formula_active"], "parameters",
              "Mixtral 8x7B parameters used per token (2 of 8 experts), from the formula")


def memory_table(counts: list[ModelCount], kv_contexts: list[int]) -> list[dict]:
    """Weight memory (GB) at each precision and the bf16 KV cache of one sequence at each context."""
    rows = []
    for c in counts:
        row = {"model": c.model, "name": c.name, "modality": c.modality}
        row.update({dtype: c.weights_bytes[dtype] / GB for dtype in PRECISIONS})
        for context in kv_contexts:
            kv = c.kv_cache_bytes.get(context)
            row[f"kv_cache_{context}_gb"] = "" if kv is None else kv / GB
        rows.append(row)
    return rows


def save_memory(out, memory_rows: list[dict], by_id: dict[str, ModelCount], kv_contexts: list[int]):
    """The memory table and values; returns SD v1's inference memory range in bytes (low, high)."""
    out.table("memory", memory_rows, "Weight memory (GB) by precision, and bf16 KV cache for one sequence")
    sd = by_id["sd-v1"]
    sd_weights = sd.weights_bytes["bf16"]
    sd_low = sd_weights + sd.sd["activation_largest"]
    sd_high = sd_weights + sd.sd["attention_matrix"]
    out.value("sd_v1_inference_gb", (sd_low + sd_high) / 2 / GB, "GB",
              "SD v1 at 512px in fp16, batch 2 (guidance): weights plus activations, from memory-efficient "
              "attention (largest layer output) to naive attention (largest attention matrix)",
              low=sd_low / GB, high=sd_high / GB)
    out.value("sd_v1_weights_fp16_gb", sd_weights / GB, "GB", "SD v1 weights (UNet, VAE, text encoder) in fp16")
    for model_id in ("llama-2-7b", "llama-3-8b", "llama-3-70b"):
        c = by_id[model_id]
        for context in kv_contexts:
            out.value(f"kv_{key(model_id)}_{context}_gb", c.kv_cache_bytes[context] / GB, "GB",
                      f"{c.name}: bf16 KV cache for one sequence of {context:,} tokens")
    return sd_low, sd_high


def save_measured(ctx, entries: list[dict], by_id: dict[str, ModelCount]) -> None:
    rows = []
    for model_id, kind in ctx.params["measure"]:
        entry = next(e for e in entries if e["id"] == model_id)
        measured = measured_peak(entry, kind, "cuda" if ctx.device == "cuda" else "cpu")
        weights = by_id[model_id].weights_bytes["fp32"]
        rows.append({"model": model_id, "weights_fp32_gb": weights / GB, "measured_peak_gb": measured["peak_bytes"] / GB,
                     "peak_over_weights": measured["peak_bytes"] / weights, "device": ctx.device})
    ctx.measurements.table("measured", rows, "Peak memory of a real fp32 model and one forward pass, against its weights")


def two_n_rule(counts: list[ModelCount], formula_rows: list[dict]) -> list[dict]:
    """FLOPs per token over 2 × non-embedding parameters (active ones for a mixture of experts)."""
    active = {r["model"]: r["formula_active"] for r in formula_rows}
    rows = []
    for c in counts:
        if c.flops_unit != "token":
            continue
        two_n = 2 * (active.get(c.model, c.parameters) - c.embedding)
        rows.append({"model": c.model, "name": c.name, "flops_per_token_1k": c.flops_per_unit, "two_n": two_n,
                     "ratio_1k": c.flops_per_unit / two_n, "ratio_8k": clean(c.flops_per_unit_8k / two_n)})
    return rows


def save_two_n_rule(out, rule_rows: list[dict]) -> None:
    out.table("two_n_rule", rule_rows, "FLOPs per token at 1k and 8k context over 2 × non-embedding (active) parameters")
    llama3 = next(r for r in rule_rows if r["model"] == "llama-3-8b")
    out.value("llama3_8b_ratio_1k", llama3["ratio_1k"], "×", "Llama 3 8B: FLOPs per token at 1k context over 2N")
    out.value("llama3_8b_ratio_8k", llama3["ratio_8k"], "×", "Llama 3 8B: FLOPs per token at 8k context over 2N")


UNKNOWN = [
    {"model": "GPT-4", "what_is_claimed": "Architecture and size withheld by OpenAI", "by_whom":
     "OpenAI, GPT-4 Technical Report, Section 2", "url": "https://arxiv.org/abs/2303.08774"},
    {"model": "Midjourney", "what_is_claimed": "No architecture or parameter count published", "by_whom":
     "Midjourney publishes neither; the essay names the model without a size",
     "url": "https://www.beren.io/2023-04-04-Surprising-parameter-efficiency-vision-models/"},
]


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


def fact_checks(row, by_id: dict[str, ModelCount], sd_low: float, sd_high: float) -> list:
    sd = by_id["sd-v1"]
    unet = sd.published.counted
    whisper = by_id["whisper-large"].parameters
    gptj = by_id["gpt-j-6b"].weights_bytes["bf16"] / GB
    return [
        fact_check(row("essay_sd_params"), "Stable Diffusion is only 890M parameters", sd.parameters, sd.parameters,
                   f"UNet {fmt(unet)}, all components {fmt(sd.parameters)}; no standard grouping gives 890M"),
        fact_check(row("essay_whisper_params"), "Whisper has 1.6B parameters", whisper, whisper,
                   f"Whisper large: {fmt(whisper)}"),
        fact_check(row("essay_llama_11b"), "the Llama 11B", math.nan, math.nan,
                   "LLaMA came in 7B, 13B, 33B and 65B (model card); there is no 11B", tier="no such model"),
        fact_check(row("untoreh_6b_memory"), "a 6B GPT needs 12 GB", gptj, gptj,
                   f"GPT-J-6B weights in fp16/bf16: {gptj:.1f} GB (fp32: {2 * gptj:.1f} GB)"),
        fact_check(row("untoreh_sd_memory"), "Stable Diffusion needs 3 to 5 GB", sd_low / GB, sd_high / GB,
                   f"SD v1 in fp16 at 512px: {sd_low / GB:.1f} GB with memory-efficient attention, "
                   f"{sd_high / GB:.1f} GB with naive attention"),
        fact_check(row("essay_gpt4_dense"), "GPT-4 is unlikely to exceed 1 trillion dense parameters", math.nan,
                   math.nan, "OpenAI withholds GPT-4's size (GPT-4 Technical Report, Section 2)", tier="untestable")]


def values_for_prose(out, by_id: dict[str, ModelCount]) -> None:
    sd, llama = by_id["sd-v1"], by_id["llama-2-7b"]
    unet = sd.published.counted
    out.value("sd_v1_unet", unet, "parameters", "SD v1 UNet, counted on meta", sources=("params_sd_v1_unet",))
    out.value("sd_v1_total", sd.parameters, "parameters", "SD v1: UNet + VAE + CLIP text encoder")
    out.value("sdxl_over_sd1_unet", by_id["sdxl-base"].published.counted / unet, "×",
              "SDXL UNet over SD v1 UNet (the SDXL abstract says three times larger)")
    out.value("sd_v1_flops_per_image", sd.flops_per_unit, "FLOPs",
              "SD v1: FLOPs per 512px image, 50 steps with classifier-free guidance")
    out.value("sd_v1_unet_step_flops", sd.sd["unet_step"], "FLOPs", "SD v1: one UNet evaluation at 512px, batch 1")
    out.value("llama2_7b_flops_per_token", llama.flops_per_unit, "FLOPs", "Llama 2 7B: FLOPs per token at 1k context")
    out.value("sd_image_in_llama_tokens", sd.flops_per_unit / llama.flops_per_unit, "tokens",
              "Llama 2 7B tokens that cost as much compute as one SD v1 image")
    out.value("gptj_weights_bf16_gb", by_id["gpt-j-6b"].weights_bytes["bf16"] / GB, "GB", "GPT-J-6B weights in bf16")
    out.value("census_models", len(by_id), "architectures", "Architectures counted in the census")
    for modality in ("vision", "audio", "language"):
        sizes = [c.parameters for c in by_id.values() if c.modality == modality]
        out.value(f"largest_{modality}", max(sizes), "parameters", f"Largest {modality} model in the census")


def _charts(out, counts: list[ModelCount], memory_rows: list[dict], memory_chart_models: list[str]) -> None:
    import altair as alt

    colours = modality_scale(alt)
    points = [{"name": c.name, "modality": c.modality, "released": c.released + "-15", "parameters": c.parameters,
               "origin": c.config_origin} for c in counts]
    out.table("by_year", points, "Parameters by release date and modality")
    scatter = alt.Chart(alt.Data(values=points)).mark_circle(size=70, opacity=0.85).encode(
        x=alt.X("released:T", title="Release"),
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("modality:N", scale=colours, legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["name:N", alt.Tooltip("parameters:Q", format=",.0f"), alt.Tooltip("released:T", format="%b %Y"),
                 alt.Tooltip("origin:N", title="config")])
    largest = {m: max(p["parameters"] for p in points if p["modality"] == m) for m in ("vision", "audio", "language")}
    out.chart("by_year", scatter.properties(width=560, height=300), "Parameters by modality and year",
              f"Log-scale scatter of {len(points)} architectures by release month. Language models span "
              f"{fmt(min(p['parameters'] for p in points if p['modality'] == 'language'))} to "
              f"{fmt(largest['language'])} parameters; the largest vision model here has {fmt(largest['vision'])} "
              f"and the largest audio model {fmt(largest['audio'])}.", data="by_year")

    chart_memory_rows = [{"model": r["name"], "precision": d, "gb": r[d]} for r in memory_rows
                         if r["model"] in memory_chart_models for d in PRECISIONS]
    out.table("memory_chart", chart_memory_rows, "Weight memory of the models the sources name, by precision")
    dots = alt.Chart(alt.Data(values=chart_memory_rows)).mark_point(filled=True, size=90).encode(
        y=alt.Y("model:N", sort=None, title=None),
        x=alt.X("gb:Q", scale=alt.Scale(type="log"), title="Weight memory, GB (log scale)"),
        color=alt.Color("precision:N", sort=list(PRECISIONS), legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("precision:N", sort=list(PRECISIONS)),
        tooltip=["model:N", "precision:N", alt.Tooltip("gb:Q", format=".3~r", title="GB")])
    out.chart("memory", dots.properties(width=560, height=260), "Weight memory by precision",
              "Log-scale dot plot of weight memory at fp32, bf16, int8 and int4 for the models the sources "
              "name: each halving of precision halves the bytes, from 4 bytes a parameter down to half a byte.",
              data="memory_chart")

    flops_points = [{"name": c.name, "modality": c.modality, "parameters": c.parameters, "flops": c.flops_per_unit,
                     "unit": c.flops_unit} for c in counts if not math.isnan(c.flops_per_unit)]
    out.table("flops_vs_params", flops_points, "FLOPs per unit of output against parameters")
    flops_chart = alt.Chart(alt.Data(values=flops_points)).mark_point(filled=True, size=70).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        y=alt.Y("flops:Q", scale=alt.Scale(type="log"), title="FLOPs per unit of output (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("modality:N", scale=colours, legend=alt.Legend(orient="bottom", title=None)),
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
