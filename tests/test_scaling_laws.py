"""Chinchilla's law against published points: de Vries's overheads, the optimum's closed form, inference-aware size."""

import csv
import itertools
import json
import math
import pathlib
import re

import numpy as np
import pytest
import yaml

from analyses import catalog
from analyses.scaling_laws.laws import Fit, inference_aware_size

ROOT = pathlib.Path(__file__).resolve().parent.parent

HOFFMANN = Fit("Hoffmann et al. 2022", E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)


@pytest.mark.parametrize("k_n, published", [(0.5, 0.20), (0.25, 1.88)])
def test_de_vries_overheads(k_n, published):
    # de Vries (2023): a model at 50% of the compute-optimal size needs ~20% more compute, at 25% ~188% more.
    assert HOFFMANN.overhead(k_n) == pytest.approx(published, abs=0.02)


def test_no_overhead_at_the_optimum_and_a_wall_below_the_critical_size():
    assert HOFFMANN.overhead(1.0) == pytest.approx(0, abs=1e-12)
    # overhead diverges where k_N^-α = 1 + α/β
    wall = (1 + HOFFMANN.alpha / HOFFMANN.beta) ** (-1 / HOFFMANN.alpha)
    assert math.isinf(HOFFMANN.overhead(wall * 0.99))
    assert HOFFMANN.size_at_overhead(1.0) == pytest.approx(0.29, abs=0.02)  # de Vries: ~30% at +100%


def test_optimum_minimises_loss_along_the_compute_budget():
    compute = 5.76e23  # Chinchilla's budget (Hoffmann et al. Table 3 row)
    n_opt, d_opt = HOFFMANN.optimal(compute)
    assert 6 * n_opt * d_opt == pytest.approx(compute)
    grid = np.logspace(math.log10(n_opt) - 1, math.log10(n_opt) + 1, 2001)
    losses = [HOFFMANN.loss(n, compute / (6 * n)) for n in grid]
    assert grid[int(np.argmin(losses))] == pytest.approx(n_opt, rel=0.01)


def test_tokens_for_loss_inverts_the_law():
    assert HOFFMANN.loss(7e9, HOFFMANN.tokens_for_loss(7e9, 2.0)) == pytest.approx(2.0)
    assert math.isinf(HOFFMANN.tokens_for_loss(1e6, 1.8))  # a tiny model cannot reach a low loss


def test_inference_aware_optimum_reduces_to_chinchilla_with_no_inference():
    compute = 1e22
    n_opt, d_opt = HOFFMANN.optimal(compute)
    target = HOFFMANN.loss(n_opt, d_opt)
    sizes = list(np.logspace(8, 11, 3001))
    n0, _ = inference_aware_size(HOFFMANN, target, 0, sizes)
    assert n0 == pytest.approx(n_opt, rel=0.01)
    n_big, _ = inference_aware_size(HOFFMANN, target, 1e13, sizes)
    assert n_big < 0.5 * n_opt  # heavy inference favours smaller models trained longer


def test_frontier_keeps_only_new_records_above_the_threshold():
    from analyses.scaling_laws.analysis import frontier

    points = [{"year": 2020, "parameters": 175e9, "mmlu": 43.9}, {"year": 2022, "parameters": 70e9, "mmlu": 67.5},
              {"year": 2023, "parameters": 65e9, "mmlu": 40.0}, {"year": 2023.5, "parameters": 7e9, "mmlu": 45.3},
              {"year": 2024, "parameters": 13e9, "mmlu": 60.0}]
    assert [p["parameters"] for p in frontier(points, 43.9)] == [70e9, 7e9]


def test_shrink_rate_recovers_a_known_slope():
    from analyses.scaling_laws.analysis import shrink_rate

    # Parameters falling exactly one order of magnitude a year: slope −1, and every resample agrees.
    points = [{"year": 2020 + i, "parameters": 10 ** (11 - i)} for i in range(5)]
    slope, low, high = shrink_rate(points, 200, seed=0)
    assert slope == pytest.approx(-1) and low == pytest.approx(-1) and high == pytest.approx(-1)


# ---------------------------------------------------------------- the record, on the frozen results

RESULTS = json.loads((ROOT / "docs" / "results" / "scaling_laws" / "results.json").read_text())
LANGUAGE_MODELS = yaml.safe_load((ROOT / "analyses" / "scaling_laws" / "language_models.yaml").read_text())


