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

``run`` reads the catalog figures once (``load_inputs``), works out each
modality in turn (plain functions that return dataclasses, no side effects),
checks the sources' own figures, records everything, and draws the charts last
(``_charts``).
"""

import dataclasses
import math

from analyses._checks import FactCheck, fact_check
from analyses._explorable import Control, Output, explorable, over, vega
from analyses._format import format_number as fmt
from analyses._style import MODALITY_COLOURS, NEUTRAL, modality_scale

DAYS_PER_YEAR = 365.25  # Julian year; the essay's "per year" does not say which year it means
SECONDS_PER_HOUR = 3600
# The two ages a person's exposure is totalled at. The page's prose is written for them ("by 13", "by 20"),
# so they are constants, not parameters.
CHILD_AGE = 13  # the BabyLM organisers' bound: children learn language from under 100 million words by about 13
ADULT_AGE = 20  # a young adult, past schooling: the person every training set is measured against


# ---------------------------------------------------------------- pure arithmetic

# These two are also computed in the page, where a reader can change the rate and the hours (the chart
# years_vs_rate): each carries its formula as a Vega expression, checked against it by tests/test_browser.py.
@vega(f"images_per_second * {SECONDS_PER_HOUR} * waking_hours * {DAYS_PER_YEAR}")
def images_per_year(images_per_second: float, waking_hours: float) -> float:
    """10 images/s for 18 h/day -> 236,682,000 images/year."""
    return images_per_second * SECONDS_PER_HOUR * waking_hours * DAYS_PER_YEAR


@vega(f"images / (images_per_second * {SECONDS_PER_HOUR} * waking_hours * {DAYS_PER_YEAR})")
def years_to_see(images: float, images_per_second: float, waking_hours: float) -> float:
    """Years of looking needed to take in ``images`` images."""
    return images / images_per_year(images_per_second, waking_hours)


def total_by_age(per_day: float, years: float) -> float:
    """A daily amount accumulated over ``years`` years."""
    return per_day * DAYS_PER_YEAR * years


# The reader's words (the chart "language"): words heard by ADULT_AGE at their rate, and how many orders of
# magnitude more the chosen LLM trained on. ``models`` maps an LLM's label to its training words.
@vega(f"words_per_day * {DAYS_PER_YEAR} * age")
def words_heard(words_per_day: float, age: float) -> float:
    return total_by_age(words_per_day, age)


@vega(f"log(models[model] / ({words_heard.vega})) / LN10")
def orders_above_heard(model: str, models: dict, words_per_day: float, age: float) -> float:
    return orders_of_magnitude(models[model] / words_heard(words_per_day, age))


def hours_of_speech(words_per_day: float, words_per_minute: float, years: float) -> float:
    """Hours of speech heard: words ÷ speaking rate, accumulated over ``years``."""
    return total_by_age(words_per_day / words_per_minute / 60, years)


def samples_seen(steps: list[float], batch_size: float) -> float:
    """Training examples drawn over all steps (repeats counted): sum(steps) × batch."""
    return sum(steps) * batch_size


def orders_of_magnitude(ratio: float) -> float:
    return math.log10(ratio)


# ---------------------------------------------------------------- records

@dataclasses.dataclass(frozen=True)
class Range:
    low: float
    high: float

    @property
    def middle(self) -> float:
        """Geometric middle: these ranges span up to orders of magnitude."""
        return math.sqrt(self.low * self.high)


@dataclasses.dataclass(frozen=True)
class Value:
    """One named number of results.json: the arguments of Results.value."""
    key: str
    value: float
    unit: str
    label: str
    low: float | None = None
    high: float | None = None
    sources: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class LLM:
    key: str          # its values are <key>_training_words and <key>_orders_above_person
    label: str
    tokens_row: str   # catalog row of its training tokens


LLMS = (LLM("gpt3", "GPT-3 (2020)", "gpt3_tokens"), LLM("chinchilla", "Chinchilla (2022)", "chinchilla_tokens"),
        LLM("llama2", "Llama 2 (2023)", "llama2_tokens"), LLM("llama3", "Llama 3 (2024)", "llama3_tokens"))
SD_V1_4_STAGES = ("sd_v1_1_steps_256", "sd_v1_1_steps_512", "sd_v1_2_steps", "sd_v1_4_steps")  # model card
CLAIMS = ("essay_images_per_year", "essay_sd_dataset", "essay_years_to_match", "essay_llm_tokens_blog",
          "essay_llm_tokens_lesswrong", "frank_data_gap")


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The catalog figures (analyses/catalog/exposure.yaml), read once."""
    essay_images_per_second: float
    essay_waking_hours: float
    waking_hours: Range            # 24 h less the most sleep recommended to teenagers, up to the essay's figure
    fixations_per_second: float
    laion2b_en: float
    laion_aesthetics_5plus: float  # the largest subset SD v1's later stages drew from
    sd_v1_4_steps: list[float]     # per stage, SD_V1_4_STAGES
    sd_v1_batch: float
    words_per_day: Range           # adult words heard per day
    words_per_day_display: float   # the catalog's round middle of that range
    babylm_words: float
    reading_rate: float            # silent, words/min
    oral_reading_rate: float       # aloud, words/min: our proxy for speech heard
    whisper_hours: float
    llm_tokens: dict[str, float]   # by LLM.key
    words_per_token: float
    claims: dict                   # catalog rows (analyses.catalog.Row) of the sources' claims, by id


