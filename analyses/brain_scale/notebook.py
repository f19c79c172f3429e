# %% [markdown]
# # Brain versus models: the computation, step by step
#
# The page builds a "parameter count" for brain areas from cited neuron and synapse counts, compares it
# with models of each modality under three definitions, and asks whether doing video takes much bigger
# models. This notebook redoes that arithmetic with the analysis's own functions
# (`analyses/brain.py` for the brain areas, `analyses/brain_scale/analysis.py` for the rest), checks the formulas by hand, runs the whole analysis (which counts
# Wan 2.1's FLOPs on PyTorch's `meta` device, from config files in the repository) and compares everything
# with the frozen results on the page. It runs in about ten seconds on a laptop CPU and downloads nothing.

# %%
import math

from analyses import brain as cortex
from analyses import catalog
from analyses._explorable import evaluate
from analyses._format import format_number
from analyses._notebook import check, run, show_chart, show_table, values
from analyses.brain_scale import analysis as brain
from analyses.modelstats.build import read_config

rows = catalog.load("brain", "census")  # brain counts and shares; published model sizes
row = rows.__getitem__  # the analysis's functions take a row lookup, as ctx.row is
for row_id in ("neocortex_neurons_fractionator", "neocortex_neurons_stereology", "neocortex_synapses",
               "synapses_per_neuron", "millidge_visual_share", "bits_per_synapse", "essay_visual_cortex_params"):
    r = row(row_id)
    spread = f" (range {format_number(r.low)} to {format_number(r.high)})" if r.low is not None else ""
    print(f"{row_id}: {format_number(r.value)} {r.unit}{spread}\n    {r.source}; {r.locator}")

# %% [markdown]
# ## The visual cortex in neurons and synapses
#
# No one has measured the "parameters of the visual cortex", so `area_counts` builds them from three
# choices. Neurons: the area's share of cortex (Millidge's 27–30% for vision, 28.5% central) times the
# neocortex's neurons, from 10.2 billion (isotropic fractionator, 2023) to 23 billion (stereology, men, 1997),
# with their geometric mean as the central figure. Synapses: the low and high ends multiply those neurons by
# 1,000 and 10,000 synapses a neuron; the central figure is Pakkenberg et al.'s neocortical synapse count
# times the share. Ranges multiply low with low and high with high: the spread of the sources, not a
# confidence interval.

# %%
share, spn = row("millidge_visual_share"), row("synapses_per_neuron")
low_n, high_n = row("neocortex_neurons_fractionator").value, row("neocortex_neurons_stereology").high
visual = cortex.area_counts(row, "visual cortex")
assert math.isclose(visual["neurons"][0], low_n * share.low / 100)
assert math.isclose(visual["neurons"][1], math.sqrt(low_n * high_n) * share.value / 100)
assert math.isclose(visual["synapses"][0], low_n * share.low / 100 * spn.low)
assert math.isclose(visual["synapses"][1], row("neocortex_synapses").value * share.value / 100)
assert math.isclose(visual["synapses"][2], high_n * share.high / 100 * spn.high)
for what in ("neurons", "synapses"):
    low, mid, high = visual[what]
    print(f"visual cortex {what}: {format_number(mid)} ({format_number(low)} to {format_number(high)})")

# %% [markdown]
# V1 alone is counted another way: neuron density times volume, for both hemispheres. The two density
# studies (Leuba & Garey 1987, Garcia-Marin et al. 2024) differ by more than a factor of two, and the volume
# ranges from 3,185 to 7,568 mm³ per hemisphere; the central figure takes the geometric mean of the densities.

# %%
v1 = cortex.v1_neurons(row)
densities = (row("v1_density_1987").value, row("v1_density_2024").value)
assert math.isclose(v1[1], math.sqrt(densities[0] * densities[1]) * row("v1_volume").value * 2)
print(f"V1 neurons: {format_number(v1[1])} ({format_number(v1[0])} to {format_number(v1[2])})")

