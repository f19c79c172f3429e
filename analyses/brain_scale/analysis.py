"""The brain in "parameters": counts with their disagreements, three definitions, and the gap to models.

The brain-area arithmetic (neurons and synapses of each area, with ranges) lives in
analyses/brain.py. Here it is set against each modality's anchor model under three
definitions of a brain "parameter": one synapse; one synapse storing 4.7 bits,
counted in 16-bit parameters (Bartol et al. 2015); one neuron. Then the essay's
figures are checked, and video models are set against image models.
"""

import math
import pathlib

from analyses import brain
from analyses._checks import fact_check
from analyses._explorable import Control, Output, evaluate, explorable, rename, vega
from analyses._format import format_number as fmt
from analyses._style import MODALITY_COLOURS, NEUTRAL, modality_scale
from analyses.modelstats import CONFIGS_DATA

HERE = pathlib.Path(__file__).parent
# Wan 2.1 text-to-video transformers in diffusers' format. Shapes from the official configs
# (wan_t2v_1_3B.py: dim 1536 = 12 heads × 128, ffn 8960, 30 layers; wan_t2v_14B.py: 40 heads,
# ffn 13824, 40 layers), read in verbatim copies.
WAN_CONFIGS = {"Wan 2.1 1.3B": HERE / "configs" / "wan-2.1-t2v-1.3b.json",
               "Wan 2.1 14B": HERE / "configs" / "wan-2.1-t2v-14b.json"}

# Published sizes set beside each other for hypothesis 1: (name, catalog row, task).
VIDEO_AND_IMAGE_MODELS = (
    ("HunyuanVideo", "video_hunyuan", "video generation"), ("Wan 2.1 14B", "video_wan_14b", "video generation"),
    ("Wan 2.1 1.3B", "video_wan_13b", "video generation"), ("Mochi 1", "video_mochi", "video generation"),
    ("Open-Sora 1.0", "video_opensora_1", "video generation"),
    ("InternVideo2", "video_internvideo2", "video recognition"),
    ("VideoMAE V2", "video_videomae_v2", "video recognition"),
    ("Stable Diffusion v1 UNet", "params_sd_v1_unet", "image generation"),
    ("SDXL UNet", "params_sdxl_unet", "image generation"),
    ("ViT-L/16", "params_vit_large", "image recognition"), ("ViT-22B", "image_vit_22b", "image recognition"))
TASKS = ("video generation", "image generation", "video recognition", "image recognition")
# The brain chart: each area with the modality it serves (the whole neocortex serves none), and models as points.
CHART_AREAS = {"visual cortex": "vision", "auditory cortex": "audio", "language areas": "language",
               "neocortex": "whole neocortex"}
CHART_MODELS = (("SD v1 UNet", "params_sd_v1_unet", "vision"), ("SDXL UNet", "params_sdxl_unet", "vision"),
                ("Whisper large", "params_whisper_large", "audio"),
                ("Llama 3 70B", "params_llama3_70b", "language"), ("GPT-3", "params_gpt3", "language"))
# Value keys of the two Wan 2.1 models.
WAN_KEYS = {"Wan 2.1 1.3B": "wan_13b", "Wan 2.1 14B": "wan_14b"}
# Value keys of the areas.
AREA_KEYS = {"neocortex": "neocortex", "visual cortex": "visual", "auditory cortex": "auditory",
             "language areas": "language", "V1": "v1"}

# each modality's anchor model (published size, census catalog) and the brain area it is set against
ANCHORS = {"vision": ("visual cortex", "params_sd_v1_unet", "Stable Diffusion v1 UNet"),
           "audio": ("auditory cortex", "params_whisper_large", "Whisper large"),
           "language": ("language areas", "params_gpt3", "GPT-3 175B")}