@dataclasses.dataclass(frozen=True)
class RateRow:
    distinct_images_per_second: float
    waking_hours_per_day: float
    years_to_see_laion2b_en: float


@dataclasses.dataclass(frozen=True)
class WordsRow:
    what: str
    kind: str       # "person" or "model"
    low: float
    high: float
    source: str     # catalog row


@dataclasses.dataclass(frozen=True)
class HeadlineRow:
    training_set: str
    modality: str
    ratio_low: float
    ratio_high: float
    ratio_mid: float
    against: str


@dataclasses.dataclass(frozen=True)
class Images:
    per_year_essay: float
    per_year_fixations: Range
    samples_seen: float            # by SD v1-4, repeats counted
    years_essay: float             # to see LAION-2B-en at the essay's rates
    years_fixations: Range         # ... at one image per fixation
    by_rate: list[RateRow]
    values: list[Value]


@dataclasses.dataclass(frozen=True)
class Words:
    heard_by_child: Range
    heard_by_adult: Range
    reading_ceiling: float         # reading every waking hour to ADULT_AGE
    training_words: dict[str, float]  # by LLM.key
    rows: list[WordsRow]
    values: list[Value]


@dataclasses.dataclass(frozen=True)
class Audio:
    waking_hours: Range            # to ADULT_AGE: a ceiling on sound heard
    speech_hours: Range            # to ADULT_AGE
    values: list[Value]


@dataclasses.dataclass(frozen=True)
class Headline:
    rows: list[HeadlineRow]
    by_modality: dict[str, Range]  # range of the ratio over each modality's rows
    values: list[Value]


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    out = ctx.results
    inputs = load_inputs(ctx.row)

    ctx.step("images: the essay's arithmetic and its sensitivity to the sampling rate")
    images = image_exposure(inputs, ctx.params["distinct_images_per_second"])
    ctx.step(f"language: words by age {CHILD_AGE} and {ADULT_AGE} against LLM training tokens")
    words = word_exposure(inputs)
    ctx.step(f"audio: hours heard by {ADULT_AGE} against Whisper's {inputs.whisper_hours:,.0f} hours")
    audio = audio_exposure(inputs)
    ctx.step(f"all modalities: training set over one person's exposure by age {ADULT_AGE}")
    headline = headline_ratios(inputs, images, words, audio)
    ctx.step("checking the sources' own figures")
    checks, check_values = fact_checks(inputs, images, words)

    for v in images.values + words.values + audio.values + headline.values + check_values:
        out.value(v.key, v.value, v.unit, v.label, low=v.low, high=v.high, sources=v.sources)
    out.table("years_vs_rate", _dicts(images.by_rate),
              "Years to see as many images as LAION-2B-en, by distinct images per second")
    out.table("language", _dicts(words.rows),
              f"Words: a person by age {CHILD_AGE} and {ADULT_AGE} against LLM training sets (words)")
    out.table("headline", _dicts(headline.rows),
              f"Training set ÷ one person's exposure by age {ADULT_AGE}, per modality")
    out.table("checks", [c.row() for c in checks], "The sources' exposure figures, checked")

    ctx.step("charts")
    _charts(ctx, inputs, images, words, headline)