# %% [markdown]
# ## The gap to models, under three definitions
#
# Each modality's brain area is set against its model's published size: the visual cortex against Stable
# Diffusion v1's 860M-parameter UNet, the auditory cortex against Whisper large, the language areas against
# GPT-3. A brain "parameter" can be one synapse, one synapse's 4.7 bits counted in 16-bit parameters (Bartol
# et al. 2015), or one neuron. The gap is log10(brain / model): positive when the brain area is larger.

# %%
bits = row("bits_per_synapse").value
gaps = {}
for modality, (area, model_row, model_name) in brain.ANCHORS.items():
    counts = cortex.area_counts(row, area)
    for definition in ("synapses", "16-bit equivalents", "neurons"):
        gap = cortex.orders_of_magnitude(cortex.as_parameters(counts, definition, bits), row(model_row).value)
        gaps[modality, definition] = gap
        print(f"{area:<15} over {model_name:<24} per {definition.rstrip('s'):<17}: {gap[1]:+.2f} orders "
              f"({gap[0]:+.2f} to {gap[2]:+.2f})")
# A 16-bit equivalent shrinks the brain's count by 4.7/16: a fixed shift in orders of magnitude.
assert math.isclose(gaps["vision", "16-bit equivalents"][1], gaps["vision", "synapses"][1] + math.log10(bits / 16))

# %% [markdown]
# Under every definition the gap is larger for vision and audio than for language; only its size depends
# on the definition.
#
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine): the counts and
# gaps above, the essay's figures checked against them, published sizes of video and image models, and the
# FLOPs of Wan 2.1's video transformers counted on the meta device.

# %%
ctx = run("brain_scale")
show_table(ctx.results, "checks", columns=["claim", "we_find", "verdict"])

# %% [markdown]
# ### Chart: Brain areas and models on one axis
#
# Each brain area's range in synapses and in neurons, with models as diamonds, on a log scale.

# %%
show_chart(ctx.results, "brain_vs_models")

# %% [markdown]
# ## Your own definition: the explorable chart
#
# The page lets a reader pick the definition, the neocortex's neurons, synapses per neuron, the share of
# cortex serving vision and the bits a synapse stores. `brain_gap` is one formula for all of them: neurons ×
# share × what one neuron counts for (its synapses, their bits in 16-bit parameters, or itself), over the
# model's parameters, in orders of magnitude. The page evaluates the same formula written as a Vega
# expression (printed below) in the reader's browser; the site's browser test checks the two agree.
# Vision's gap less language's does not depend on the neurons, the synapses or the definition: they cancel.

# %%
controls, constants = brain.reader_controls(row)
defaults = {c.name: c.default for c in controls} | constants
print("Vega expression:", brain.brain_gap.vega)
for definition in ("synapses", "16-bit equivalents", "neurons"):
    chosen = defaults | {"definition": definition}
    vision_gap, language_gap = evaluate(brain.vision_gap, chosen), evaluate(brain.language_gap, chosen)
    print(f"one {definition.rstrip('s')}: vision {vision_gap:+.2f}, language {language_gap:+.2f}, "
          f"difference {vision_gap - language_gap:.4f} orders")
    assert math.isclose(vision_gap - language_gap, brain.reader_gaps(row)["difference"])

# %% [markdown]
# ### Chart: Your definition of a brain parameter
#
# At the page's defaults; on the page, the bars follow the controls.

# %%
show_chart(ctx.results, "reader_gaps")

# %% [markdown]
# ## Does video take bigger models?
#
# The essay's hypothesis 1 is that matching the brain's vision needs video, and video much bigger models.
# The analysis lists published sizes (each row cites its paper or README) and compares the largest video
# model with the largest image model, for generation and for recognition:

# %%
video_rows = ctx.results.tables["video"]["rows"]
largest = {task: max(r["parameters"] for r in video_rows if r["task"] == task)
           for task in ("video generation", "image generation", "video recognition", "image recognition")}
