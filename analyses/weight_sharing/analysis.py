"""Weight sharing, measured: the parameters a computation would need if nothing were reused across positions.

A convolution applies one filter at every output position; a transformer applies
the same block to every patch, frame or token. The "unshared equivalent" gives
each position its own copy: a convolution becomes a locally connected layer (one
filter per output position), a per-token linear layer becomes N layers.

We measure it from real shapes, not a global formula: forward hooks on a model
built on the meta device record, for every module that owns parameters, how many
positions it was applied at in one forward pass (batch size 1):

    Conv1d/2d     output positions        = prod(output.shape[2:])
    Linear        tokens it was applied to = input.numel() / in_features
    norms         positions normalised     = input.numel() / channels (GroupNorm: prod(shape[2:]))

Unshared parameters = parameters × positions, summed over modules. Lookup tables
(nn.Embedding) and parameters used once per pass (class token, timestep MLP) count
once: a per-position copy of a lookup table is not needed to compute one position.
"""

import math

from torch import nn

from analyses._format import format_number as fmt
from analyses._style import modality_expression, modality_scale
from analyses.brain import area_counts
from analyses.modelstats import CONFIGS_DATA
from analyses.modelstats.build import build, read_config
from analyses.modelstats.flops import causal_lm_inputs, image_inputs, speech_tokens_in_30s, unet_inputs, whisper_inputs
from analyses.modelstats.memory import forward_with_hooks

# The modality of each model, for the site-wide colours.
MODALITIES = {"Stable Diffusion v1 UNet": "vision", "ViT-B/16": "vision", "Whisper large": "audio",
              "Llama 2 7B": "language"}