def _dicts(rows: list) -> list[dict]:
    return [dataclasses.asdict(r) for r in rows]


def load_inputs(row) -> Inputs:
    """Every catalog figure the analysis uses; ``row`` looks one up by id (ctx.row)."""
    essay_hours = row("essay_waking_hours").value
    words_day = row("child_words_per_day")
    return Inputs(
        essay_images_per_second=row("essay_images_per_second").value,
        essay_waking_hours=essay_hours,
        # Most sleep recommended to teenagers at one end, the essay's own, generous figure at the other.
        waking_hours=Range(24 - row("sleep_teen").high, essay_hours),
        fixations_per_second=row("fixations_per_second").value,
        laion2b_en=row("laion2b_en").value,
        laion_aesthetics_5plus=row("laion_aesthetics_5plus").value,
        sd_v1_4_steps=[row(i).value for i in SD_V1_4_STAGES],
        sd_v1_batch=row("sd_v1_batch").value,
        words_per_day=Range(words_day.low, words_day.high),
        words_per_day_display=words_day.value,
        babylm_words=row("babylm_words").value,
        reading_rate=row("reading_rate").value,
        oral_reading_rate=row("oral_reading_rate").value,
        whisper_hours=row("whisper_hours").value,
        llm_tokens={llm.key: row(llm.tokens_row).value for llm in LLMS},
        words_per_token=row("words_per_token").value,
        claims={claim_id: row(claim_id) for claim_id in CLAIMS},
    )


def image_exposure(inputs: Inputs, distinct_images_per_second: list[float]) -> Images:
    """The essay's images per year and years to see LAION-2B-en, against one image per fixation."""
    ips, hours, fixations = inputs.essay_images_per_second, inputs.essay_waking_hours, inputs.fixations_per_second
    waking, laion, steps = inputs.waking_hours, inputs.laion2b_en, inputs.sd_v1_4_steps
    awake = f"{waking.low:g}-{waking.high:g}"
    per_year = images_per_year(ips, hours)
    per_year_fixations = Range(images_per_year(fixations, waking.low), images_per_year(fixations, waking.high))
    seen = samples_seen(steps, inputs.sd_v1_batch)
    years_essay = years_to_see(laion, ips, hours)
    years_fixations = Range(years_to_see(laion, fixations, waking.high), years_to_see(laion, fixations, waking.low))
    by_rate = [RateRow(rate, h, years_to_see(laion, rate, h))
               for rate in distinct_images_per_second for h in (waking.low, waking.high)]
    values = [
        Value("waking_hours_per_day", (waking.low + waking.high) / 2, "hours/day",
              f"Waking hours a day: 24 h less the most sleep recommended to teenagers, up to the essay's {hours:g} h",
              waking.low, waking.high, ("sleep_teen", "essay_waking_hours")),
        Value("images_per_year_essay", per_year, "images/year",
              f"Images per year at the essay's {ips:g} images/s and {hours:g} waking h/day",
              sources=("essay_images_per_second", "essay_waking_hours")),
        Value("images_per_year_fixations", per_year_fixations.middle, "images/year",
              f"Images per year if each fixation ({fixations:g}/s) is one image, {awake} waking h/day "
              "(geometric middle)", per_year_fixations.low, per_year_fixations.high,
              ("fixations_per_second", "sleep_teen", "essay_waking_hours")),
        Value("sd_v1_4_samples_seen", seen, "samples",
              f"Training samples drawn by SD v1-4 over its four stages ({fmt(sum(steps))} steps × "
              f"{inputs.sd_v1_batch:,.0f})", sources=(*SD_V1_4_STAGES, "sd_v1_batch")),
        Value("sd_v1_4_steps_total", sum(steps), "steps", "Optimizer steps of SD v1-4, all stages"),
        Value("years_to_match_sd_essay", years_essay, "years",
              f"Years to see LAION-2B-en's {fmt(laion)} images at {ips:g} images/s, {hours:g} h/day",
              sources=("laion2b_en", "essay_images_per_second", "essay_waking_hours")),
        Value("years_to_match_sd_fixations", years_fixations.middle, "years",
              f"Years to see {fmt(laion)} images at one image per fixation ({fixations:g}/s), {awake} waking h/day",
              years_fixations.low, years_fixations.high, ("laion2b_en", "fixations_per_second", "sleep_teen")),
    ]
    return Images(per_year, per_year_fixations, seen, years_essay, years_fixations, by_rate, values)


