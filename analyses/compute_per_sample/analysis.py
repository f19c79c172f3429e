"""Compute per sample: is diffusion small in parameters because it spends compute over many steps?

The essay's hypothesis 3: a diffusion model runs its network once per denoising
step, so per image it does many times the work of a one-pass generator of the same
size. We count, on the meta device, FLOPs per generated image as a function of the
number of steps (with and without classifier-free guidance, which evaluates the UNet
on a batch of two), and set them beside a distilled one-step model, an
autoregressive image model, a GAN and an LLM's 500-word answer:

    FLOPs(image)  = text encoder(s) × (2 with guidance) + steps × UNet(batch) + VAE decode
    effective depth = residual blocks per network evaluation × sequential evaluations
    parameter-passes = parameters × network evaluations

Then time a smaller UNet and GPT-2 small with random weights on this machine to
turn counted FLOPs into achieved FLOP/s.
"""

import math
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from analyses._explorable import Control, Output, explorable, vega
from analyses._format import format_number as fmt
from analyses._measure import peak_memory_bytes
from analyses._style import modality_expression, modality_scale
from analyses.compute_per_sample import SPEC
from analyses.modelstats import CONFIGS_DATA  # read through ctx.data: each file is declared in SPEC.data
from analyses.modelstats.build import build, read_config
from analyses.modelstats.count import count_parameters
from analyses.modelstats.flops import count_flops, unet_inputs

# ---------------------------------------------------------------- counting

def sd_parts(ctx, folder: str, size: int) -> dict[str, float]:
    """FLOPs of each part of one Stable Diffusion pipeline at ``size`` pixels, counted on meta."""
    unet = build(read_config(ctx.data(f"{CONFIGS_DATA}/{folder}/unet.json")), "unet")
    vae = build(read_config(ctx.data(f"{CONFIGS_DATA}/{folder}/vae.json")), "vae")
    encoder_files = sorted(f for f in SPEC.data if f.startswith(f"{CONFIGS_DATA}/{folder}/text_encoder"))
    encoders = [build(read_config(ctx.data(f)), f, "CLIPTextModel" if f.endswith("/text_encoder.json")
                      else "CLIPTextModelWithProjection") for f in encoder_files]
    latent = size // 8  # the VAE downsamples 8× per side (Rombach et al. 2022, f = 8)
    text = sum(count_flops(e, input_ids=torch.zeros(1, 77, dtype=torch.long, device="meta")) for e in encoders)
    unet_flops = {}
    for batch in (1, 2):
        args, kwargs = unet_inputs(unet, batch, latent)
        unet_flops[batch] = count_flops(unet, *args, **kwargs)
    z = torch.zeros(1, vae.config.latent_channels, latent, latent, device="meta")
    decode = count_flops(vae.decoder, z) + (count_flops(vae.post_quant_conv, z) if vae.post_quant_conv else 0)
    blocks = sum(type(m).__name__ in ("ResnetBlock2D", "BasicTransformerBlock") for m in unet.modules())
    return {"text": text, "unet_1": unet_flops[1], "unet_2": unet_flops[2], "decode": decode,
            "unet_parameters": count_parameters(unet), "blocks": blocks,
            "parameters": count_parameters(unet) + count_parameters(vae) + sum(map(count_parameters, encoders))}


# Per image and per answer, as sums over named numbers, each also written as the Vega expression that the
# page evaluates as the reader moves the steps, guidance and answer length (the chart "flops_by_steps");
# tests/test_browser.py checks the two agree.
GUIDANCE = {True: "with guidance", False: "without guidance"}


def flops_per_image(parts: dict[str, float], steps: int, guidance: bool) -> float:
    """Text encoders (twice with guidance: prompt and negative prompt) + steps × UNet + one VAE decode."""
    return image_flops(steps, GUIDANCE[guidance], parts["text"], parts["unet_1"], parts["unet_2"], parts["decode"])


@vega("(guidance === 'with guidance' ? 2 : 1) * text_flops + steps * (guidance === 'with guidance' ? unet_2_flops : "
      "unet_1_flops) + decode_flops")