# ---------------------------------------------------------------- the reader's own definition (chart "gaps")
# One formula for an area's "parameters" that a reader can steer: neocortical neurons × the area's share of
# cortex × what one neuron counts for (its synapses; their information in 16-bit parameters, Bartol et al.
# 2015; or itself). It is computed again in the page from the Vega expression; tests/test_browser.py checks
# the two agree. The gap is log10 of that over the anchor model's parameters.

@vega("log(neurons * 1e9 * share_pct / 100 * (definition === 'neurons' ? 1 : synapses_per_neuron * "
      "(definition === 'synapses' ? 1 : bits_per_synapse / 16)) / model_parameters) / LN10")
def brain_gap(neurons: float, share_pct: float, synapses_per_neuron: float, bits_per_synapse: float,
              definition: str, model_parameters: float) -> float:
    """Orders of magnitude between an area (``neurons`` billion in the neocortex, ``share_pct`` % of it) and a model."""
    per_neuron = 1 if definition == "neurons" else synapses_per_neuron * (
        1 if definition == "synapses" else bits_per_synapse / brain.BITS_PER_PARAMETER)
    return math.log10(neurons * 1e9 * share_pct / 100 * per_neuron / model_parameters)


@vega(rename(brain_gap, share_pct="visual_share", model_parameters="sd_unet_parameters"))
def vision_gap(neurons, visual_share, synapses_per_neuron, bits_per_synapse, definition, sd_unet_parameters):
    """The visual cortex over Stable Diffusion v1's UNet."""
    return brain_gap(neurons, visual_share, synapses_per_neuron, bits_per_synapse, definition, sd_unet_parameters)


@vega(rename(brain_gap, share_pct="language_share", model_parameters="gpt3_parameters"))
def language_gap(neurons, language_share, synapses_per_neuron, bits_per_synapse, definition, gpt3_parameters):
    """The language areas over GPT-3."""
    return brain_gap(neurons, language_share, synapses_per_neuron, bits_per_synapse, definition, gpt3_parameters)


@vega("log(visual_share / language_share * gpt3_parameters / sd_unet_parameters) / LN10")
def gap_difference(visual_share, language_share, gpt3_parameters, sd_unet_parameters):
    """Vision's gap less language's: neurons and the definition cancel, only the shares and the models remain."""
    return math.log10(visual_share / language_share * gpt3_parameters / sd_unet_parameters)


def reader_controls(row) -> tuple[list[Control], dict]:
    """The assumptions a reader can change, with the page's defaults and the cited ranges; and the constants."""
    low_n, stereology = row("neocortex_neurons_fractionator"), row("neocortex_neurons_stereology")
    spn, visual = row("synapses_per_neuron"), row("millidge_visual_share")
    controls = [
        Control("definition", "One brain parameter is", "", "synapses", "one synapse, the essay's choice",
                options={"synapses": "one synapse", "16-bit equivalents": "a synapse's bits, in 16-bit parameters",
                         "neurons": "one neuron"}),
        Control("neurons", "Neurons in the neocortex", "billion", stereology.value / 1e9,
                f"stereology's {fmt(stereology.value)} ({fmt(stereology.range[0])} in women, "
                f"{fmt(stereology.range[1])} in men); the isotropic fractionator finds {fmt(low_n.value)}",
                cited=(low_n.value / 1e9, stereology.range[1] / 1e9), slider=(10, 25, 0.1)),
        Control("synapses_per_neuron", "Synapses per neuron", "", spn.value,
                f"{spn.value:,.0f} on average, {spn.range[0]:,.0f} to {spn.range[1]:,.0f} (Drachman 2005; range: Rockland 2002)",
                cited=spn.range, slider=(500, 15000, 100)),
        Control("visual_share", "Share of cortex serving vision", "%", visual.value,
                f"Millidge's 2022 post: {visual.range[0]:g}% to about {visual.range[1]:g}%", cited=visual.range,
                slider=(10, 50, 0.5)),
        Control("bits_per_synapse", "Bits one synapse stores (16-bit equivalents only)", "bits",
                row("bits_per_synapse").value, f"Bartol et al. 2015: {row('bits_per_synapse').value:g} bits",
                slider=(1, 16, 0.1)),
    ]
    constants = {"language_share": row("millidge_language_share").value,
                 "sd_unet_parameters": row("params_sd_v1_unet").value, "gpt3_parameters": row("params_gpt3").value}
    return controls, constants