def training_words_by_label(inputs: Inputs) -> dict[str, float]:
    """Each LLM's training tokens in words, by its label: the choices of the explorable words chart."""
    return {llm.label: inputs.llm_tokens[llm.key] * inputs.words_per_token for llm in LLMS}


def word_exposure(inputs: Inputs) -> Words:
    """Words a person hears by CHILD_AGE and ADULT_AGE (and could read), against LLM training sets in words."""
    per_day, words_per_token = inputs.words_per_day, inputs.words_per_token
    heard = {age: Range(total_by_age(per_day.low, age), total_by_age(per_day.high, age))
             for age in (CHILD_AGE, ADULT_AGE)}
    reading_ceiling = total_by_age(inputs.reading_rate * 60 * inputs.essay_waking_hours, ADULT_AGE)
    values = [Value(f"words_heard_by_{age}", r.middle, "words",
                    f"Adult words heard by age {age}, carrying infants' day-long counts forward (geometric middle)",
                    r.low, r.high, ("child_words_per_day",)) for age, r in heard.items()]
    values.append(Value(f"words_read_ceiling_by_{ADULT_AGE}", reading_ceiling, "words",
                        f"Ceiling: silent reading at {inputs.reading_rate:g} words/min for every waking hour "
                        f"({inputs.essay_waking_hours:g} h/day) from birth to {ADULT_AGE}",
                        sources=("reading_rate", "essay_waking_hours")))
    # At the round middle of the cited range: the explorable chart's default.
    reader = {"model": LLMS[-1].label, "models": training_words_by_label(inputs),
              "words_per_day": inputs.words_per_day_display, "age": ADULT_AGE}
    values += [
        Value(f"reader_words_heard_by_{ADULT_AGE}", words_heard(reader["words_per_day"], ADULT_AGE), "words",
              f"Words heard by {ADULT_AGE} at {reader['words_per_day']:,.0f} words/day, the explorable chart's "
              "default", sources=("child_words_per_day",)),
        Value("reader_orders_above_heard", orders_above_heard(**reader), "orders of magnitude",
              f"{reader['model']} training words over words heard by {ADULT_AGE} at "
              f"{reader['words_per_day']:,.0f} words/day, the explorable chart's default",
              sources=(LLMS[-1].tokens_row, "words_per_token", "child_words_per_day"))]
    rows = [
        WordsRow(f"Words heard by {CHILD_AGE} (infant counts carried forward)", "person",
                 heard[CHILD_AGE].low, heard[CHILD_AGE].high, "child_words_per_day"),
        WordsRow("BabyLM: children learn language from under", "person",
                 inputs.babylm_words, inputs.babylm_words, "babylm_words"),
        WordsRow(f"Words heard by {ADULT_AGE}", "person",
                 heard[ADULT_AGE].low, heard[ADULT_AGE].high, "child_words_per_day"),
        WordsRow(f"Ceiling: reading every waking hour to {ADULT_AGE}", "person",
                 reading_ceiling, reading_ceiling, "reading_rate"),
    ]
    training_words = {llm.key: inputs.llm_tokens[llm.key] * words_per_token for llm in LLMS}
    for llm in LLMS:
        words = training_words[llm.key]
        # From the most a person could read (fewest orders above) to the least they hear (most).
        orders = Range(orders_of_magnitude(words / reading_ceiling), orders_of_magnitude(words / heard[ADULT_AGE].low))
        values += [
            Value(f"{llm.key}_training_words", words, "words",
                  f"{llm.label} training tokens × {words_per_token:g} words/token",
                  sources=(llm.tokens_row, "words_per_token")),
            Value(f"{llm.key}_orders_above_person", (orders.low + orders.high) / 2, "orders of magnitude",
                  f"{llm.label} training words over a person's words by {ADULT_AGE} (reading ceiling to words heard)",
                  orders.low, orders.high, (llm.tokens_row, "words_per_token", "child_words_per_day", "reading_rate")),
        ]
        rows.append(WordsRow(f"{llm.label} training set", "model", words, words, llm.tokens_row))
    return Words(heard[CHILD_AGE], heard[ADULT_AGE], reading_ceiling, training_words, rows, values)


