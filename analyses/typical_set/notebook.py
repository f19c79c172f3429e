# %% [markdown]
# # The typical set: the computation, step by step
#
# The page claims that when every pixel is black with probability 51%, the single most likely image (all black)
# is nothing like the images you would actually draw, and that this stays true when neighbouring pixels are
# correlated. This notebook redoes the arithmetic with the analysis's own functions
# (`analyses/typical_set/analysis.py`), checks several figures against closed forms, runs the whole analysis,
# draws both charts of the page, and compares everything with the frozen results. It runs in a few seconds and
# needs no data files: the only inputs are the parameters below.

# %%
import math

import numpy as np

from analyses._notebook import check, context, run, show_chart, show_table
from analyses.typical_set import analysis as ts

setup = context("typical_set")  # the parameters of the profile the page was frozen with, and its seed
p = setup.params
pb = p["p_black"]
pw = 1 - pb
for key in ("p_black", "sizes", "markov_n", "markov_stay", "ising_side", "ising_coupling", "ising_sweeps"):
    print(f"{key}: {p[key]}")

# %% [markdown]
# ## The mode against one typical image
#
# The all-black image has probability 0.51 to the power *n*. For the largest image (2²⁰ pixels, "a million")
# that underflows any float, so everything stays in log space. An image with 49% white pixels is individually
# *less* likely than the mode, since each white pixel costs a factor 0.49 instead of 0.51. But there are about
# 2^(*n*·*H*) such images, with *H* the entropy of one pixel, which is barely below one bit.

# %%
n_big, n_small = max(p["sizes"]), min(p["sizes"])
log10_p_mode_1m, log10_p_mode_64 = n_big * math.log10(pb), n_small * math.log10(pb)
typical_white = round(pw * n_big)
log10_p_typical = typical_white * math.log10(pw) + (n_big - typical_white) * math.log10(pb)
entropy = ts.entropy_bits(pb)
assert ts.entropy_bits(0.5) == 1.0  # a fair pixel carries exactly one bit
assert log10_p_typical < log10_p_mode_1m  # each typical image is less likely than the mode
# The count K = 0 of white pixels has exactly one image, the mode: the binomial agrees with pⁿ.
assert math.isclose(ts.log_binom_pmf(n_big, np.array([0]), pw)[0] * ts.LOG10E, log10_p_mode_1m, rel_tol=1e-12)
print(f"{n_big:,} pixels: log10 P(all black) = {log10_p_mode_1m:,.1f}; "
      f"log10 P(one image {typical_white:,} white) = {log10_p_typical:,.1f}")
print(f"{n_small} pixels: log10 P(all black) = {log10_p_mode_64:.3f}")
print(f"entropy of one pixel: {entropy:.6f} bits; typical set ≈ 10^{n_big * entropy * math.log10(2):,.0f} images")

# %% [markdown]
# ## Where the probability lies
#
# The number of white pixels is binomial, with mean *n*·0.49 and standard deviation √(*n*·0.51·0.49).
# `band_mass` sums the exact binomial probabilities within *k* standard deviations of the mean (in log space,
# through `lgamma`). At this size the sum is close to the normal curve's 3-sigma share, and the all-black image
# (zero white pixels) lies √(*n*·0.49/0.51) standard deviations away from the mean.

# %%
mass_3sd = ts.band_mass(n_big, pw, 3)
normal_3sd = math.erf(3 / math.sqrt(2))
assert abs(mass_3sd - normal_3sd) < 1e-3
mode_sd = pw * n_big / math.sqrt(n_big * pb * pw)
assert math.isclose(mode_sd, math.sqrt(n_big * pw / pb), rel_tol=1e-12)
print(f"probability within 3 sd of 49% white: {100 * mass_3sd:.4f}% (normal curve: {100 * normal_3sd:.4f}%)")
print(f"the all-black image lies {mode_sd:,.1f} standard deviations from the mean white count")

# %% [markdown]
# ## With correlations: a 1-D Markov chain
#
# Now a black pixel is followed by black with probability 0.9, and the chance that white follows white is set so
# that the chain is still 51% black on average (stationarity). `markov_white_count` gives the exact distribution
# of the white count by dynamic programming; `markov_mode_log_prob` finds the most likely row (Viterbi). Since
# black is stickier than white, that row is all black, with probability 0.51 · 0.9^(*n*−1).