def reader_gaps(row) -> dict[str, float]:
    """The three outputs at the page's defaults: the values the explorable chart starts from."""
    controls, constants = reader_controls(row)
    signals = {c.name: c.default for c in controls} | constants
    return {"vision": evaluate(vision_gap, signals), "language": evaluate(language_gap, signals),
            "difference": evaluate(gap_difference, signals)}


def video_latent_shape(row) -> tuple[int, int, int]:
    """Latent (frames, height, width) of one Wan 2.1 sample: the first frame alone, then 4 frames per latent."""
    frames = (int(row("wan_frame_num").value) - 1) // int(row("wan_vae_temporal_stride").value) + 1
    spatial = int(row("wan_vae_spatial_stride").value)
    return frames, int(row("wan_height").value) // spatial, int(row("wan_width").value) // spatial


def video_compute(ctx) -> list[dict]:
    """FLOPs per denoising step and per second of output: Wan 2.1 video against the SD v1 UNet's images."""
    import torch

    from analyses.modelstats.build import build, read_config
    from analyses.modelstats.flops import count_flops, unet_inputs

    row, params = ctx.row, ctx.params
    steps, batch = params["steps"], params["guidance_batch"]
    frames, height, width = video_latent_shape(row)
    seconds = row("wan_frame_num").value / row("wan_fps").value
    rows = []
    for name, path in WAN_CONFIGS.items():
        model = build(read_config(path), name)
        step = count_flops(model, torch.zeros(1, 16, frames, height, width, device="meta"),
                           torch.zeros(1, device="meta"),
                           torch.zeros(1, int(row("wan_text_len").value), 4096, device="meta"))
        rows.append({"model": name, "parameters": sum(p.numel() for p in model.parameters()),
                     "output": f"{seconds:.2f} s of {row('wan_width').value:g}×{row('wan_height').value:g} video",
                     "flops_per_step": step,
                     "flops_per_output_second": batch * steps * step / seconds})
    unet = build(read_config(ctx.data(f"{CONFIGS_DATA}/sd-v1-4/unet.json")), "unet")
    args, kwargs = unet_inputs(unet, 1, unet.config.sample_size)  # 64×64 latents: a 512×512 image
    step = count_flops(unet, *args, **kwargs)
    rows.append({"model": "Stable Diffusion v1 UNet", "parameters": sum(p.numel() for p in unet.parameters()),
                 "output": "one 512×512 image", "flops_per_step": step, "flops_per_output_second": math.nan})
    for r in rows:
        r["flops_per_sample"] = batch * steps * r["flops_per_step"]
    return rows


def run(ctx) -> None:
    row, out = ctx.row, ctx.results
    bits = row("bits_per_synapse").value

    ctx.step("areas: neurons and synapses with ranges")
    counts = {**{area: brain.area_counts(row, area) for area in brain.AREAS}, "V1": brain.v1_counts(row)}
    save_areas(out, counts)

    ctx.step("the gap to models, under three definitions")
    gaps = model_gaps(row, counts, bits)
    save_gaps(out, gaps)

    ctx.step("the gaps under the reader's own definition, at the page's defaults")
    save_reader_gaps(out, row)

    ctx.step("checking the essay's figures")
    out.table("checks", [c.row() for c in essay_checks(row, counts, gaps)], "The essay's brain figures, checked")

    ctx.step("video models against image models (hypothesis 1)")
    video = [{"model": name, "task": task, "parameters": row(rid).value, "source": row(rid).url}
             for name, rid, task in VIDEO_AND_IMAGE_MODELS]
    largest = {task: max(r["parameters"] for r in video if r["task"] == task) for task in TASKS}
    save_video_sizes(out, video, largest)

    ctx.step("FLOPs per second of video (Wan 2.1) against an image (SD v1), on the meta device")
    save_video_compute(ctx, video_compute(ctx))

    ctx.step("charts")
    _charts(ctx, brain_vs_models_rows(row, counts, bits), video, largest)