def audio_exposure(inputs: Inputs) -> Audio:
    """Hours a person is awake, and hears speech, by ADULT_AGE, against Whisper's training hours."""
    waking, per_day, speech_rate = inputs.waking_hours, inputs.words_per_day, inputs.oral_reading_rate
    waking_hours = Range(total_by_age(waking.low, ADULT_AGE), total_by_age(waking.high, ADULT_AGE))
    speech_hours = Range(hours_of_speech(per_day.low, speech_rate, ADULT_AGE),
                         hours_of_speech(per_day.high, speech_rate, ADULT_AGE))
    whisper = inputs.whisper_hours
    values = [
        Value(f"waking_hours_by_{ADULT_AGE}", waking_hours.middle, "hours",
              f"Every waking hour to age {ADULT_AGE} at {waking.low:g}-{waking.high:g} h/day: a ceiling on sound heard",
              waking_hours.low, waking_hours.high, ("sleep_teen", "essay_waking_hours")),
        Value(f"speech_hours_by_{ADULT_AGE}", speech_hours.middle, "hours",
              f"Hours of speech heard by {ADULT_AGE}: words heard per day ÷ {speech_rate:g} words/min",
              speech_hours.low, speech_hours.high, ("child_words_per_day", "oral_reading_rate")),
        Value("whisper_over_waking_hours", whisper / waking_hours.middle, "×",
              f"Whisper's training audio over every waking hour to {ADULT_AGE}",
              whisper / waking_hours.high, whisper / waking_hours.low, ("whisper_hours",)),
    ]
    return Audio(waking_hours, speech_hours, values)


def ratio_row(training_set: str, modality: str, data: float, person: Range, against: str) -> HeadlineRow:
    """A training set over one person's exposure, ``person`` (same unit)."""
    low, high = data / person.high, data / person.low
    return HeadlineRow(training_set, modality, low, high, math.sqrt(low * high), against)


def headline_ratios(inputs: Inputs, images: Images, words: Words, audio: Audio) -> Headline:
    """Each training set over one person's exposure by ADULT_AGE, in the modality's own unit."""
    ips, hours, waking = inputs.essay_images_per_second, inputs.essay_waking_hours, inputs.waking_hours
    seen_by_adult = Range(images.per_year_fixations.low * ADULT_AGE, images.per_year_essay * ADULT_AGE)
    words_by_adult = Range(words.heard_by_adult.low, words.reading_ceiling)
    rows = [
        ratio_row("Stable Diffusion v1: LAION-2B-en images", "vision", inputs.laion2b_en, seen_by_adult,
                  f"images seen by {ADULT_AGE} ({inputs.fixations_per_second:g}/s at {waking.low:g} h/day to "
                  f"{ips:g}/s at {hours:g} h/day)"),
        ratio_row("Stable Diffusion v1-4: samples drawn in training", "vision", images.samples_seen, seen_by_adult,
                  f"images seen by {ADULT_AGE}"),
        ratio_row("Whisper: audio hours vs every waking hour", "audio", inputs.whisper_hours, audio.waking_hours,
                  f"waking hours to {ADULT_AGE} ({waking.low:g}-{waking.high:g} h/day)"),
        ratio_row("Whisper: audio hours vs speech heard", "audio", inputs.whisper_hours, audio.speech_hours,
                  f"hours of speech heard to {ADULT_AGE}"),
        *(ratio_row(f"{llm.label}: training words", "language", words.training_words[llm.key], words_by_adult,
                    f"words by {ADULT_AGE} (heard, up to the reading ceiling)") for llm in LLMS),
    ]
    by_modality = {m: Range(min(r.ratio_low for r in rows if r.modality == m),
                            max(r.ratio_high for r in rows if r.modality == m))
                   for m in ("vision", "audio", "language")}
    values = [Value(f"images_seen_by_{ADULT_AGE}", seen_by_adult.middle, "images",
                    f"Images seen by {ADULT_AGE}: one per fixation at {waking.low:g} h/day up to the essay's "
                    f"{ips:g}/s at {hours:g} h/day", seen_by_adult.low, seen_by_adult.high)]
    values += [Value(f"{m}_ratio", r.middle, "×",
                     f"Training set over a person's exposure by {ADULT_AGE}, {m} (range over its rows)", r.low, r.high)
               for m, r in by_modality.items()]
    return Headline(rows, by_modality, values)