# %%
n, stay = p["markov_n"], p["markov_stay"]
stay_black, stay_white = ts.markov_chain(pb, stay)
assert math.isclose(pb * (1 - stay_black), pw * (1 - stay_white))  # as much flows black→white as white→black
log_pmf = ts.markov_white_count(n, pb, stay)
prob = np.exp(log_pmf)
assert math.isclose(prob.sum(), 1.0, rel_tol=1e-9)
counts = np.arange(n + 1)
mean = float(np.sum(prob * counts))
sd = math.sqrt(float(np.sum(prob * (counts - mean) ** 2)))
mode_lp = ts.markov_mode_log_prob(n, pb, stay)
all_black = math.log(pb) + (n - 1) * math.log(stay_black)
assert math.isclose(mode_lp, all_black) and math.isclose(log_pmf[0], all_black)  # the mode is the all-black row
markov_mean_white, markov_mode_sd = 100 * mean / n, mean / sd
print(f"P(white follows white) = {stay_white:.5f}")
print(f"mean white share: {markov_mean_white:.4f}%; sd of the white count: {sd:.2f} pixels")
print(f"most likely row: all black, log10 P = {mode_lp * ts.LOG10E:.4f}, {markov_mode_sd:.3f} sd from the mean")

# %% [markdown]
# ## With correlations: a 2-D Ising-like field
#
# Each pixel is a spin, +1 black or −1 white, with probability proportional to exp(*J* Σ *s*ᵢ*s*ⱼ + *h* Σ *s*ᵢ):
# neighbours prefer to agree, and the field *h* alone would make a pixel black with probability 0.51. Seeded Gibbs
# sampling (the analysis's seed) draws the last few of many sweeps; we compare their log weight with the
# all-black ground state's. The normalising constant cancels in the difference.

# %%
side, coupling = p["ising_side"], p["ising_coupling"]
h = ts.ising_field(coupling, pb)
assert math.isclose(1 / (1 + math.exp(-2 * h)), pb)  # an isolated pixel is 51% black
samples = ts.gibbs_samples(side, coupling, h, p["ising_sweeps"], p["samples"], setup.seed)
mode = np.ones((side, side), dtype=int)
# Every bond of the all-black grid agrees: 2·side² bonds (periodic), and side² spins at +1.
assert ts.ising_log_weight(mode, coupling, h) == coupling * 2 * side**2 + h * side**2
ising_black_share = 100 * float(np.mean([np.mean(s == 1) for s in samples]))
ising_gap = (ts.ising_log_weight(mode, coupling, h)
             - np.mean([ts.ising_log_weight(s, coupling, h) for s in samples])) * ts.LOG10E
print(f"samples are {ising_black_share:.2f}% black on average")
print(f"the all-black state is 10^{ising_gap:.1f} times likelier than a typical sample")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine). Its steps:

# %%
ctx = run("typical_set")

# %% [markdown]
# The table behind the first chart: for each image size, the log10 probability of the mode, of one typical
# image, the log10 size of the typical set, and the probability mass within 1, 2 and 3 standard deviations.

# %%
show_table(ctx.results, "independent", columns=["pixels", "log10_p_mode", "log10_p_one_typical_image",
                                                "log10_typical_set_size", "mass_within_3_sd"])

# %% [markdown]
# ### Chart: The mode is likeliest and never seen
#
# The mode's line stays above a single typical image's, while the 3-sd band keeps nearly all the probability.

# %%
show_chart(ctx.results, "mode_vs_n")

# %% [markdown]
# ### Chart: The mode next to samples
#
# The all-black mode beside independent and Ising samples of the same size.

# %%
show_chart(ctx.results, "pictures")

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the whole run
# wrote, compared byte for byte with the frozen files.

# %%
check("typical_set", {"log10_p_mode_1m": log10_p_mode_1m, "log10_p_mode_64": log10_p_mode_64,
                      "entropy_bits_per_pixel": entropy, "mass_3sd_1m": 100 * mass_3sd,
                      "mode_sd_from_mean_1m": mode_sd, "markov_stay_black": stay_black,
                      "markov_mean_white": markov_mean_white, "markov_p_no_white": 100 * math.exp(log_pmf[0]),
                      "markov_mode_sd": markov_mode_sd, "markov_log10_p_mode": mode_lp * ts.LOG10E,
                      "ising_black_share": ising_black_share, "ising_mode_minus_sample_log_weight": ising_gap}, ctx)