def save_areas(out, counts: dict) -> None:
    rows = []
    for area, c in counts.items():
        for what in ("neurons", "synapses"):
            low, mid, high = c[what]
            out.value(f"{AREA_KEYS[area]}_{what}", mid, what, f"{area}: {what} (range across sources)",
                      low=low, high=high)
            rows.append({"area": area, "count": what, "low": low, "central": mid, "high": high})
    out.table("areas", rows, "Neurons and synapses by area, low / central / high")


def model_gaps(row, counts: dict, bits: float) -> list[dict]:
    """Orders of magnitude between each modality's brain area and its anchor model, per definition."""
    rows = []
    for modality, (area, model_row, model_name) in ANCHORS.items():
        for definition in brain.DEFINITIONS:
            brain_count = brain.as_parameters(counts[area], definition, bits)
            low, mid, high = brain.orders_of_magnitude(brain_count, row(model_row).value)
            rows.append({"modality": modality, "brain_area": area, "model": model_name, "definition": definition,
                         "gap_oom_low": low, "gap_oom_central": mid, "gap_oom_high": high})
    return rows


def save_gaps(out, gaps: list[dict]) -> None:
    for g in gaps:
        out.value(f"gap_{g['modality']}_{brain.DEFINITIONS[g['definition']]}", g["gap_oom_central"],
                  "orders of magnitude", f"{g['brain_area']} over {g['model']}, one parameter = one "
                  f"{g['definition'].rstrip('s')}", low=g["gap_oom_low"], high=g["gap_oom_high"])
    out.table("gaps", gaps, "Orders of magnitude between a brain area and its modality's model")


READER_OUTPUTS = {"vision": (vision_gap, "visual cortex over SD v1's UNet"),
                  "language": (language_gap, "language areas over GPT-3"),
                  "difference": (gap_difference, "vision's gap less language's")}


def save_reader_gaps(out, row) -> None:
    gaps = reader_gaps(row)
    neurons, spn = row("neocortex_neurons_stereology").value, row("synapses_per_neuron").value
    for key, (_, label) in READER_OUTPUTS.items():
        out.value(f"reader_gap_{key}", gaps[key], "orders of magnitude",
                  f"{label[0].upper()}{label[1:]}, at the explorable chart's defaults ({fmt(neurons)} neocortical "
                  f"neurons × share × {spn:,.0f} synapses each)",
                  sources=("neocortex_neurons_stereology", "synapses_per_neuron"))
    out.table("reader_gaps", [{"gap": key, "what": label, "orders_of_magnitude": gaps[key]}
                              for key, (_, label) in READER_OUTPUTS.items()],
              "Orders of magnitude between brain areas and models at the explorable chart's defaults")