def _rows(table: str) -> list[dict]:
    """A frozen table's rows, numbers as floats (a blank cell stays "")."""
    def number(cell: str):
        try:
            return float(cell)
        except ValueError:
            return cell

    path = ROOT / "docs" / "results" / "scaling_laws" / RESULTS["tables"][table]["file"]
    return [{k: number(v) for k, v in r.items()} for r in csv.DictReader(path.open())]


@pytest.mark.parametrize("table, benchmark, variants", [("frontier_mmlu", "mmlu", {"base", "instruct"}),
                                                        ("frontier_mmlu_base", "mmlu", {"base"}),
                                                        ("frontier_second", "second", {"base", "instruct"})])
def test_each_record_is_later_and_smaller_and_no_model_above_gpt3_undercuts_it(table, benchmark, variants):
    record, points = _rows(table), _rows("mmlu_points")
    gpt3 = next(p for p in points if p["model"] == "GPT-3 175B")
    assert len(record) >= (2 if benchmark == "mmlu" else 1)
    for before, after in itertools.pairwise(record):
        assert after["year"] >= before["year"] and after["parameters"] < before["parameters"], (before, after)
    above = [p for p in points if p[benchmark] != "" and p[benchmark] > gpt3[benchmark] and p["variant"] in variants]
    names = [(r["model"], r["variant"]) for r in record]
    for p in above:  # every model above the threshold is in the record or no smaller than it at its release
        assert ((p["model"], p["variant"]) in names
                or min(r["parameters"] for r in record if r["year"] <= p["year"]) <= p["parameters"]), p
    assert set(names) <= {(p["model"], p["variant"]) for p in above}
    assert all(p["on_record"] != "" for p in above if (p["model"], p["variant"]) in names)


def test_every_benchmark_row_is_one_of_the_models_considered():
    used = {e[key] for e in LANGUAGE_MODELS for key in ("mmlu", "second") if e.get(key)}
    rows = catalog.load("benchmarks")
    assert set(rows) <= used <= set(rows)
    assert len(_rows("mmlu_points")) == len([e for e in LANGUAGE_MODELS if e.get("mmlu") or e.get("second")])


@pytest.mark.parametrize("row", catalog.load("benchmarks").values(), ids=lambda r: r.id)
def test_a_benchmark_row_quotes_the_line_its_score_is_read_from(row):
    """The locator names a table or section and quotes the printed line, and the score is in the quote."""
    quotes = re.findall(r'"([^"]+)"', row.locator)
    assert quotes and re.search(r"Table|table|section|Abstract|card|Sec\.|README|row", row.locator), row.locator
    printed = {float(n) for q in quotes for n in re.findall(r"\d+(?:\.\d+)?", q)}
    assert row.value in printed, f"{row.id}: {row.value} is not in its quoted line {quotes}"
    assert (row.low is None) == (row.high is None) and (row.low is None or row.low <= row.value <= row.high)


@pytest.mark.parametrize("census_id, printed, digits", [
    ("qwen2-0.5b", 0.49, 2),     # Qwen2 blog model table: "# Params 0.49B"
    ("qwen2-1.5b", 1.54, 2),     # same table: "1.54B"
    ("qwen2.5-3b", 3.09, 2),     # Qwen2.5 blog model table: "3.09B"
    ("qwen-1.8b", 1.8, 1),       # Qwen technical report Table 1: "1.8B"
    ("qwen3-0.6b", 0.6, 1),      # Qwen3 report Table 8: "# Total Params 0.6B"
    ("llama-3-8b", 8, 0)])       # Meta's "8B"
def test_counted_sizes_round_to_the_makers_printed_sizes(census_id, printed, digits):
    from analyses.scaling_laws.analysis import counted_parameters

    counts = counted_parameters(ROOT / "analyses" / "census" / "models.yaml", {census_id})
    assert round(counts[census_id] / 1e9, digits) == printed


def test_the_prose_names_the_record_the_analysis_found():
    """The pages name the record's models in words (macros give numbers, not names): they must be the frozen ones."""
    record = [r["model"].removesuffix(" 175B").removesuffix(" 70B") for r in _rows("frontier_mmlu")]
    page = (ROOT / "docs" / "evidence" / "scaling-laws.md").read_text()
    named = re.search(r"The record steps from GPT-3 through (.+?) down to (.+?) \(", page)
    assert named and re.split(r", (?:and )?| and ", named.group(1)) + [named.group(2)] == record, named
    for page in ("index.md", "arguments/essay.md", "arguments/addendum.md"):
        assert record[-1] in (ROOT / "docs" / page).read_text(), page