def image_flops(steps, guidance, text_flops, unet_1_flops, unet_2_flops, decode_flops):
    """FLOPs of one image: the UNet on a batch of two with guidance (its FLOPs counted at batch 1 and 2)."""
    return ((2 if guidance == GUIDANCE[True] else 1) * text_flops
            + steps * (unet_2_flops if guidance == GUIDANCE[True] else unet_1_flops) + decode_flops)


@vega("llm_flops_per_token * round(answer_words / words_per_token)")
def answer_flops(answer_words, words_per_token, llm_flops_per_token):
    """FLOPs of an LLM answer of ``answer_words`` words, at the context's average FLOPs per token."""
    return llm_flops_per_token * round(answer_words / words_per_token)


@vega(f"({answer_flops.vega}) / ({image_flops.vega})")
def answer_over_image(answer_words, words_per_token, llm_flops_per_token, steps, guidance, text_flops, unet_1_flops,
                      unet_2_flops, decode_flops):
    """How many images one answer costs."""
    return (answer_flops(answer_words, words_per_token, llm_flops_per_token)
            / image_flops(steps, guidance, text_flops, unet_1_flops, unet_2_flops, decode_flops))


def lm_flops(config: dict, context: int) -> dict[str, float]:
    """A causal LM's FLOPs per token at ``context`` (prefill average), parameters and layers."""
    model = build(config, "lm", "LlamaForCausalLM" if config["model_type"] == "llama" else None)
    flops = count_flops(model, input_ids=torch.zeros(1, context, dtype=torch.long, device="meta")) / context
    return {"per_token": flops, "parameters": count_parameters(model), "layers": config["num_hidden_layers"]}


# ---------------------------------------------------------------- timing on this machine

def timed(fn, repeats: int, device: str) -> tuple[float, float]:
    """Median seconds of ``fn()`` after a warm-up, and the peak memory one call allocates (bytes)."""
    with torch.no_grad():
        fn()  # warm-up
        times = []
        for _ in range(repeats):
            if device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            fn()
            if device == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        return statistics.median(times), peak_memory_bytes(fn, device)


def measure_unet_step(ctx) -> dict:
    import diffusers

    p = ctx.params
    config = read_config(ctx.data(f"{CONFIGS_DATA}/sd-v1-4/unet.json"))
    config = {k: v for k, v in config.items() if not k.startswith("_")}
    config["block_out_channels"] = p["timing_unet_channels"]
    torch.manual_seed(ctx.seed)
    with torch.device(ctx.device):
        unet = diffusers.UNet2DConditionModel.from_config(config).eval()
    latent = p["timing_latent"]
    args = (torch.zeros(1, 4, latent, latent, device=ctx.device), torch.tensor([500.0], device=ctx.device))
    kwargs = {"encoder_hidden_states": torch.zeros(1, 77, config["cross_attention_dim"], device=ctx.device)}
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        unet(*args, **kwargs)
    seconds, peak = timed(lambda: unet(*args, **kwargs), p["repeats"], ctx.device)
    return {"what": f"UNet step (SD v1 layout, channels {p['timing_unet_channels']}, {latent * 8}px)",
            "parameters": count_parameters(unet), "flops": counter.get_total_flops(), "seconds": seconds,
            "peak_mb": peak / 1e6}