def fact_checks(inputs: Inputs, images: Images, words: Words) -> tuple[list[FactCheck], list[Value]]:
    """The sources' figures against ours; with each, a value for how far apart they are."""
    claims, tokens = inputs.claims, inputs.llm_tokens
    per_year, years, seen, laion = images.per_year_essay, images.years_essay, images.samples_seen, inputs.laion2b_en
    essay_era = Range(tokens["gpt3"], tokens["chinchilla"])  # the large LLMs published before the essay
    essay_era_text = (f"GPT-3 {tokens['gpt3'] / 1e9:.0f} billion, Chinchilla {tokens['chinchilla'] / 1e12:.1f} "
                      "trillion tokens (the large LLMs published before the essay)")
    child = words.heard_by_child
    gap = Range(orders_of_magnitude(words.training_words["chinchilla"] / child.high),
                orders_of_magnitude(words.training_words["chinchilla"] / child.low))
    checks = {
        "essay_images_per_year": fact_check(
            claims["essay_images_per_year"], "230 million images per year", per_year, per_year,
            f"{fmt(per_year)} at {inputs.essay_images_per_second:g} images/s for {inputs.essay_waking_hours:g} h "
            f"a day ({DAYS_PER_YEAR}-day year)"),
        "essay_sd_dataset": fact_check(
            claims["essay_sd_dataset"], "Stable Diffusion's training set is 2 billion images", laion, seen,
            f"LAION-2B-en has {laion / 1e9:.2f} billion pairs; SD v1-4 drew {seen / 1e9:.2f} billion samples in "
            f"training, most later ones from subsets of {fmt(inputs.laion_aesthetics_5plus)} or fewer"),
        "essay_years_to_match": fact_check(
            claims["essay_years_to_match"], "a person matches that after 10 years", years, years,
            f"{years:.1f} years at the essay's rates; {images.years_fixations.low:.0f}-"
            f"{images.years_fixations.high:.0f} years at one image per fixation"),
        "essay_llm_tokens_blog": fact_check(
            claims["essay_llm_tokens_blog"], "LLMs are fed tens of billions of tokens (beren.io text)",
            essay_era.low, essay_era.high, essay_era_text),
        "essay_llm_tokens_lesswrong": fact_check(
            claims["essay_llm_tokens_lesswrong"],
            "LLMs are fed hundreds of billions to trillions of tokens (LessWrong text)",
            essay_era.low, essay_era.high, essay_era_text),
        # Frank states the gap in orders of magnitude ("four or five"): compared by difference, not ratio.
        "frank_data_gap": fact_check(
            claims["frank_data_gap"], "LLMs get 4-5 orders of magnitude more language than children (Frank 2023)",
            gap.low, gap.high,
            f"Chinchilla's words over a {CHILD_AGE}-year-old's: {gap.low:.1f}-{gap.high:.1f} orders of magnitude",
            in_orders=True),
    }
    # How far apart each claim and our figure are: × for most, orders of magnitude for Frank's claim in orders.
    units = {claim_id: "×" for claim_id in checks} | {"frank_data_gap": "orders of magnitude"}
    values = [Value(f"check_{claim_id}_factor", c.factor, units[claim_id],
                    f"Distance between the claim and our figure: {c.claim}") for claim_id, c in checks.items()]
    return list(checks.values()), values


# ---------------------------------------------------------------- charts

