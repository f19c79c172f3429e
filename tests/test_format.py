import pytest

from analyses._format import format_number, round_sig
from analyses._mkdocs_hook import format_quantity, format_range


@pytest.mark.parametrize("x, text", [
    (236_682_000, "237 million"),
    (2.32e9, "2.32 billion"),
    (15e12, "15 trillion"),
    (12_345, "12,300"),
    (680_000, "680,000"),
    (9.8022, "9.8"),
    (0.0754, "0.0754"),
    (1, "1"),
    (999.9e6, "1 billion"),      # rounding carries into the next scale word
    (1.5e15, "1.5 × 10¹⁵"),
])
def test_format_number(x, text):
    assert format_number(x) == text


def test_round_sig():
    assert round_sig(236_682_000, 3) == 237_000_000
    assert round_sig(0.012345, 2) == 0.012


def test_units_and_ranges():
    assert format_quantity(2.32e9, "images") == "2.32 billion images"
    assert format_quantity(45, "%") == "45%"
    assert format_range(1.4e7, 2.2e8, "words") == "14 million – 220 million words"


def test_non_finite_is_an_error():
    with pytest.raises(ValueError):
        format_number(float("nan"))


def test_charts_with_infinite_values_are_refused(tmp_path):
    import altair as alt

    from analyses._results import Results, ResultsError

    results = Results()
    results.value("x", 1, "", "a value")
    results.table("t", [{"a": 1.0}, {"a": float("inf")}], "a table")
    results.chart("c", alt.Chart(alt.Data(values=[{"a": float("inf")}])).mark_point().encode(x="a:Q"), "t",
                  "A chart whose data holds an infinite value.", data="t")
    with pytest.raises(ResultsError, match="chart 'c' has a NaN or infinite value"):
        results.write(tmp_path, "demo")
