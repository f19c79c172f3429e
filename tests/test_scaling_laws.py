"""Chinchilla's law against published points: de Vries's overheads, the optimum's closed form, inference-aware size."""

import math

import numpy as np
import pytest

from analyses.scaling_laws.laws import Fit, inference_aware_size

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