def measure_lm_token(ctx) -> dict:
    import transformers

    p = ctx.params
    config = transformers.AutoConfig.for_model(**read_config(ctx.data(f"{CONFIGS_DATA}/gpt2/config.json")))
    torch.manual_seed(ctx.seed)
    with torch.device(ctx.device):
        model = transformers.GPT2LMHeadModel(config).eval()
    prompt = torch.zeros(1, p["timing_prompt"], dtype=torch.long, device=ctx.device)
    with torch.no_grad():
        cache = model(prompt, use_cache=True).past_key_values
    token = torch.zeros(1, 1, dtype=torch.long, device=ctx.device)

    def step():  # one decoded token against a cache of the prompt (the cache is copied so each call is alike)
        import copy

        return model(token, past_key_values=copy.deepcopy(cache), use_cache=True)

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        step()
    seconds, peak = timed(step, p["repeats"] * 5, ctx.device)
    return {"what": f"GPT-2 small, one token after a {p['timing_prompt']}-token prompt",
            "parameters": count_parameters(model), "flops": counter.get_total_flops(), "seconds": seconds,
            "peak_mb": peak / 1e6}


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    import altair as alt

    out, p, row = ctx.results, ctx.params, ctx.row

    ctx.step("Stable Diffusion v1 (512px) and SDXL (1024px, and 512px for SDXL-Turbo): FLOPs by part")
    sd1 = sd_parts(ctx, "sd-v1-4", 512)
    sdxl = sd_parts(ctx, "sdxl-base", 1024)
    turbo = sd_parts(ctx, "sdxl-base", 512)  # SDXL-Turbo keeps SDXL's architecture and generates at 512px
    steps_rows = []
    for name, parts in (("Stable Diffusion v1 (512px)", sd1), ("SDXL base (1024px)", sdxl)):
        for guidance in (False, True):
            for steps in p["steps"]:
                steps_rows.append({"model": name, "guidance": "with guidance" if guidance else "without guidance",
                                   "steps": steps, "flops": flops_per_image(parts, steps, guidance)})
    out.table("flops_by_steps", steps_rows, "FLOPs per generated image by sampling steps")
    default_steps = int(row("sd_default_steps").value)
    sd_image = out.value("sd1_flops_per_image", flops_per_image(sd1, default_steps, True), "FLOPs",
                         f"SD v1: FLOPs per 512px image, {default_steps} steps with guidance",
                         sources=("sd_default_steps",))
    out.value("sd1_unet_share", 100 * default_steps * sd1["unet_2"] / sd_image, "%",
              "Share of SD v1's FLOPs per image spent in the UNet (50 steps, guidance)")
    out.value("sdxl_flops_per_image", flops_per_image(sdxl, default_steps, True), "FLOPs",
              f"SDXL base: FLOPs per 1024px image, {default_steps} steps with guidance")
    turbo_image = out.value("turbo_flops_per_image",
                            flops_per_image(turbo, int(row("sdxl_turbo_steps").value), False), "FLOPs",
                            "SDXL-Turbo: FLOPs per 512px image, one step without guidance",
                            sources=("sdxl_turbo_steps",))

    ctx.step("an LLM's 500-word answer, and DALL-E's 1,024 image tokens")
    llama = lm_flops(read_config(ctx.data(f"{CONFIGS_DATA}/llama-2-7b/config.json")), p["context"])
    answer_tokens = round(p["answer_words"] / row("words_per_token").value)
    answer = out.value("llm_answer_flops", answer_flops(p["answer_words"], row("words_per_token").value,
                                                        llama["per_token"]), "FLOPs",
                       f"Llama 2 7B: FLOPs for a {p['answer_words']}-word answer ({answer_tokens} tokens at "
                       f"{p['context']:,}-token context)", sources=("words_per_token",))
    dalle_tokens = row("dalle_image_tokens").value + row("dalle_text_tokens").value
    # 2 FLOPs per parameter per token (Kaplan et al. 2020, Sec. 2.1); DALL-E's attention is left out.
    dalle = out.value("dalle_flops_per_image", 2 * row("dalle_params").value * dalle_tokens, "FLOPs",
                      "DALL-E: about 2 FLOPs per parameter per token, 256 text + 1,024 image tokens (attention "
                      "left out)", sources=("dalle_params", "dalle_image_tokens", "dalle_text_tokens"))

    ctx.step("one table: parameters, compute, effective depth and parameter-passes per sample")
    families = [
        {"model": "Stable Diffusion v1, 50 steps + guidance", "family": "diffusion",
         "parameters": sd1["parameters"], "flops_per_sample": sd_image, "evaluations": default_steps,
         "effective_depth": sd1["blocks"] * default_steps},
        {"model": "SDXL base, 50 steps + guidance", "family": "diffusion", "parameters": sdxl["parameters"],
         "flops_per_sample": flops_per_image(sdxl, default_steps, True), "evaluations": default_steps,
         "effective_depth": sdxl["blocks"] * default_steps},
        {"model": "SDXL-Turbo, 1 step", "family": "distilled diffusion", "parameters": turbo["parameters"],
         "flops_per_sample": turbo_image, "evaluations": 1, "effective_depth": turbo["blocks"]},
        {"model": "DALL-E (autoregressive, 1,024 image tokens)", "family": "autoregressive image",
         "parameters": row("dalle_params").value, "flops_per_sample": dalle,
         "evaluations": row("dalle_image_tokens").value,
         "effective_depth": math.nan},
        {"model": f"Llama 2 7B, {p['answer_words']}-word answer", "family": "language model",
         "parameters": llama["parameters"], "flops_per_sample": answer, "evaluations": answer_tokens,
         "effective_depth": llama["layers"] * answer_tokens},
    ]
    for f in families:
        f["parameter_passes"] = f["parameters"] * f["evaluations"]
        f["flops_per_parameter"] = f["flops_per_sample"] / f["parameters"]
    out.table("per_sample", [{k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in f.items()}
                             for f in families], "Parameters and compute per generated sample")
    out.value("sd1_flops_per_parameter", families[0]["flops_per_parameter"], "FLOPs/parameter",
              "SD v1: FLOPs per image per parameter")
    out.value("llm_flops_per_parameter", families[-1]["flops_per_parameter"], "FLOPs/parameter",
              "Llama 2 7B: FLOPs per 500-word answer per parameter")
    out.value("sd1_effective_depth", families[0]["effective_depth"], "blocks",
              "SD v1: residual blocks traversed per image (blocks per UNet × 50 steps)")
    out.value("sd1_over_turbo", sd_image / turbo_image, "×", "SD v1 (50 steps + guidance) FLOPs over SDXL-Turbo's")
    out.value("llm_answer_over_sd_image", answer / sd_image, "×", "A 500-word Llama 2 7B answer over one SD v1 image")

    if ctx.measuring:  # timings vary between runs and machines: they go to the measurements, apart
        ctx.step(f"timing on this machine ({ctx.device}): a UNet step and an LLM token with random weights")
        timing = [measure_unet_step(ctx), measure_lm_token(ctx)]
        for t in timing:
            t["achieved_gflops_per_s"] = t["flops"] / t["seconds"] / 1e9
            t["device"] = ctx.device
        ctx.measurements.table("timing", timing, f"Measured time and peak memory, medians, on {ctx.device}")

    ctx.step("charts")
    line = alt.Chart(alt.Data(values=steps_rows)).mark_line(point=True).encode(
        x=alt.X("steps:Q", scale=alt.Scale(type="log"), title="Sampling steps (log scale)"),
        y=alt.Y("flops:Q", scale=alt.Scale(type="log"), title="FLOPs per image (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("model:N", legend=alt.Legend(orient="bottom", title=None)),
        strokeDash=alt.StrokeDash("guidance:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["model:N", "guidance:N", "steps:Q", alt.Tooltip("flops:Q", format=".3~s")])
    marks = [{"flops": answer, "label": "Llama 2 7B, 500-word answer"},
             {"flops": dalle, "label": "DALL-E, one image"}]
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[2, 2], color="gray").encode(y="flops:Q")
    labels = alt.Chart(alt.Data(values=marks)).mark_text(align="left", x=5, dy=-6, color="gray").encode(
        y="flops:Q", text="label:N")
    chart = _explorable_steps(alt, ctx, line + rules + labels, sd1, llama["per_token"])
    out.chart("flops_by_steps", chart.properties(width=540, height=300),
              "Compute per image grows with every step",
              f"Log-log lines of FLOPs per image against sampling steps for SD v1 and SDXL, with and without "
              f"guidance. SD v1 at {default_steps} steps with guidance costs {fmt(sd_image)} FLOPs; "
              f"a one-step SDXL-Turbo image {fmt(turbo_image)}; dashed lines mark a Llama 2 7B answer of "
              f"{p['answer_words']} words ({fmt(answer)}) and a DALL-E image ({fmt(dalle)}). The black point and "
              "line follow the reader's steps, guidance and answer length (controls below the chart).",
              data="flops_by_steps")
    scatter_rows = [{"model": f["model"], "family": f["family"], "parameters": f["parameters"],
                     "flops_per_sample": f["flops_per_sample"]} for f in families]
    out.table("params_vs_compute", scatter_rows, "Parameters against compute per sample")
    modality = modality_expression("family", {f: "language" if f == "language model" else "vision"
                                              for f in dict.fromkeys(r["family"] for r in scatter_rows)})
    scatter = alt.Chart(alt.Data(values=scatter_rows)).transform_calculate(modality=modality).mark_point(
        filled=True, size=120).encode(
        x=alt.X("parameters:Q", scale=alt.Scale(type="log"), title="Parameters (log scale)",
                axis=alt.Axis(format="~s")),
        y=alt.Y("flops_per_sample:Q", scale=alt.Scale(type="log"), title="FLOPs per sample (log scale)",
                axis=alt.Axis(format="~s")),
        color=alt.Color("modality:N", scale=modality_scale(alt, ("vision", "language")),
                        legend=alt.Legend(orient="bottom", title=None)),
        shape=alt.Shape("family:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["model:N", alt.Tooltip("parameters:Q", format=".3~s"),
                 alt.Tooltip("flops_per_sample:Q", format=".3~s")])
    out.chart("params_vs_compute", scatter.properties(width=540, height=280), "Parameters against compute per sample",
              f"Log-log dots: SD v1 has {fmt(sd1['parameters'])} parameters but spends {fmt(sd_image)} FLOPs per "
              f"image, {fmt(sd_image / sd1['parameters'])} per parameter; a {p['answer_words']}-word Llama 2 7B "
              f"answer spends {fmt(answer / llama['parameters'])} per parameter.", data="params_vs_compute")


def _explorable_steps(alt, ctx, chart, sd1: dict[str, float], llm_flops_per_token: float):
    """``chart`` with the reader's SD v1 image (a point at their steps and guidance) and LLM answer (a line)."""
    row, p = ctx.row, ctx.params
    default_steps, turbo_steps = int(row("sd_default_steps").value), int(row("sdxl_turbo_steps").value)
    controls = [
        Control("steps", "Sampling steps", "steps", default_steps,
                f"SD v1's default {default_steps}; SDXL-Turbo's distilled {turbo_steps}",
                cited=(turbo_steps, default_steps), slider=(1, 100, 1)),
        Control("guidance", "Classifier-free guidance", "", GUIDANCE[True], "on, as in SD v1's default sampler",
                options={g: g for g in GUIDANCE.values()}),
        Control("answer_words", "Words in the LLM's answer", "words", p["answer_words"],
                f"the page's {p['answer_words']}-word answer", slider=(50, 5000, 50)),
    ]
    constants = {"text_flops": sd1["text"], "unet_1_flops": sd1["unet_1"], "unet_2_flops": sd1["unet_2"],
                 "decode_flops": sd1["decode"], "words_per_token": row("words_per_token").value,
                 "llm_flops_per_token": llm_flops_per_token}
    outputs = [Output("image", image_flops, "FLOPs", "One SD v1 image", "sd1_flops_per_image"),
               Output("answer", answer_flops, "FLOPs", "One Llama 2 7B answer", "llm_answer_flops"),
               Output("answer_over_image", answer_over_image, "×", "The answer over the image",
                      "llm_answer_over_sd_image")]
    point = alt.Chart(alt.Data(values=[{}])).transform_calculate(steps="steps", flops="image").encode(
        x="steps:Q", y="flops:Q")
    answer = alt.Chart(alt.Data(values=[{}])).transform_calculate(
        flops="answer", label="'your answer: ' + format(answer_words, 'd') + ' words'")
    layers = (chart + point.mark_point(filled=True, size=90, color="black")
              + point.transform_calculate(label="'your image: ' + format(datum.flops, '.3~s') + ' FLOPs'")
              .mark_text(align="left", dx=8, dy=12, fontWeight="bold").encode(text="label:N")
              + answer.mark_rule(color="black", strokeDash=[4, 2]).encode(y="flops:Q")
              + answer.mark_text(align="right", x="width", dx=-4, dy=-6, fontWeight="bold").encode(
                  y="flops:Q", text="label:N"))
    return explorable(layers, controls, constants, outputs)
