"""The brain in "parameters": counts with their disagreements, three definitions, and the gap to models.

No one measures "parameters of the visual cortex". We build it from cited counts:

    neurons(area)  = neocortical neurons × area's share of cortex
    synapses(area) = neurons(area) × synapses per neuron          (range)
                   ≈ neocortical synapses × share                  (central: Pakkenberg et al. 2003)
    V1 neurons     = neuron density × V1 volume × 2 hemispheres

and compare under three definitions of a brain "parameter": one synapse; one synapse
storing 4.7 bits, counted in 16-bit parameters (Bartol et al. 2015); one neuron.
Ranges multiply low with low and high with high: they show the spread of the sources,
not a confidence interval.
"""

import math
import pathlib

from analyses._checks import verdict
from analyses._format import format_number as fmt

HERE = pathlib.Path(__file__).parent
# Wan 2.1 text-to-video transformers in diffusers' format. Shapes from the official configs
# (wan_t2v_1_3B.py: dim 1536 = 12 heads × 128, ffn 8960, 30 layers; wan_t2v_14B.py: 40 heads,
# ffn 13824, 40 layers), read in verbatim copies.
WAN_CONFIGS = {"Wan 2.1 1.3B": HERE / "configs" / "wan-2.1-t2v-1.3b.json",
               "Wan 2.1 14B": HERE / "configs" / "wan-2.1-t2v-14b.json"}

# area -> catalog row with its share of cortex (None: the whole neocortex)
AREAS = {"neocortex": None, "visual cortex": "millidge_visual_share", "auditory cortex": "millidge_auditory_share",
         "language areas": "millidge_language_share"}
# each modality's anchor model (published size, census catalog) and the brain area it is set against
ANCHORS = {"vision": ("visual cortex", "params_sd_v1_unet", "Stable Diffusion v1 UNet"),
           "audio": ("auditory cortex", "params_whisper_large", "Whisper large"),
           "language": ("language areas", "params_gpt3", "GPT-3 175B")}
BITS_PER_PARAMETER = 16  # a bf16/fp16 model parameter


def area_counts(row, area: str) -> dict[str, tuple[float, float, float]]:
    """(low, central, high) neurons and synapses of one area, from catalog rows."""
    share = (1.0, 1.0, 1.0) if AREAS[area] is None else tuple(x / 100 for x in (
        row(AREAS[area]).range[0], row(AREAS[area]).value, row(AREAS[area]).range[1]))
    low_n = row("neocortex_neurons_fractionator").value          # 10.2 billion (2023)
    high_n = row("neocortex_neurons_stereology").range[1]        # 23 billion (men, 1997)
    spn = row("synapses_per_neuron")
    neurons = (low_n * share[0], math.sqrt(low_n * high_n) * share[1], high_n * share[2])
    synapses = (neurons[0] * spn.range[0], row("neocortex_synapses").value * share[1], neurons[2] * spn.range[1])
    return {"neurons": neurons, "synapses": synapses}


def v1_neurons(row) -> tuple[float, float, float]:
    """Neurons in V1, both hemispheres: density × volume × 2."""
    densities = sorted([row("v1_density_1987").value, row("v1_density_2024").value])
    volume = row("v1_volume")
    return (densities[0] * volume.range[0] * 2, math.sqrt(densities[0] * densities[1]) * volume.value * 2,
            densities[1] * volume.range[1] * 2)


def as_parameters(counts: dict, definition: str, bits_per_synapse: float) -> tuple[float, float, float]:
    """Brain 'parameters' under one definition."""
    if definition == "synapses":
        return counts["synapses"]
    if definition == "16-bit equivalents":
        return tuple(s * bits_per_synapse / BITS_PER_PARAMETER for s in counts["synapses"])
    if definition == "neurons":
        return counts["neurons"]
    raise ValueError(f"unknown definition '{definition}'")


def orders_of_magnitude(brain: tuple[float, float, float], model: float) -> tuple[float, float, float]:
    return tuple(math.log10(b / model) for b in brain)


def video_latent_shape(row) -> tuple[int, int, int]:
    """Latent (frames, height, width) of one Wan 2.1 sample: the first frame alone, then 4 frames per latent."""
    frames = (int(row("wan_frame_num").value) - 1) // int(row("wan_vae_temporal_stride").value) + 1
    spatial = int(row("wan_vae_spatial_stride").value)
    return frames, int(row("wan_height").value) // spatial, int(row("wan_width").value) // spatial


def video_compute(ctx) -> list[dict]:
    """FLOPs per denoising step and per second of output: Wan 2.1 video against the SD v1 UNet's images."""
    import torch

    from analyses.census.count import build, count_flops, read_config

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
    unet = build(read_config(ctx.data("analyses/census/configs/sd-v1-4/unet.json")), "unet")
    step = count_flops(unet, torch.zeros(1, 4, 64, 64, device="meta"), torch.zeros(1, device="meta"),
                       encoder_hidden_states=torch.zeros(1, 77, 768, device="meta"))
    rows.append({"model": "Stable Diffusion v1 UNet", "parameters": sum(p.numel() for p in unet.parameters()),
                 "output": "one 512×512 image", "flops_per_step": step, "flops_per_output_second": math.nan})
    for r in rows:
        r["flops_per_sample"] = batch * steps * r["flops_per_step"]
    return rows


