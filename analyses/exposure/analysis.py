"""Data exposure: how much a person sees, hears and reads, against model training sets.

The essay (Millidge 2023) argues that an image model's training set is about
what a person sees in ten years, while an LLM's is orders of magnitude beyond a
lifetime of language. We redo that arithmetic from cited figures, with ranges:

    images seen per year = images/s × 3600 s/h × waking h/day × 365.25 days/year
    words heard by age a = words/day × 365.25 × a
    hours of speech heard = words/day ÷ words/min ÷ 60 × 365.25 × a

and compare each modality in its own unit (images, words, hours). Tokens are
converted to words with OpenAI's rule of thumb (0.75 words/token), stated where
it is used.
"""

import math

from analyses._checks import verdict
from analyses._format import format_number as fmt

DAYS_PER_YEAR = 365.25  # Julian year; the essay's "per year" does not say which year it means
SECONDS_PER_HOUR = 3600


# ---------------------------------------------------------------- pure arithmetic

def images_per_year(images_per_second: float, waking_hours: float) -> float:
    """10 images/s for 18 h/day -> 236,682,000 images/year."""
    return images_per_second * SECONDS_PER_HOUR * waking_hours * DAYS_PER_YEAR


def years_to_see(images: float, images_per_second: float, waking_hours: float) -> float:
    """Years of looking needed to take in ``images`` images."""
    return images / images_per_year(images_per_second, waking_hours)


def total_by_age(per_day: float, years: float) -> float:
    """A daily amount accumulated over ``years`` years."""
    return per_day * DAYS_PER_YEAR * years


def hours_of_speech(words_per_day: float, words_per_minute: float, years: float) -> float:
    """Hours of speech heard: words ÷ speaking rate, accumulated over ``years``."""
    return total_by_age(words_per_day / words_per_minute / 60, years)


def samples_seen(steps: list[float], batch_size: float) -> float:
    """Training examples drawn over all steps (repeats counted): sum(steps) × batch."""
    return sum(steps) * batch_size