def reader_chart(alt, row):
    """Bars of the vision and language gaps, and of their difference, as the reader sets them."""
    controls, constants = reader_controls(row)
    bars = [{"gap": key, "what": label} for key, (_, label) in READER_OUTPUTS.items()]
    base = alt.Chart(alt.Data(values=bars)).transform_calculate(
        orders="datum.gap === 'vision' ? vision : datum.gap === 'language' ? language : difference").encode(
        y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("orders:Q", title="Orders of magnitude (brain over model)", scale=alt.Scale(domain=[-3, 6])))
    claims = [{"what": READER_OUTPUTS["vision"][1], "claim": row("essay_vision_gap_oom").value},
              {"what": READER_OUTPUTS["language"][1], "claim": row("essay_language_gap_oom").value}]
    essay = alt.Chart(alt.Data(values=claims)).mark_tick(color="black", thickness=3, size=26).encode(
        y=alt.Y("what:N", sort=None), x="claim:Q", tooltip=[alt.Tooltip("claim:Q", title="the essay's figure")])
    colours = alt.Scale(domain=list(READER_OUTPUTS), range=[MODALITY_COLOURS["vision"], MODALITY_COLOURS["language"],
                                                             NEUTRAL])
    layers = (base.mark_bar(height=22).encode(color=alt.Color("gap:N", scale=colours, legend=None))
              + base.mark_text(align="left", dx=4, fontWeight="bold").encode(text=alt.Text("orders:Q", format=".2f"))
              + essay)
    outputs = [Output(key, function, "orders of magnitude", label, f"reader_gap_{key}")
               for key, (function, label) in READER_OUTPUTS.items()]
    return explorable(layers, controls, constants, outputs)


def essay_checks(row, counts: dict, gaps: list[dict]) -> list:
    """The essay's three brain figures against ours; the two stated in orders of magnitude compare by difference."""
    synapse_gap = {g["modality"]: g for g in gaps if g["definition"] == "synapses"}
    vision, language = synapse_gap["vision"], synapse_gap["language"]
    visual = counts["visual cortex"]["synapses"]
    return [
        fact_check(row("essay_visual_cortex_params"), "the visual cortex has about 100B parameters",
                   visual[0], visual[2], f"{fmt(visual[0])} to {fmt(visual[2])} synapses; Millidge's own 2022 "
                   "estimate was 3-5 trillion"),
        fact_check(row("essay_vision_gap_oom"), "two orders of magnitude above vision models",
                   vision["gap_oom_low"], vision["gap_oom_high"],
                   f"{vision['gap_oom_low']:.1f} to {vision['gap_oom_high']:.1f} orders counting synapses; under one "
                   "counting neurons (see the table)", in_orders=True),
        fact_check(row("essay_language_gap_oom"), "LLMs within one order of magnitude of the linguistic cortex",
                   language["gap_oom_low"], language["gap_oom_high"],
                   f"GPT-3 is {language['gap_oom_low']:.1f} to {language['gap_oom_high']:.1f} orders below the "
                   "language areas' synapses", in_orders=True)]


def save_video_sizes(out, video: list[dict], largest: dict) -> None:
    out.table("video", video, "Published sizes of video models and image models")
    out.value("video_over_image_generation", largest["video generation"] / largest["image generation"], "×",
              "Largest open video generator here over the largest image diffusion UNet here")
    out.value("video_over_image_recognition", largest["video recognition"] / largest["image recognition"], "×",
              "Largest video encoder here over the largest image transformer here")


def save_video_compute(ctx, compute: list[dict]) -> None:
    out, steps = ctx.results, ctx.params["steps"]
    out.table("video_compute", [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                                for r in compute],
              f"FLOPs per denoising step and per sample ({steps} steps, guidance batch of "
              f"{ctx.params['guidance_batch']}), networks only")
    by_name = {r["model"]: r for r in compute}
    sd_image = by_name["Stable Diffusion v1 UNet"]["flops_per_sample"]
    for name, key in WAN_KEYS.items():
        r = by_name[name]
        out.value(f"{key}_parameters", r["parameters"], "parameters", f"{name} transformer, counted on meta")
        out.value(f"{key}_flops_per_video_second", r["flops_per_output_second"], "FLOPs",
                  f"{name}: FLOPs per second of 480p video, {steps} steps with guidance")
        out.value(f"{key}_second_over_sd_image", r["flops_per_output_second"] / sd_image, "×",
                  f"{name}: one second of video over one SD v1 image (UNet only, same sampler budget)")
    out.value("sd_unet_flops_per_image", sd_image, "FLOPs", "SD v1 UNet FLOPs per 512px image, 50 steps with guidance")