generation = largest["video generation"] / largest["image generation"]
recognition = largest["video recognition"] / largest["image recognition"]
print(f"largest video generator over largest image UNet: {generation:.2f}×; "
      f"largest video encoder over largest image transformer: {recognition:.2f}×")

# %% [markdown]
# ### Chart: Video models and image models
#
# Published sizes of video and image models, by task, on a log scale.

# %%
show_chart(ctx.results, "video")

# %% [markdown]
# ## What a second of video costs
#
# Parameters are half of it. Wan 2.1 generates 81 frames at 16 frames a second, 832×480; its VAE compresses
# 4× in time (keeping the first frame alone) and 8× per side, and the transformer cuts the latent into 1×2×2
# patches. `video_latent_shape` gives the latent; the run counted FLOPs per denoising step on the meta device
# with `FlopCounterMode`. A rough closed form explains the count: 2 FLOPs per parameter per token for the
# layers applied to video tokens (all but the cross-attention keys and values, which see the 512 text
# tokens), plus self-attention's scores and weighted sums, 4·T²·d per layer, quadratic in the T video tokens,
# plus cross-attention over the text. Both models land within 1% of the counted FLOPs.

# %%
frames, height, width = brain.video_latent_shape(row)
seconds = row("wan_frame_num").value / row("wan_fps").value
text = int(row("wan_text_len").value)
compute = {r["model"]: r for r in ctx.results.tables["video_compute"]["rows"]}
steps, batch = ctx.params["steps"], ctx.params["guidance_batch"]
sd_image = compute["Stable Diffusion v1 UNet"]["flops_per_sample"]
over_sd = {}
for name, path in brain.WAN_CONFIGS.items():
    config, r = read_config(path), compute[name]
    tokens = math.prod(n // p for n, p in zip((frames, height, width), config["patch_size"], strict=True))
    d, layers = config["num_attention_heads"] * config["attention_head_dim"], config["num_layers"]
    estimate = (2 * (r["parameters"] - 2 * layers * d * d) * tokens + 4 * layers * tokens**2 * d
                + 4 * layers * tokens * text * d)
    assert abs(estimate / r["flops_per_step"] - 1) < 0.01
    per_second = batch * steps * r["flops_per_step"] / seconds
    assert math.isclose(per_second, r["flops_per_output_second"])
    over_sd[name] = per_second / sd_image
    print(f"{name}: {tokens:,} video tokens; {r['flops_per_step']:.4g} FLOPs a step, "
          f"{4 * layers * tokens**2 * d / r['flops_per_step']:.0%} of it in self-attention's T² terms; "
          f"one second of video costs {over_sd[name]:.0f} SD v1 images")

# %% [markdown]
# The run's table, with the SD v1 UNet under the same sampler budget (50 steps, a batch of two for
# classifier-free guidance); text encoders and VAE decoders are left out of both:

# %%
show_table(ctx.results, "video_compute", columns=["model", "parameters", "output", "flops_per_step",
                                                  "flops_per_sample"])

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole
# run wrote, compared byte for byte with the frozen files.

# %%
check("brain_scale", {"visual_neurons": visual["neurons"][1], "visual_synapses": visual["synapses"][1],
                      "v1_neurons": v1[1], "gap_vision_synapses": gaps["vision", "synapses"][1],
                      "gap_vision_16bit": gaps["vision", "16-bit equivalents"][1],
                      "gap_vision_neurons": gaps["vision", "neurons"][1],
                      "gap_audio_synapses": gaps["audio", "synapses"][1],
                      "gap_language_synapses": gaps["language", "synapses"][1],
                      "gap_language_neurons": gaps["language", "neurons"][1],
                      "video_over_image_generation": generation, "video_over_image_recognition": recognition,
                      "wan_13b_second_over_sd_image": over_sd["Wan 2.1 1.3B"],
                      "wan_14b_second_over_sd_image": over_sd["Wan 2.1 14B"],
                      "reader_gap_difference": vision_gap - language_gap,
                      **values(ctx, "sd_unet_flops_per_image", "wan_13b_parameters", "wan_14b_parameters")}, ctx)
