# %% [markdown]
# # Chinchilla, overtraining and the shrinking of LLMs: the computation, step by step
#
# The page tests the addendum's argument: the 2022 giants were undertrained, small models trained far past the
# Chinchilla-optimal token count now beat them, and about one order of magnitude of gap to vision and audio
# remains. This notebook evaluates Chinchilla's loss law with the analysis's own functions
# (`analyses/scaling_laws/laws.py` and `analysis.py`), checks what can be checked by hand, runs the whole
# analysis, draws each chart of the page and compares everything with the frozen results. It runs in a few
# seconds on a laptop and needs no data files beyond the catalog, `analyses/census/models.yaml`, the
# language models' list and their configs.

# %%
import itertools
import math

import numpy as np
import yaml

from analyses._format import format_number
from analyses._notebook import check, context, run, show_chart, show_table, values
from analyses.scaling_laws import analysis as scaling
from analyses.scaling_laws.laws import inference_aware_size

setup = context("scaling_laws")  # the analysis's parameters and declared inputs, nothing run yet
row = setup.row  # catalog rows of the files the analysis declares: fits, tokens, sizes, MMLU scores
fits = [scaling.fit_from_rows(row, "hoffmann", "Hoffmann et al. 2022"),
        scaling.fit_from_rows(row, "besiroglu", "Besiroglu et al. 2024")]
for fit, prefix in zip(fits, ("hoffmann", "besiroglu"), strict=True):
    print(f"{fit.name}: E = {fit.E}, A = {fit.A}, B = {fit.B}, alpha = {fit.alpha}, beta = {fit.beta}")
    print(f"    {row(prefix + '_e').source}; {row(prefix + '_e').locator}")

# %% [markdown]
# ## The compute-optimal split at Chinchilla's budget
#
# The law is L(N, D) = E + A/N^α + B/D^β, and training costs about C = 6ND FLOPs. `Fit.optimal` minimises
# the loss at fixed C in closed form (Hoffmann et al., Eq. 4). At the minimum the two terms' marginal gains
# balance, α A N^−α = β B D^−β, which the cell checks, together with C = 6ND. Chinchilla's own budget was
# 5.76e23 FLOPs; the two fits split it differently.

# %%
chinchilla_compute = 5.76e23
optimum = {}
for fit in fits:
    n, d = fit.optimal(chinchilla_compute)
    assert math.isclose(6 * n * d, chinchilla_compute, rel_tol=1e-12)
    assert math.isclose(fit.alpha * fit.A * n ** -fit.alpha, fit.beta * fit.B * d ** -fit.beta, rel_tol=1e-9)
    optimum[fit.name] = (n, d)
    print(f"{fit.name}: {format_number(n)} parameters, {format_number(d)} tokens, {d / n:.1f} tokens/parameter, "
          f"predicted loss {fit.loss(n, d):.3f}")
(hoffmann_n, hoffmann_d), (besiroglu_n, besiroglu_d) = optimum.values()

# %% [markdown]
# ## The price of a smaller model (de Vries)
#
# A model k times the compute-optimal size reaches the optimum's loss only with more tokens; `Fit.overhead`
# gives the extra compute as a fraction (de Vries 2023, using the optimum's balance above, so it does not
# depend on C). At k = 1 it is zero. Below a critical size no number of tokens is enough and the overhead is
# unbounded. `size_at_overhead` finds, by bisection, the size at which the extra compute equals the
# optimum's own. De Vries's blog post reports the same three figures, printed beside ours.

# %%
hoffmann = fits[0]
assert hoffmann.overhead(1.0) == 0.0
assert math.isinf(hoffmann.overhead(0.05))  # far below the critical size: no amount of data reaches the loss
overhead_50, overhead_25 = 100 * hoffmann.overhead(0.5), 100 * hoffmann.overhead(0.25)
critical = 100 * hoffmann.size_at_overhead(1.0)
assert math.isclose(hoffmann.overhead(critical / 100), 1.0, rel_tol=1e-9)
for ours, row_id in ((overhead_50, "devries_overhead_50"), (overhead_25, "devries_overhead_25"),
                     (critical, "devries_critical_size")):
    print(f"{row_id}: computed {ours:.1f}%, de Vries {row(row_id).value:g}% ({row(row_id).locator})")

# %% [markdown]
# ## Where real models sit
#
# The models are listed in `language_models.yaml`, base and tuned ones apart. `counted_parameters` builds each
# one's config on the meta device and counts its parameters, as the census does: marketing names round ("Qwen
# 1.8B" has 1.84 billion), and the record below compares sizes. The counts must round to the sizes the makers
# print: the Qwen2 blog's "0.49B", the Qwen technical report's "1.8B", the Qwen3 report's "0.6B", Meta's "8B".
# Chinchilla never released a config, so it keeps its published 70 billion. `load_models` joins the sizes with
# the catalog's tokens and scores and the census's release months.
#
# Tokens per parameter are cited training tokens over counted parameters. For Llama 3 8B the cell asks what size
# the law would have chosen for the compute Meta spent (6ND) and how far below it the model sits.