def orders_of_magnitude(ratio: float) -> float:
    return math.log10(ratio)


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    import altair as alt

    row = ctx.row
    out = ctx.results
    ages = ctx.params["ages"]
    adult_age = max(ages)

    ctx.step("images: the essay's arithmetic and its sensitivity to the sampling rate")
    essay_ips, essay_hours = row("essay_images_per_second").value, row("essay_waking_hours").value
    waking_low = 24 - row("sleep_teen").high          # most sleep recommended to teenagers
    waking_high = essay_hours                          # the essay's own, generous figure
    fixations = row("fixations_per_second").value
    awake = f"{waking_low:g}-{waking_high:g}"
    out.value("waking_hours_per_day", (waking_low + waking_high) / 2, "hours/day",
              f"Waking hours a day: 24 h less the most sleep recommended to teenagers, up to the essay's {waking_high:g} h",
              low=waking_low, high=waking_high, sources=("sleep_teen", "essay_waking_hours"))
    per_year = out.value("images_per_year_essay", images_per_year(essay_ips, essay_hours), "images/year",
                         f"Images per year at the essay's {essay_ips:g} images/s and {essay_hours:g} waking h/day",
                         sources=("essay_images_per_second", "essay_waking_hours"))
    per_year_fix_low = images_per_year(fixations, waking_low)
    per_year_fix_high = images_per_year(fixations, waking_high)
    out.value("images_per_year_fixations", math.sqrt(per_year_fix_low * per_year_fix_high), "images/year",
              f"Images per year if each fixation ({fixations:g}/s) is one image, {awake} waking h/day (geometric middle)",
              low=per_year_fix_low, high=per_year_fix_high,
              sources=("fixations_per_second", "sleep_teen", "essay_waking_hours"))

    laion = row("laion2b_en").value
    steps = [row(i).value for i in ("sd_v1_1_steps_256", "sd_v1_1_steps_512", "sd_v1_2_steps", "sd_v1_4_steps")]
    seen = out.value("sd_v1_4_samples_seen", samples_seen(steps, row("sd_v1_batch").value), "samples",
                     f"Training samples drawn by SD v1-4 over its four stages ({fmt(sum(steps))} steps × "
                     f"{row('sd_v1_batch').value:,.0f})",
                     sources=("sd_v1_1_steps_256", "sd_v1_1_steps_512", "sd_v1_2_steps", "sd_v1_4_steps",
                              "sd_v1_batch"))
    out.value("sd_v1_4_steps_total", sum(steps), "steps", "Optimizer steps of SD v1-4, all stages")
    years_essay = out.value("years_to_match_sd_essay", years_to_see(laion, essay_ips, essay_hours), "years",
                            f"Years to see LAION-2B-en's {fmt(laion)} images at {essay_ips:g} images/s, {essay_hours:g} h/day",
                            sources=("laion2b_en", "essay_images_per_second", "essay_waking_hours"))
    years_fix_low = years_to_see(laion, fixations, waking_high)
    years_fix_high = years_to_see(laion, fixations, waking_low)
    out.value("years_to_match_sd_fixations", math.sqrt(years_fix_low * years_fix_high), "years",
              f"Years to see {fmt(laion)} images at one image per fixation ({fixations:g}/s), {awake} waking h/day",
              low=years_fix_low, high=years_fix_high, sources=("laion2b_en", "fixations_per_second", "sleep_teen"))

    sensitivity = []
    for rate in ctx.params["distinct_images_per_second"]:
        for hours in (waking_low, waking_high):
            sensitivity.append({"distinct_images_per_second": rate, "waking_hours_per_day": hours,
                                "years_to_see_laion2b_en": years_to_see(laion, rate, hours)})
    out.table("years_vs_rate", sensitivity,
              "Years to see as many images as LAION-2B-en, by distinct images per second")

    ctx.step("language: words by age 13 and 20 against LLM training tokens")
    words_day = row("child_words_per_day")
    for age in ages:
        low, high = total_by_age(words_day.low, age), total_by_age(words_day.high, age)
        out.value(f"words_heard_by_{age}", math.sqrt(low * high), "words",
                  f"Adult words heard by age {age}, carrying infants' day-long counts forward (geometric middle)",
                  low=low, high=high, sources=("child_words_per_day",))
    reading_ceiling = out.value(
        "words_read_ceiling_by_20", total_by_age(row("reading_rate").value * 60 * essay_hours, adult_age), "words",
        f"Ceiling: silent reading at {row('reading_rate').value:g} words/min for every waking hour "
        f"({essay_hours:g} h/day) from birth to {adult_age}",
        sources=("reading_rate", "essay_waking_hours"))
    human_words_low = total_by_age(words_day.low, adult_age)
    words_per_token = row("words_per_token").value
    llms = [("GPT-3 (2020)", "gpt3_tokens"), ("Chinchilla (2022)", "chinchilla_tokens"),
            ("Llama 2 (2023)", "llama2_tokens"), ("Llama 3 (2024)", "llama3_tokens")]
    language_rows = [
        {"what": "Words heard by 13 (infant counts carried forward)", "kind": "person",
         "low": total_by_age(words_day.low, 13), "high": total_by_age(words_day.high, 13), "source": "child_words_per_day"},
        {"what": "BabyLM: children learn language from under", "kind": "person",
         "low": row("babylm_words").value, "high": row("babylm_words").value, "source": "babylm_words"},
        {"what": f"Words heard by {adult_age}", "kind": "person",
         "low": human_words_low, "high": total_by_age(words_day.high, adult_age), "source": "child_words_per_day"},
        {"what": f"Ceiling: reading every waking hour to {adult_age}", "kind": "person",
         "low": reading_ceiling, "high": reading_ceiling, "source": "reading_rate"},
    ]
    for label, row_id in llms:
        words = row(row_id).value * words_per_token
        key = row_id.removesuffix("_tokens")
        out.value(f"{key}_training_words", words, "words",
                  f"{label} training tokens × {words_per_token:g} words/token", sources=(row_id, "words_per_token"))
        low_oom, high_oom = orders_of_magnitude(words / reading_ceiling), orders_of_magnitude(words / human_words_low)
        out.value(f"{key}_orders_above_person", (low_oom + high_oom) / 2, "orders of magnitude",
                  f"{label} training words over a person's words by {adult_age} (reading ceiling to words heard)",
                  low=low_oom, high=high_oom, sources=(row_id, "words_per_token", "child_words_per_day", "reading_rate"))
        language_rows.append({"what": f"{label} training set", "kind": "model", "low": words, "high": words,
                              "source": row_id})
    out.table("language", language_rows, "Words: a person by age 13 and 20 against LLM training sets (words)")

    ctx.step("audio: hours heard by 20 against Whisper's 680,000 hours")
    whisper = row("whisper_hours").value
    hearing_low, hearing_high = total_by_age(waking_low, adult_age), total_by_age(waking_high, adult_age)
    out.value("waking_hours_by_20", math.sqrt(hearing_low * hearing_high), "hours",
              f"Every waking hour to age {adult_age} at {awake} h/day: a ceiling on sound heard",
              low=hearing_low, high=hearing_high, sources=("sleep_teen", "essay_waking_hours"))
    speech = row("oral_reading_rate").value
    speech_low = hours_of_speech(words_day.low, speech, adult_age)
    speech_high = hours_of_speech(words_day.high, speech, adult_age)
    out.value("speech_hours_by_20", math.sqrt(speech_low * speech_high), "hours",
              f"Hours of speech heard by {adult_age}: words heard per day ÷ {row('oral_reading_rate').value:g} words/min",
              low=speech_low, high=speech_high, sources=("child_words_per_day", "oral_reading_rate"))
    out.value("whisper_over_waking_hours", whisper / math.sqrt(hearing_low * hearing_high), "×",
              "Whisper's training audio over every waking hour to 20", low=whisper / hearing_high,
              high=whisper / hearing_low, sources=("whisper_hours",))

    ctx.step("all modalities: training set over one person's exposure by age 20")
    images_low, images_high = per_year_fix_low * adult_age, per_year * adult_age
    out.value("images_seen_by_20", math.sqrt(images_low * images_high), "images",
              f"Images seen by {adult_age}: one per fixation at {waking_low:g} h/day up to the essay's {essay_ips:g}/s "
              f"at {essay_hours:g} h/day",
              low=images_low, high=images_high)
    ratio_rows = [
        ("Stable Diffusion v1: LAION-2B-en images", "vision", laion, images_low, images_high,
         f"images seen by {adult_age} ({fixations:g}/s at {waking_low:g} h/day to {essay_ips:g}/s at {essay_hours:g} h/day)"),
        ("Stable Diffusion v1-4: samples drawn in training", "vision", seen, images_low, images_high,
         f"images seen by {adult_age}"),
        ("Whisper: audio hours vs every waking hour", "audio", whisper, hearing_low, hearing_high,
         f"waking hours to {adult_age} ({awake} h/day)"),
        ("Whisper: audio hours vs speech heard", "audio", whisper, speech_low, speech_high,
         f"hours of speech heard to {adult_age}"),
    ]
    for label, row_id in llms:
        ratio_rows.append((f"{label}: training words", "language", row(row_id).value * words_per_token,
                           human_words_low, reading_ceiling, f"words by {adult_age} (heard, up to the reading ceiling)"))
    headline = []
    for label, modality, data, person_low, person_high, against in ratio_rows:
        low, high = data / person_high, data / person_low
        headline.append({"training_set": label, "modality": modality, "ratio_low": low, "ratio_high": high,
                         "ratio_mid": math.sqrt(low * high), "against": against})
    out.table("headline", headline, "Training set ÷ one person's exposure by age 20, per modality")
    for modality in ("vision", "audio", "language"):
        rows = [r for r in headline if r["modality"] == modality]
        low, high = min(r["ratio_low"] for r in rows), max(r["ratio_high"] for r in rows)
        out.value(f"{modality}_ratio", math.sqrt(low * high), "×",
                  f"Training set over a person's exposure by {adult_age}, {modality} (range over its rows)",
                  low=low, high=high)

    ctx.step("checking the sources' own figures")
    checks = []

    def check(claim_id: str, claim: str, found_low: float, found_high: float, found_text: str) -> None:
        c = row(claim_id)
        tier, factor = verdict(*c.range, found_low, found_high)
        detail = "" if tier == "holds" else f" ({factor:.2g}× apart)"
        checks.append({"claim": claim, "source": c.source.split(",")[0], "url": c.url,
                       "we_find": found_text, "verdict": tier + detail})
        out.value(f"check_{claim_id}_factor", factor, "×", f"Distance between the claim and our figure: {claim}")

    check("essay_images_per_year", "230 million images per year", per_year, per_year,
          f"{fmt(per_year)} at {essay_ips:g} images/s for {essay_hours:g} h a day ({DAYS_PER_YEAR}-day year)")
    check("essay_sd_dataset", "Stable Diffusion's training set is 2 billion images", laion, seen,
          f"LAION-2B-en has {laion / 1e9:.2f} billion pairs; SD v1-4 drew {seen / 1e9:.2f} billion samples in "
          "training, most later ones from subsets of 600 million or fewer")
    check("essay_years_to_match", "a person matches that after 10 years", years_essay, years_essay,
          f"{years_essay:.1f} years at the essay's rates; {years_fix_low:.0f}-{years_fix_high:.0f} years at one "
          "image per fixation")
    essay_era = [row("gpt3_tokens").value, row("chinchilla_tokens").value]
    for claim_id, phrase in (("essay_llm_tokens_blog", "LLMs are fed tens of billions of tokens (beren.io text)"),
                             ("essay_llm_tokens_lesswrong",
                              "LLMs are fed hundreds of billions to trillions of tokens (LessWrong text)")):
        check(claim_id, phrase, min(essay_era), max(essay_era),
              f"GPT-3 {essay_era[0] / 1e9:.0f} billion, Chinchilla {essay_era[1] / 1e12:.1f} trillion tokens "
              "(the large LLMs published before the essay)")
    chinchilla_words = row("chinchilla_tokens").value * words_per_token
    by13_low, by13_high = total_by_age(words_day.low, 13), total_by_age(words_day.high, 13)
    oom_low, oom_high = orders_of_magnitude(chinchilla_words / by13_high), orders_of_magnitude(chinchilla_words / by13_low)
    check("frank_data_gap", "LLMs get 4-5 orders of magnitude more language than children (Frank 2023)",
          oom_low, oom_high, f"Chinchilla's words over a 13-year-old's: {oom_low:.1f}-{oom_high:.1f} orders of magnitude")
    out.table("checks", checks, "The sources' exposure figures, checked")

    ctx.step("charts")
    width = 560
    vision, audio, language = ((out.values[f"{m}_ratio"]["low"], out.values[f"{m}_ratio"]["high"])
                               for m in ("vision", "audio", "language"))
    tooltip = [alt.Tooltip("training_set:N", title="training set"),
               alt.Tooltip("ratio_low:Q", title="low", format=".3~s"),
               alt.Tooltip("ratio_high:Q", title="high", format=".3~s"),
               alt.Tooltip("against:N", title="person's exposure")]
    base = alt.Chart(alt.Data(values=headline)).encode(
        y=alt.Y("training_set:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
        color=alt.Color("modality:N", scale=alt.Scale(domain=["vision", "audio", "language"],
                                                      range=["#1f77b4", "#2ca02c", "#d62728"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=tooltip)
    scale = alt.Scale(type="log", domain=[0.1, 1e6])
    bars = base.mark_rule(strokeWidth=6, strokeCap="round").encode(
        x=alt.X("ratio_low:Q", scale=scale, title="Training set ÷ one person's exposure by age 20 (log scale)",
                axis=alt.Axis(values=[0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6],
                              labelExpr="(datum.value < 1 ? format(datum.value, '~g') : format(datum.value, '~s')) + '×'")),
        x2="ratio_high:Q")
    parity = alt.Chart(alt.Data(values=[{"x": 1}])).mark_rule(strokeDash=[4, 3], color="gray").encode(x="x:Q")
    out.chart("headline", (parity + bars).properties(width=width, height=220),
              "Training data against one person's first 20 years",
              f"Horizontal bars on a log scale, one per training set, spanning the low and high estimate of how "
              f"many times a person's exposure by age {adult_age} it holds. Vision sets sit near 1 "
              f"({fmt(vision[0])} to {fmt(vision[1])} times); Whisper holds {fmt(audio[0])} to {fmt(audio[1])} "
              f"times what a person hears; LLM training sets hold {fmt(language[0])} to {fmt(language[1])} "
              "times the words a person meets.", data="headline")

    lines = alt.Chart(alt.Data(values=sensitivity)).mark_line(point=True).encode(
        x=alt.X("distinct_images_per_second:Q", scale=alt.Scale(type="log"),
                title="Distinct images taken in per waking second (log scale)", axis=alt.Axis(format="~g")),
        y=alt.Y("years_to_see_laion2b_en:Q", scale=alt.Scale(type="log"),
                title="Years to see 2.32 billion images (log scale)", axis=alt.Axis(format="~s")),
        color=alt.Color("waking_hours_per_day:O", title="waking h/day", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("distinct_images_per_second:Q", title="images/s"),
                 alt.Tooltip("waking_hours_per_day:Q", title="waking h/day"),
                 alt.Tooltip("years_to_see_laion2b_en:Q", title="years", format=".3~r")])
    marks = [{"rate": essay_ips, "label": f"essay: {essay_ips:g}/s"},
             {"rate": fixations, "label": f"fixations: {fixations:g}/s"}]
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[4, 3], color="gray").encode(x="rate:Q")
    labels = alt.Chart(alt.Data(values=marks)).mark_text(align="right", dx=-4, dy=-90, color="gray").encode(
        x="rate:Q", text="label:N")
    out.chart("years_vs_rate", (lines + rules + labels).properties(width=width, height=260),
              "How long a person needs to see Stable Diffusion's images",
              "Log-log lines of years needed to see 2.32 billion images against how many distinct images a "
              f"person takes in per second, for {waking_low:g} and {waking_high:g} waking hours a day. At the "
              f"essay's {essay_ips:g} per second it takes {years_essay:.1f} years; at one image per eye fixation "
              f"{years_fix_low:.0f} to {years_fix_high:.0f} years.", data="years_vs_rate")

    language_chart = alt.Chart(alt.Data(values=language_rows)).mark_rule(strokeWidth=6, strokeCap="round").encode(
        y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("low:Q", scale=alt.Scale(type="log"), title="Words (log scale)", axis=alt.Axis(format="~s")),
        x2="high:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["person", "model"], range=["#7f7f7f", "#d62728"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("low:Q", format=".3~s"), alt.Tooltip("high:Q", format=".3~s"),
                 alt.Tooltip("source:N", title="catalog row")])
    out.chart("language", language_chart.properties(width=width, height=220),
              "Words a person meets against words an LLM is trained on",
              f"Bars on a log scale: a person hears {fmt(by13_low)} to {fmt(by13_high)} words by 13 and "
              f"{fmt(human_words_low)} to {fmt(total_by_age(words_day.high, adult_age))} by {adult_age}; reading "
              f"every waking hour caps out near {fmt(reading_ceiling)}. GPT-3 trained on about "
              f"{fmt(row('gpt3_tokens').value * words_per_token)} words and Llama 3 on over "
              f"{fmt(row('llama3_tokens').value * words_per_token)}.", data="language")
