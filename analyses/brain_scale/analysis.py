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
from analyses._format import format_number as fmt
from analyses._style import NEUTRAL, modality_scale
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
