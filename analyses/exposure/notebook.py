# %% [markdown]
# # Data exposure: the computation, step by step
#
# The essay compares what a person sees, hears and reads with what models are trained on. This notebook
# redoes that arithmetic with the analysis's own functions (`analyses/exposure/analysis.py`), checks one
# figure by hand, runs the whole analysis, draws each chart of the page, and ends by comparing everything
# with the frozen results the page shows. It runs in a second on a laptop and needs no data files.

# %%
import math

from analyses import catalog
from analyses._notebook import check, run, show_chart, show_table, values
from analyses.exposure import analysis as exposure

rows = catalog.load("exposure")  # the cited figures, each with its source and locator
for row_id in ("essay_images_per_second", "essay_waking_hours", "laion2b_en", "child_words_per_day"):
    row = rows[row_id]
    spread = f" (range {row.low:,g} to {row.high:,g})" if row.low is not None else ""
    print(f"{row_id}: {row.value:,g} {row.unit}{spread}\n    {row.source}; {row.locator}")

# %% [markdown]
# ## Images a year
#
# The essay assumes a person takes in 10 distinct images a second for 18 waking hours a day. Over a
# 365.25-day year that is 10 × 3,600 × 18 × 365.25 images. The function gives the same number as the
# hand calculation:

# %%
essay_rate, essay_hours = rows["essay_images_per_second"].value, rows["essay_waking_hours"].value
per_year = exposure.images_per_year(essay_rate, essay_hours)
assert per_year == 10 * 3600 * 18 * 365.25
print(f"{per_year:,.0f} images a year")

# %% [markdown]
# ## Years to see Stable Diffusion's training set
#
# LAION-2B-en, the set Stable Diffusion v1 was trained on, holds about 2.32 billion image–text pairs.
# At the essay's rate a person needs this many years to see as many images:

# %%
laion = rows["laion2b_en"].value
years = exposure.years_to_see(laion, essay_rate, essay_hours)
print(f"{years:.1f} years")

# %% [markdown]
# ## Words heard by 20
#
# Day-long recordings of infants count how many adult words they hear (a range, cited on the page).
# Carried forward to age 20 it gives a range of words heard; GPT-3's 300 billion training tokens are
# about 225 billion words at 0.75 words a token.

# %%
words_day = rows["child_words_per_day"]
heard_low, heard_high = (exposure.total_by_age(w, 20) for w in (words_day.low, words_day.high))
print(f"words heard by 20: {heard_low:,.0f} to {heard_high:,.0f}")

# %% [markdown]
# ## The whole analysis
#
# `run` calls the analysis's `run(ctx)` as the runner does (without timing this machine). Its steps:

# %%
ctx = run("exposure")

# %% [markdown]
# The headline table divides each training set by one person's exposure by age 20, in the modality's
# own unit (images, hours, words):

# %%
show_table(ctx.results, "headline", columns=["training_set", "modality", "ratio_low", "ratio_high"])

# %% [markdown]
# ### Chart: training data against one person's first 20 years

# %%
show_chart(ctx.results, "headline")

# %% [markdown]
# ### Chart: how long a person needs to see Stable Diffusion's images
#
# The essay's 10 images a second is one assumption among many; this chart varies it. On the page the reader
# moves the rate and the waking hours, and the page computes the years from `years_to_see`'s formula written
# as a Vega expression (printed here); the site's browser test checks the two agree at every control's marks.
# By hand, at one image per fixation (3 a second) and 14 waking hours:

# %%
print("Vega expression:", exposure.years_to_see.vega)
by_hand = rows["laion2b_en"].value / (3 * 3600 * 14 * 365.25)
assert abs(exposure.years_to_see(rows["laion2b_en"].value, 3, 14) / by_hand - 1) < 1e-15
print(f"3 images/s, 14 h a day: {by_hand:.1f} years")
show_chart(ctx.results, "years_vs_rate")

# %% [markdown]
# ### Chart: words a person meets against words an LLM is trained on
#
# On the page the reader sets the words heard a day and picks the model; `orders_above_heard`'s Vega
# expression (printed here) gives the gap. By hand, at the top of the cited range against Llama 3:

# %%
print("Vega expression:", exposure.orders_above_heard.vega)
llama3_words = rows["llama3_tokens"].value * rows["words_per_token"].value
top = rows["child_words_per_day"].high
by_hand = math.log10(llama3_words / (top * 365.25 * 20))
assert math.isclose(exposure.orders_above_heard("Llama 3", {"Llama 3": llama3_words}, top, 20), by_hand)
print(f"{top:,.0f} words a day: Llama 3 trained on {by_hand:.2f} orders of magnitude more words than heard by 20")
show_chart(ctx.results, "language")

# %% [markdown]
# ## Check against the page
#
# The values computed step by step above, beside the frozen values on the page; then every file the
# whole run wrote, compared byte for byte with the frozen files.

# %%
check("exposure", {"images_per_year_essay": per_year, "years_to_match_sd_essay": years,
                   "words_heard_by_20": (heard_low * heard_high) ** 0.5,
                   **values(ctx, "vision_ratio", "language_ratio")}, ctx)