def run(ctx) -> None:
    import altair as alt

    row, out = ctx.row, ctx.results
    bits = row("bits_per_synapse").value
    definitions = ("synapses", "16-bit equivalents", "neurons")

    ctx.step("areas: neurons and synapses with ranges")
    counts = {area: area_counts(row, area) for area in AREAS}
    v1 = v1_neurons(row)
    spn = row("synapses_per_neuron").range
    counts["V1"] = {"neurons": v1, "synapses": (v1[0] * spn[0], v1[1] * row("synapses_per_neuron").value,
                                                v1[2] * spn[1])}
    area_rows = []
    for area, c in counts.items():
        key = area.split()[0].lower()
        for what in ("neurons", "synapses"):
            low, mid, high = c[what]
            out.value(f"{key}_{what}", mid, what, f"{area}: {what} (range across sources)", low=low, high=high)
            area_rows.append({"area": area, "count": what, "low": low, "central": mid, "high": high})
    out.table("areas", area_rows, "Neurons and synapses by area, low / central / high")

    ctx.step("the gap to models, under three definitions")
    gap_rows = []
    for modality, (area, model_row, model_name) in ANCHORS.items():
        model = row(model_row).value
        for definition in definitions:
            low, mid, high = orders_of_magnitude(as_parameters(counts[area], definition, bits), model)
            gap_rows.append({"modality": modality, "brain_area": area, "model": model_name, "definition": definition,
                             "gap_oom_low": low, "gap_oom_central": mid, "gap_oom_high": high})
            key = f"gap_{modality}_{definition.split()[0].replace('-', '')}"
            out.value(key, mid, "orders of magnitude", f"{area} over {model_name}, one parameter = one "
                      f"{definition.rstrip('s')}", low=low, high=high)
    out.table("gaps", gap_rows, "Orders of magnitude between a brain area and its modality's model")
    vision_syn = next(g for g in gap_rows if g["modality"] == "vision" and g["definition"] == "synapses")
    language_syn = next(g for g in gap_rows if g["modality"] == "language" and g["definition"] == "synapses")

    ctx.step("checking the essay's figures")
    checks = []

    def check(claim_id, claim, low, high, found, in_orders=False):
        c = row(claim_id)
        if in_orders:  # claims in orders of magnitude compare by difference, not ratio
            claim_low, claim_high = c.range
            if low > claim_high + 0.3:
                text = f"understated by {low - claim_high:.1f} orders or more"
            elif high < claim_low - 0.3:
                text = f"overstated by {claim_low - high:.1f} orders or more"
            else:
                text = "holds"
        else:
            tier, factor = verdict(*c.range, low, high)
            text = tier if tier == "holds" else f"{tier} ({factor:.2g}× apart)"
        checks.append({"claim": claim, "source": c.source.split(",")[0], "url": c.url, "we_find": found,
                       "verdict": text})

    vis = counts["visual cortex"]["synapses"]
    check("essay_visual_cortex_params", "the visual cortex has about 100B parameters", vis[0], vis[2],
          f"{fmt(vis[0])} to {fmt(vis[2])} synapses; Millidge's own 2022 estimate was 3-5 trillion")
    check("essay_vision_gap_oom", "two orders of magnitude above vision models", vision_syn["gap_oom_low"],
          vision_syn["gap_oom_high"], f"{vision_syn['gap_oom_low']:.1f} to {vision_syn['gap_oom_high']:.1f} orders "
          "counting synapses; under one counting neurons (see the table)", in_orders=True)
    check("essay_language_gap_oom", "LLMs within one order of magnitude of the linguistic cortex",
          language_syn["gap_oom_low"], language_syn["gap_oom_high"],
          f"GPT-3 is {language_syn['gap_oom_low']:.1f} to {language_syn['gap_oom_high']:.1f} orders below the "
          "language areas' synapses", in_orders=True)
    out.table("checks", checks, "The essay's brain figures, checked")

    ctx.step("video models against image models (hypothesis 1)")
    video = [("HunyuanVideo", "video_hunyuan", "video generation"), ("Wan 2.1 14B", "video_wan_14b", "video generation"),
             ("Wan 2.1 1.3B", "video_wan_13b", "video generation"), ("Mochi 1", "video_mochi", "video generation"),
             ("Open-Sora 1.0", "video_opensora_1", "video generation"),
             ("InternVideo2", "video_internvideo2", "video recognition"),
             ("VideoMAE V2", "video_videomae_v2", "video recognition"),
             ("Stable Diffusion v1 UNet", "params_sd_v1_unet", "image generation"),
             ("SDXL UNet", "params_sdxl_unet", "image generation"),
             ("ViT-L/16", "params_vit_large", "image recognition"), ("ViT-22B", "image_vit_22b", "image recognition")]
    video_rows = [{"model": name, "task": task, "parameters": row(rid).value, "source": row(rid).url}
                  for name, rid, task in video]
    out.table("video", video_rows, "Published sizes of video models and image models")
    largest = {task: max(r["parameters"] for r in video_rows if r["task"] == task)
               for task in ("video generation", "image generation", "video recognition", "image recognition")}
    out.value("video_over_image_generation", largest["video generation"] / largest["image generation"], "×",
              "Largest open video generator here over the largest image diffusion UNet here")
    out.value("video_over_image_recognition", largest["video recognition"] / largest["image recognition"], "×",
              "Largest video encoder here over the largest image transformer here")

    ctx.step("FLOPs per second of video (Wan 2.1) against an image (SD v1), on the meta device")
    compute = video_compute(ctx)
    out.table("video_compute", [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                                for r in compute],
              f"FLOPs per denoising step and per sample ({ctx.params['steps']} steps, guidance batch of "
              f"{ctx.params['guidance_batch']}), networks only")
    by_name = {r["model"]: r for r in compute}
    sd_image = by_name["Stable Diffusion v1 UNet"]["flops_per_sample"]
    for name, key in (("Wan 2.1 1.3B", "wan_13b"), ("Wan 2.1 14B", "wan_14b")):
        r = by_name[name]
        out.value(f"{key}_parameters", r["parameters"], "parameters", f"{name} transformer, counted on meta")
        out.value(f"{key}_flops_per_video_second", r["flops_per_output_second"], "FLOPs",
                  f"{name}: FLOPs per second of 480p video, {ctx.params['steps']} steps with guidance")
        out.value(f"{key}_second_over_sd_image", r["flops_per_output_second"] / sd_image, "×",
                  f"{name}: one second of video over one SD v1 image (UNet only, same sampler budget)")
    out.value("sd_unet_flops_per_image", sd_image, "FLOPs", "SD v1 UNet FLOPs per 512px image, 50 steps with guidance")

    ctx.step("charts")
    chart_rows = []
    for area in ("visual cortex", "auditory cortex", "language areas", "neocortex"):
        for definition in ("synapses", "neurons"):
            low, mid, high = as_parameters(counts[area], definition, bits)
            modality = {"visual cortex": "vision", "auditory cortex": "audio", "language areas": "language"}.get(
                area, "whole neocortex")
            chart_rows.append({"what": f"{area} ({definition})", "modality": modality, "kind": f"brain: {definition}",
                               "low": low, "high": high})
    for name, rid, modality in (("SD v1 UNet", "params_sd_v1_unet", "vision"), ("SDXL UNet", "params_sdxl_unet", "vision"),
                                ("Whisper large", "params_whisper_large", "audio"),
                                ("Llama 3 70B", "params_llama3_70b", "language"), ("GPT-3", "params_gpt3", "language")):
        value = row(rid).value
        chart_rows.append({"what": name, "modality": modality, "kind": "model", "low": value, "high": value * 1.0001})
    out.table("brain_vs_models", chart_rows, "Brain areas (ranges) and models on one axis")
    base = alt.Chart(alt.Data(values=chart_rows)).encode(
        y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("modality:N", scale=alt.Scale(domain=["vision", "audio", "language", "whole neocortex"],
                                                      range=["#1f77b4", "#2ca02c", "#d62728", "#7f7f7f"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["what:N", "kind:N", alt.Tooltip("low:Q", format=".3~s"), alt.Tooltip("high:Q", format=".3~s")])
    x = alt.X("low:Q", scale=alt.Scale(type="log"), title="Parameters, or synapses / neurons (log scale)",
              axis=alt.Axis(format="~s"))
    ranges = base.transform_filter("datum.kind != 'model'").mark_rule(strokeWidth=7, strokeCap="round").encode(
        x=x, x2="high:Q", opacity=alt.Opacity("kind:N", legend=None, sort=["brain: neurons", "brain: synapses"],
                            scale=alt.Scale(range=[0.45, 1])))
    points = base.transform_filter("datum.kind == 'model'").mark_point(filled=True, size=110, shape="diamond").encode(
        x=x)
    out.chart("brain_vs_models", (ranges + points).properties(width=560, height=300),
              "Brain areas and models on one axis",
              f"Log-scale ranges for each area counted in synapses (dark) and in neurons (light), with models as "
              f"diamonds. The visual cortex spans {fmt(vis[0])} to {fmt(vis[2])} synapses against Stable "
              f"Diffusion v1's {fmt(row('params_sd_v1_unet').value)}-parameter UNet; the language areas span "
              f"{fmt(counts['language areas']['synapses'][0])} to {fmt(counts['language areas']['synapses'][2])} "
              f"against GPT-3's {fmt(row('params_gpt3').value)}.", data="brain_vs_models")
    video_chart = alt.Chart(alt.Data(values=video_rows)).mark_point(filled=True, size=90).encode(
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