def brain_vs_models_rows(row, counts: dict, bits: float) -> list[dict]:
    """Brain areas as ranges (synapses, neurons) and models as points, on one axis."""
    rows = []
    for area, modality in CHART_AREAS.items():
        for definition in ("synapses", "neurons"):
            low, _, high = brain.as_parameters(counts[area], definition, bits)
            rows.append({"what": f"{area} ({definition})", "modality": modality, "kind": f"brain: {definition}",
                         "low": low, "high": high})
    for name, rid, modality in CHART_MODELS:
        value = row(rid).value
        rows.append({"what": name, "modality": modality, "kind": "model", "low": value, "high": value * 1.0001})
    return rows


def _charts(ctx, chart_rows: list[dict], video: list[dict], largest: dict) -> None:
    import altair as alt

    row, out = ctx.row, ctx.results
    out.table("brain_vs_models", chart_rows, "Brain areas (ranges) and models on one axis")
    base = alt.Chart(alt.Data(values=chart_rows)).encode(
        y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("modality:N", scale=modality_scale(alt, extra={"whole neocortex": NEUTRAL}),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["what:N", "kind:N", alt.Tooltip("low:Q", format=".3~s"), alt.Tooltip("high:Q", format=".3~s")])
    x = alt.X("low:Q", scale=alt.Scale(type="log"), title="Parameters, or synapses / neurons (log scale)",
              axis=alt.Axis(format="~s"))
    ranges = base.transform_filter("datum.kind != 'model'").mark_rule(strokeWidth=7, strokeCap="round").encode(
        x=x, x2="high:Q", opacity=alt.Opacity("kind:N", legend=None, sort=["brain: neurons", "brain: synapses"],
                            scale=alt.Scale(range=[0.45, 1])))
    points = base.transform_filter("datum.kind == 'model'").mark_point(filled=True, size=110, shape="diamond").encode(
        x=x)
    visual = next(r for r in chart_rows if r["what"] == "visual cortex (synapses)")
    language = next(r for r in chart_rows if r["what"] == "language areas (synapses)")
    out.chart("brain_vs_models", (ranges + points).properties(width=560, height=300),
              "Brain areas and models on one axis",
              f"Log-scale ranges for each area counted in synapses (dark) and in neurons (light), with models as "
              f"diamonds. The visual cortex spans {fmt(visual['low'])} to {fmt(visual['high'])} synapses against "
              f"Stable Diffusion v1's {fmt(row('params_sd_v1_unet').value)}-parameter UNet; the language areas span "
              f"{fmt(language['low'])} to {fmt(language['high'])} against GPT-3's {fmt(row('params_gpt3').value)}.",
              data="brain_vs_models")
    gaps = reader_gaps(row)
    out.chart("reader_gaps", reader_chart(alt, row).properties(width=520, height=130),
              "Your definition of a brain parameter",
              f"Bars of orders of magnitude between the visual cortex and Stable Diffusion v1's UNet "
              f"({gaps['vision']:.2f} at the defaults: one synapse per parameter), the language areas and GPT-3 "
              f"({gaps['language']:.2f}), and their difference ({gaps['difference']:.2f}); black ticks mark the "
              "essay's two and one orders. The bars follow the controls below the chart.", data="reader_gaps")
    video_chart = alt.Chart(alt.Data(values=video)).mark_point(filled=True, size=90).encode(
        y=alt.Y("task:N", title=None),
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("task:N", legend=None),
        tooltip=["model:N", "task:N", alt.Tooltip("parameters:Q", format=".3~s")])
    out.chart("video", video_chart.properties(width=520, height=160), "Video models and image models",
              f"Log-scale dots of published sizes. The largest open video generators here have "
              f"{fmt(largest['video generation'])} parameters against {fmt(largest['image generation'])} for the "
              f"largest image diffusion UNet; the largest video encoder has {fmt(largest['video recognition'])} "
              f"against {fmt(largest['image recognition'])} for the largest image transformer.", data="video")