# %%
entries = yaml.safe_load(setup.data(scaling.LANGUAGE_MODELS).read_text())
census_yaml = setup.data("analyses/census/models.yaml")
counts = scaling.counted_parameters(census_yaml, {e["census"] for e in entries})
assert round(counts["qwen2-0.5b"] / 1e9, 2) == 0.49 and round(counts["llama-3-8b"] / 1e9) == 8
assert round(counts["qwen-1.8b"] / 1e9, 1) == 1.8 and round(counts["qwen3-0.6b"] / 1e9, 1) == 0.6
models = {m.id: m for m in scaling.load_models(row, entries, scaling.release_dates(census_yaml), counts)}
assert models["chinchilla-70b"].parameters == 70e9
tpp_gpt3, tpp_chinchilla, tpp_llama3_8b = (models[m].tokens / models[m].parameters
                                           for m in ("gpt-3-175b", "chinchilla-70b", "llama-3-8b"))
llama3_n, llama3_d = models["llama-3-8b"].parameters, models["llama-3-8b"].tokens
llama3_n_opt, _ = hoffmann.optimal(6 * llama3_n * llama3_d)
llama3_vs_optimal = 100 * llama3_n / llama3_n_opt
print(f"counted: GPT-3 {format_number(models['gpt-3-175b'].parameters)}, Llama 3 8B {format_number(llama3_n)}, "
      f"Qwen2 0.5B {format_number(models['qwen2-0.5b'].parameters)} parameters")
print(f"tokens per parameter: GPT-3 {tpp_gpt3:.2f}, Chinchilla {tpp_chinchilla:.0f}, Llama 3 8B {tpp_llama3_8b:.0f}")
print(f"Llama 3 8B: {llama3_vs_optimal:.1f}% of the compute-optimal {format_number(llama3_n_opt)} parameters; "
      f"extra training compute {100 * hoffmann.overhead(llama3_n / llama3_n_opt):.0f}%")

# %% [markdown]
# ## Paying for inference too (Sardana et al.)
#
# Serving costs about 2N FLOPs a token, so a model that will serve many tokens is cheapest overall below the
# Chinchilla-optimal size. Fix the loss the law predicts for Llama 2 7B (at its counted size and cited tokens), and
# let `inference_aware_size` search the same log grid of sizes the analysis uses for the smallest training
# plus inference FLOPs.

# %%
llama2_n, llama2_d = models["llama-2-7b"].parameters, models["llama-2-7b"].tokens
target = hoffmann.loss(llama2_n, llama2_d)
sizes = list(np.logspace(8.5, 11, 600))  # the grid in analysis.py
sardana_none, _ = inference_aware_size(hoffmann, target, 0, sizes)
sardana_1e13, _ = inference_aware_size(hoffmann, target, 1e13, sizes)
print(f"target loss {target:.4f}; cheapest size with training only: {format_number(sardana_none)}; "
      f"with 1e13 tokens of inference: {format_number(sardana_1e13)}")

# %% [markdown]
# ## The smallest model that beats GPT-3
#
# `frontier` walks the models by date and keeps each one that beats GPT-3's score with fewer parameters than any
# before it, once over every model and once over base models alone. The cell checks the record's two properties:
# each step is later and smaller, and no model above GPT-3's score is smaller than the record at its release.
# `shrink_rate` fits log10(parameters) against year through GPT-3 and that record, with a seeded bootstrap for
# the interval.

# %%
points = scaling.model_points(list(models.values()))
gpt3 = models["gpt-3-175b"]
records = {"all": points, "base": [p for p in points if p["variant"] == "base"]}
shrink_values = {}
for series, chosen in records.items():
    record = scaling.frontier(chosen, gpt3.mmlu)
    for before, after in itertools.pairwise(record):  # each step later (or the same month) and smaller
        assert after["year"] >= before["year"] and after["parameters"] < before["parameters"]
    for p in chosen:  # no model above GPT-3 is smaller than the record at its release
        if p["mmlu"] != "" and p["mmlu"] > gpt3.mmlu:
            assert min(r["parameters"] for r in record if r["year"] <= p["year"]) <= p["parameters"]
    trend = [{"year": gpt3.year, "parameters": gpt3.parameters}] + record
    slope, low, high = scaling.shrink_rate(trend, setup.params["bootstrap"], setup.seed)
    smallest = record[-1]["parameters"]
    suffix = "" if series == "all" else "_base"
    shrink_values |= {f"shrink_oom_per_year{suffix}": -slope, f"smallest_beating_gpt3{suffix}": smallest,
                      f"shrink_factor{suffix}": gpt3.parameters / smallest}
    print(f"{series} models:")
    for p in record:
        print(f"  {p['year']:.2f}  {p['model']:<16} {p['variant']:<8} {format_number(p['parameters'])} parameters, "
              f"MMLU {p['mmlu']:g}")
    print(f"  shrinking {-slope:.2f} orders of magnitude a year (95% interval {-high:.2f} to {-low:.2f}); "
          f"GPT-3 is {gpt3.parameters / smallest:.0f} times the smallest model that beats it")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine). Its steps:

# %%
ctx = run("scaling_laws")

# %% [markdown]
# The compute-optimal frontier at a few budgets under both fits:

# %%
show_table(ctx.results, "frontier", limit=8, columns=["fit", "compute", "n_opt", "d_opt", "tokens_per_parameter"])

# %% [markdown]
# And where the catalogued models sit against the optimum of the Hoffmann fit:

# %%
show_table(ctx.results, "models", limit=14,
           columns=["model", "parameters", "tokens", "tokens_per_parameter", "size_vs_optimal", "overhead_pct", "mmlu"])

# %% [markdown]
# ### Chart: Chinchilla's loss surface
#
# The predicted loss over a grid of sizes and token counts, from the Hoffmann et al. fit.

# %%
show_chart(ctx.results, "loss_surface")

# %% [markdown]
# ### Chart: The price of a smaller model
#
# The extra training compute of a smaller-than-optimal model, for both fits. On the page the reader picks the
# size and the fit, and the page evaluates `overhead_pct`'s Vega expression (printed here), checked against
# the function by the site's browser test. At the critical size found above the overhead is 100%. It is
# unbounded where the bracket in the formula reaches zero, at k = (1 + α/β)^(−1/α): below that size no
# amount of data reaches the optimum's loss.

# %%
from analyses.scaling_laws.laws import overhead_pct  # noqa: E402

print("Vega expression:", overhead_pct.vega)
constants = {f.name: {"alpha": f.alpha, "beta": f.beta} for f in fits}
assert math.isclose(overhead_pct(100 * fits[0].size_at_overhead(1.0), fits[0].name, constants), 100, rel_tol=1e-9)
for fit in fits:
    wall = (1 + fit.alpha / fit.beta) ** (-1 / fit.alpha)
    assert math.isinf(overhead_pct(99.9 * wall, fit.name, constants))
    assert math.isfinite(overhead_pct(100.1 * wall, fit.name, constants))
    print(f"{fit.name}: unbounded below {100 * wall:.1f}% of the compute-optimal size")
show_chart(ctx.results, "overhead")

# %% [markdown]
# ### Chart: Tokens per parameter over time
#
# Each catalogued model with a cited token count, against Chinchilla's ratio.

# %%
show_chart(ctx.results, "tokens_per_parameter")

# %% [markdown]
# ### Chart: The smallest model that beats GPT-3
#
# Models by release date and size, with the record found above drawn as a line.

# %%
show_chart(ctx.results, "mmlu_frontier")

# %% [markdown]
# ### Chart: The same record on a second benchmark
#
# The record again, on the second benchmark the same makers report, against GPT-3's own score on it.

# %%
show_chart(ctx.results, "second_frontier")

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above and the values only the run computes (ratios of cited figures), beside
# the frozen values on the page; then every file the run wrote, compared byte for byte with the frozen files.

# %%
check("scaling_laws", {
    "hoffmann_nopt_at_chinchilla": hoffmann_n, "hoffmann_tpp_at_chinchilla": hoffmann_d / hoffmann_n,
    "besiroglu_nopt_at_chinchilla": besiroglu_n, "besiroglu_tpp_at_chinchilla": besiroglu_d / besiroglu_n,
    "overhead_50": overhead_50, "overhead_25": overhead_25, "critical_size": critical,
    "tpp_gpt3": tpp_gpt3, "tpp_chinchilla": tpp_chinchilla, "tpp_llama3_8b": tpp_llama3_8b,
    "llama3_8b_size_vs_optimal": llama3_vs_optimal,
    "sardana_size_no_inference": sardana_none, "sardana_size_1e13": sardana_1e13,
    **shrink_values,
    **values(ctx, "tpp_qwen25_05b", "knowledge_gb_7b", "params_per_gb_knowledge", "remaining_gap_oom",
             "remaining_gap_small_oom")}, ctx)
