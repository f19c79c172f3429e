import pytest

from analyses import catalog
from analyses._checks import verdict
from analyses.exposure.analysis import (
    ADULT_AGE,
    LLMS,
    Range,
    audio_exposure,
    fact_checks,
    headline_ratios,
    hours_of_speech,
    image_exposure,
    images_per_year,
    load_inputs,
    orders_of_magnitude,
    ratio_row,
    samples_seen,
    total_by_age,
    word_exposure,
    years_to_see,
)


def test_images_per_year_hand_worked():
    # 10 images/s × 3600 s/h × 18 h/day × 365.25 days = 236,682,000 (the essay rounds to "230 million").
    assert images_per_year(10, 18) == pytest.approx(236_682_000)


def test_years_to_see_inverts_rate():
    assert years_to_see(images_per_year(10, 18), 10, 18) == pytest.approx(1.0)
    assert years_to_see(2.32e9, 10, 18) == pytest.approx(9.802, abs=1e-3)


def test_accumulation_and_speech_hours():
    assert total_by_age(1000, 20) == pytest.approx(7_305_000)
    # 183 words/min heard for 183 × 60 words a day is one hour a day: 20 years -> 7,305 hours.
    assert hours_of_speech(183 * 60, 183, 20) == pytest.approx(7305)


def test_samples_seen_matches_the_sd_model_card_schedule():
    # 237k + 194k + 515k + 225k steps at a batch of 2,048 (CompVis model card).
    assert samples_seen([237e3, 194e3, 515e3, 225e3], 2048) == 2_398_208_000


def test_orders_of_magnitude():
    assert orders_of_magnitude(1e4) == pytest.approx(4)


@pytest.mark.parametrize("claim, found, tier, factor", [
    ((230e6, 230e6), (236.7e6, 236.7e6), "holds", 1.0),                # within 10%
    ((2e9, 2e9), (2.32e9, 2.4e9), "roughly right", 1.16),              # 16% above
    ((1e10, 9.9e10), (3e11, 1.4e12), "understated", 3e11 / 9.9e10),   # "tens of billions" vs GPT-3
    ((4, 5), (3.7, 4.9), "holds", 1.0),                                  # overlapping ranges
    ((100, 100), (10, 20), "overstated", 5.0),
])
def test_verdict(claim, found, tier, factor):
    got_tier, got_factor = verdict(*claim, *found)
    assert got_tier == tier and got_factor == pytest.approx(factor)


def test_ratio_row_divides_by_the_far_end_of_the_persons_range():
    row = ratio_row("set", "vision", 100, Range(10, 50), "a person")
    assert (row.ratio_low, row.ratio_high) == (2, 10) and row.ratio_mid == pytest.approx(20 ** 0.5)


def test_steps_need_only_the_catalog():
    """Each step takes plain inputs and returns plain data: no runner context needed."""
    inputs = load_inputs(catalog.load("exposure").__getitem__)
    images = image_exposure(inputs, [1, 10])
    words = word_exposure(inputs)
    headline = headline_ratios(inputs, images, words, audio_exposure(inputs))
    checks, factors = fact_checks(inputs, images, words)
    assert images.years_essay == pytest.approx(9.802, abs=1e-3) and len(images.by_rate) == 4
    assert words.heard_by_adult.low == pytest.approx(total_by_age(2958, ADULT_AGE))
    assert [r.modality for r in headline.rows].count("language") == len(LLMS)
    frank = next(c for c in checks if "Frank 2023" in c.claim)  # a claim in orders: compared by difference
    assert frank.verdict == "holds" and frank.factor == 0
    assert {v.key: v.unit for v in factors}["check_frank_data_gap_factor"] == "orders of magnitude"