def positions_applied(module: nn.Module, inputs: tuple, output) -> int:
    """How many positions one call of ``module`` covered (batch size 1)."""
    out = output[0] if isinstance(output, (tuple, list)) else output
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        return math.prod(out.shape[2:])
    if isinstance(module, nn.GroupNorm):
        return math.prod(out.shape[2:])
    if isinstance(module, nn.Linear):
        return inputs[0].numel() // module.in_features
    if isinstance(module, nn.Embedding):
        return 1
    # LayerNorm, RMSNorm variants and other per-channel modules: positions = elements / channels.
    channels = out.shape[-1]
    return max(1, out.numel() // channels)


def unshared_counts(model: nn.Module, *args, **kwargs) -> list[dict]:
    """One record per module with its own parameters: name, kind, parameters, positions, unshared."""
    # Parameters each module owns directly; a tied tensor (Whisper's output projection is its token
    # embedding) belongs to the first module that holds it, so totals match the census.
    seen: set[int] = set()
    own = {}
    for name, m in model.named_modules():
        fresh = [p for p in m.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in fresh)
        own[name] = sum(p.numel() for p in fresh)
    positions: dict[str, int] = {}

    def make_hook(name):
        def hook(module, inputs, output):
            positions[name] = positions.get(name, 0) + positions_applied(module, inputs, output)
        return hook

    handles = [m.register_forward_hook(make_hook(name)) for name, m in model.named_modules() if own[name]]
    forward_with_hooks(model, handles, *args, **kwargs)
    records = []
    for name, module in model.named_modules():
        if not own[name]:
            continue
        n = positions.get(name, 1)  # not called as a module (e.g. a class token): used once
        records.append({"module": name or "(root)", "kind": type(module).__name__, "parameters": own[name],
                        "positions": n, "unshared": own[name] * n})
    return records


def sharing_factor(records: list[dict]) -> float:
    """Unshared-equivalent parameters over actual parameters."""
    return sum(r["unshared"] for r in records) / sum(r["parameters"] for r in records)


# ---------------------------------------------------------------- the four models

def measure_models(ctx) -> dict[str, list[dict]]:
    p = ctx.params
    models = {}
    ctx.step(f"Stable Diffusion v1 UNet at {p['sd_size']}×{p['sd_size']} (latent {p['sd_size'] // 8})")
    unet = build(read_config(ctx.data(f"{CONFIGS_DATA}/sd-v1-4/unet.json")), "unet")
    args, kwargs = unet_inputs(unet, 1, p["sd_size"] // 8)
    models["Stable Diffusion v1 UNet"] = unshared_counts(unet, *args, **kwargs)

    ctx.step(f"ViT-B/16 at {p['vit_size']}×{p['vit_size']}")
    vit = build(read_config(ctx.data(f"{CONFIGS_DATA}/vit-base-patch16/config.json")), "vit")
    models["ViT-B/16"] = unshared_counts(vit, **image_inputs(p["vit_size"]))

    ctx.step("Whisper large on 30 s of audio")
    whisper_config = read_config(ctx.data(f"{CONFIGS_DATA}/whisper-large/config.json"))
    whisper = build(whisper_config, "whisper")
    tokens = speech_tokens_in_30s(ctx.row("oral_reading_rate").value, ctx.row("words_per_token").value)
    models["Whisper large"] = unshared_counts(whisper, **whisper_inputs(whisper_config, tokens))

    ctx.step(f"Llama 2 7B at {p['llm_context']:,} tokens")
    llama = build(read_config(ctx.data(f"{CONFIGS_DATA}/llama-2-7b/config.json")), "llama")
    models["Llama 2 7B"] = unshared_counts(llama, **causal_lm_inputs(p["llm_context"]))
    return models


def run(ctx) -> None:
    import altair as alt

    out = ctx.results
    models = measure_models(ctx)

    ctx.step("totals and per-layer multipliers")
    totals, depth_rows, layer_rows = [], [], []
    for model, records in models.items():
        shared = sum(r["parameters"] for r in records)
        unshared = sum(r["unshared"] for r in records)
        totals.append({"model": model, "parameters": shared, "unshared_equivalent": unshared,
                       "sharing_factor": unshared / shared})
        key = model.lower().replace(" ", "_").replace("/", "_").replace("-", "_").replace(".", "")
        out.value(f"{key}_unshared", unshared, "parameters", f"{model}: unshared-equivalent parameters")
        out.value(f"{key}_factor", unshared / shared, "×", f"{model}: unshared-equivalent over actual parameters")
        for order, r in enumerate(r for r in records if r["kind"] in ("Conv1d", "Conv2d", "Linear")):
            depth_rows.append({"model": model, "order": order, "module": r["module"], "kind": r["kind"],
                               "positions": r["positions"]})
        for r in sorted(records, key=lambda r: -r["unshared"])[:8]:
            layer_rows.append({"model": model, **r})
    out.table("totals", totals, "Actual and unshared-equivalent parameters")

    ctx.step("how much of the brain gap sharing could explain")
    # Orders of magnitude between the visual cortex's synapses and SD v1's UNet (the brain-scale analysis),
    # against the orders of magnitude weight sharing adds to the UNet.
    factor = {t["model"]: t["sharing_factor"] for t in totals}
    unshared = {t["model"]: t["unshared_equivalent"] for t in totals}
    visual = area_counts(ctx.row, "visual cortex")["synapses"]
    sd_params = next(t["parameters"] for t in totals if t["model"].startswith("Stable"))
    gap = [math.log10(v / sd_params) for v in visual]
    shared_oom = math.log10(factor["Stable Diffusion v1 UNet"])
    out.value("vision_gap_oom", gap[1], "orders of magnitude", "Visual-cortex synapses over SD v1 UNet parameters",
              low=gap[0], high=gap[2], sources=("neocortex_synapses", "millidge_visual_share", "synapses_per_neuron"))
    out.value("vision_sharing_oom", shared_oom, "orders of magnitude", "Orders of magnitude weight sharing saves SD v1")
    out.value("vision_gap_explained", 100 * shared_oom / gap[1], "%",
              "Share of the visual-cortex gap (in orders of magnitude) that sharing could explain",
              low=100 * shared_oom / gap[2], high=min(100.0, 100 * shared_oom / gap[0]))
    language = area_counts(ctx.row, "language areas")["synapses"]
    over = [math.log10(unshared["Llama 2 7B"] / s) for s in reversed(language)]
    out.value("llama_unshared_over_language_oom", over[1], "orders of magnitude",
              "Llama 2 7B's unshared equivalent at 2k tokens over the language areas' synapses",
              low=over[0], high=over[2], sources=("neocortex_synapses", "millidge_language_share", "synapses_per_neuron"))
    out.table("depth", depth_rows, "Positions each layer is applied at, in forward order")
    out.table("top_layers", layer_rows, "The eight modules with the largest unshared-equivalent counts per model")

    ctx.step("charts")
    totals_long = [{"model": t["model"], "count": c, "parameters": t[k]}
                   for t in totals for k, c in (("parameters", "as built (shared)"),
                                               ("unshared_equivalent", "unshared equivalent"))]
    out.table("totals_long", totals_long, "Actual and unshared-equivalent parameters, long format")
    bars = alt.Chart(alt.Data(values=totals_long)).mark_point(filled=True, size=100).encode(
        y=alt.Y("model:N", sort=None, title=None),
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("count:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["model:N", "count:N", alt.Tooltip("parameters:Q", format=".3~s")])
    sd = next(t for t in totals if t["model"].startswith("Stable"))
    llm = next(t for t in totals if t["model"].startswith("Llama"))
    out.chart("totals", bars.properties(width=520, height=170), "Parameters with and without weight sharing",
              f"Dots on a log scale for four models. Without weight sharing the SD v1 UNet would need "
              f"{fmt(sd['unshared_equivalent'])} parameters ({fmt(sd['sharing_factor'])} times its "
              f"{fmt(sd['parameters'])}); Llama 2 7B at 2,048 tokens would need {fmt(llm['unshared_equivalent'])} "
              f"({fmt(llm['sharing_factor'])} times).", data="totals_long")
    # Coloured by modality (the site's colours), one shape per model: the two vision models share blue.
    depth = alt.Chart(alt.Data(values=depth_rows)).transform_calculate(
        modality=modality_expression("model", MODALITIES)).mark_line(
        point=alt.OverlayMarkDef(size=16, filled=True)).encode(
        x=alt.X("order:Q", title="Layer, in forward order (convolutions and linear layers)"),
        y=alt.Y("positions:Q", scale=alt.Scale(type="log"), title="Positions it is applied at (log scale)"),
        color=alt.Color("modality:N", scale=modality_scale(alt), legend=alt.Legend(orient="bottom", title=None)),
        shape=alt.Shape("model:N", sort=list(MODALITIES), legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["model:N", "module:N", "kind:N", "positions:Q"])
    out.chart("depth", depth.properties(width=560, height=260), "Where the reuse happens",
              "Log-scale lines of how many positions each convolution or linear layer is applied at, layer by "
              "layer: " + "; ".join(
                  f"{m} from {min(r['positions'] for r in depth_rows if r['model'] == m):,} to "
                  f"{max(r['positions'] for r in depth_rows if r['model'] == m):,}" for m in models) + ".",
              data="depth")