def _charts(ctx, inputs: Inputs, images: Images, words: Words, headline: Headline) -> None:
    import altair as alt

    out, width = ctx.results, 560
    vision, audio, language = (headline.by_modality[m] for m in ("vision", "audio", "language"))
    bars = alt.Chart(alt.Data(values=_dicts(headline.rows))).mark_rule(strokeWidth=6, strokeCap="round").encode(
        y=alt.Y("training_set:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
        color=alt.Color("modality:N", scale=modality_scale(alt), legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("training_set:N", title="training set"),
                 alt.Tooltip("ratio_low:Q", title="low", format=".3~s"),
                 alt.Tooltip("ratio_high:Q", title="high", format=".3~s"),
                 alt.Tooltip("against:N", title="person's exposure")],
        x=alt.X("ratio_low:Q", scale=alt.Scale(type="log", domain=[0.1, 1e6]),
                title=f"Training set ÷ one person's exposure by age {ADULT_AGE} (log scale)",
                axis=alt.Axis(values=[0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6],
                              labelExpr="(datum.value < 1 ? format(datum.value, '~g') : format(datum.value, '~s'))"
                                        " + '×'")),
        x2="ratio_high:Q")
    parity = alt.Chart(alt.Data(values=[{"x": 1}])).mark_rule(strokeDash=[4, 3], color="gray").encode(x="x:Q")
    out.chart("headline", (parity + bars).properties(width=width, height=220),
              f"Training data against one person's first {ADULT_AGE} years",
              f"Horizontal bars on a log scale, one per training set, spanning the low and high estimate of how "
              f"many times a person's exposure by age {ADULT_AGE} it holds. Vision sets sit near 1 "
              f"({fmt(vision.low)} to {fmt(vision.high)} times); Whisper holds {fmt(audio.low)} to {fmt(audio.high)} "
              f"times what a person hears; LLM training sets hold {fmt(language.low)} to {fmt(language.high)} "
              "times the words a person meets.", data="headline")

    ips, fixations, waking, laion = (inputs.essay_images_per_second, inputs.fixations_per_second,
                                     inputs.waking_hours, fmt(inputs.laion2b_en))
    lines = alt.Chart(alt.Data(values=_dicts(images.by_rate))).mark_line(point=True).encode(
        x=alt.X("distinct_images_per_second:Q", scale=alt.Scale(type="log"),
                title="Distinct images taken in per waking second (log scale)", axis=alt.Axis(format="~g")),
        y=alt.Y("years_to_see_laion2b_en:Q", scale=alt.Scale(type="log"),
                title=f"Years to see {laion} images (log scale)", axis=alt.Axis(format="~s")),
        color=alt.Color("waking_hours_per_day:O", title="waking h/day", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("distinct_images_per_second:Q", title="images/s"),
                 alt.Tooltip("waking_hours_per_day:Q", title="waking h/day"),
                 alt.Tooltip("years_to_see_laion2b_en:Q", title="years", format=".3~r")])
    marks = [{"rate": ips, "label": f"essay: {ips:g}/s"}, {"rate": fixations, "label": f"fixations: {fixations:g}/s"}]
    rules = alt.Chart(alt.Data(values=marks)).mark_rule(strokeDash=[4, 3], color="gray").encode(x="rate:Q")
    labels = alt.Chart(alt.Data(values=marks)).mark_text(align="right", dx=-4, dy=-90, color="gray").encode(
        x="rate:Q", text="label:N")
    reader = _reader_layers(alt, inputs, [r.distinct_images_per_second for r in images.by_rate])
    out.chart("years_vs_rate", _explorable_years(lines + rules + labels + reader, inputs).properties(
                  width=width, height=260),
              "How long a person needs to see Stable Diffusion's images",
              f"Log-log lines of years needed to see {laion} images against how many distinct images a "
              f"person takes in per second, for {waking.low:g} and {waking.high:g} waking hours a day. At the "
              f"essay's {ips:g} per second it takes {images.years_essay:.1f} years; at one image per eye fixation "
              f"{images.years_fixations.low:.0f} to {images.years_fixations.high:.0f} years. The black line and "
              f"point follow the reader's own rate and hours (controls below the chart).", data="years_vs_rate")

    child, adult = words.heard_by_child, words.heard_by_adult
    language_bars = alt.Chart(alt.Data(values=_dicts(words.rows))).mark_rule(strokeWidth=6, strokeCap="round").encode(
        y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("low:Q", scale=alt.Scale(type="log"), title="Words (log scale)", axis=alt.Axis(format="~s")),
        x2="high:Q",
        # A person in the site's neutral grey, the models in the language colour.
        color=alt.Color("kind:N", scale=alt.Scale(domain=["person", "model"],
                                                  range=[NEUTRAL, MODALITY_COLOURS["language"]]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("low:Q", format=".3~s"), alt.Tooltip("high:Q", format=".3~s"),
                 alt.Tooltip("source:N", title="catalog row")])
    out.chart("language", _explorable_words(alt, language_bars, inputs).properties(width=width, height=240),
              "Words a person meets against words an LLM is trained on",
              f"Bars on a log scale: a person hears {fmt(child.low)} to {fmt(child.high)} words by {CHILD_AGE} and "
              f"{fmt(adult.low)} to {fmt(adult.high)} by {ADULT_AGE}; reading every waking hour caps out near "
              f"{fmt(words.reading_ceiling)}. GPT-3 trained on about {fmt(words.training_words['gpt3'])} words and "
              f"Llama 3 on over {fmt(words.training_words['llama3'])}. The black point follows the reader's words "
              "a day (controls below the chart).", data="language")


def _explorable_years(chart, inputs: Inputs):
    """The reader's controls: distinct images per second and waking hours, each with its cited range."""
    waking, ips, fixations = inputs.waking_hours, inputs.essay_images_per_second, inputs.fixations_per_second
    controls = [
        Control("images_per_second", "Distinct images per waking second", "images/s", ips,
                f"the essay's {ips:g}/s; one image per eye fixation, about {fixations:g}/s (Henderson 2007)",
                cited=(fixations, ips), slider=(0.1, 10, 0.1)),
        Control("waking_hours", "Waking hours a day", "hours/day", inputs.essay_waking_hours,
                f"the essay's {inputs.essay_waking_hours:g} h; 24 h less the {24 - waking.low:g} h of sleep "
                "recommended to teenagers at most (Paruthi et al. 2016)", cited=(waking.low, waking.high),
                slider=(12, 20, 0.5)),
    ]
    outputs = [Output("years", years_to_see, "years", "Years to see LAION-2B-en's images",
                      "years_to_match_sd_essay"),
               Output("images_per_year", images_per_year, "images/year", "Images seen per year",
                      "images_per_year_essay")]
    return explorable(chart, controls, {"images": inputs.laion2b_en}, outputs)


def _reader_layers(alt, inputs: Inputs, rates: list[float]):
    """A line through every rate at the reader's waking hours, and a point at the reader's rate."""
    curve = alt.Chart(alt.Data(values=[{"rate": r} for r in sorted(set(rates))])).transform_calculate(
        years=over(years_to_see, images_per_second="rate")).mark_line(color="black", strokeDash=[2, 2]).encode(
        x="rate:Q", y="years:Q")
    point = alt.Chart(alt.Data(values=[{}])).transform_calculate(rate="images_per_second", years="years").encode(
        x="rate:Q", y="years:Q")
    label = "'your assumption: ' + format(datum.years, '.3~r') + ' years'"
    return (curve + point.mark_point(filled=True, size=80, color="black")
            + point.transform_calculate(label=label).mark_text(align="right", dx=-8, dy=16, fontWeight="bold")
            .encode(text="label:N"))


def _explorable_words(alt, bars, inputs: Inputs):
    """The reader's words a day: a point for what they hear by ADULT_AGE, and the gap to an LLM of their choice."""
    per_day = inputs.words_per_day
    controls = [
        Control("words_per_day", "Adult words heard a day", "words/day", inputs.words_per_day_display,
                f"day-long recordings of infants in Australia (Brushe et al. 2020): {per_day.low:,.0f} to "
                f"{per_day.high:,.0f}, about {inputs.words_per_day_display:,.0f}",
                cited=(per_day.low, per_day.high), slider=(1000, 50000, 1)),
        Control("model", "Language model", "", LLMS[-1].label, "the newest model here, with the largest training set",
                options={llm.label: llm.label for llm in LLMS}),
    ]
    models = training_words_by_label(inputs)
    outputs = [Output("heard", words_heard, "words", f"Words heard by {ADULT_AGE}", f"reader_words_heard_by_{ADULT_AGE}"),
               Output("orders", orders_above_heard, "orders of magnitude", "The model's words over them",
                      "reader_orders_above_heard")]
    reader = alt.Chart(alt.Data(values=[{}])).transform_calculate(
        what=f"'Words heard by {ADULT_AGE} at your rate'", low="heard", high="heard",
        label="format(orders, '.2f') + ' orders below ' + model").encode(
        y=alt.Y("what:N", sort=None), x="low:Q")
    layers = (bars + reader.mark_point(filled=True, size=90, color="black")
              + reader.mark_text(align="left", dx=8, fontWeight="bold").encode(text="label:N"))
    return explorable(layers, controls, {"models": models, "age": ADULT_AGE}, outputs)
