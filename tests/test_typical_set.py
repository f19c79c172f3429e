"""The typical set: binomial mass against scipy, the Markov DP against brute force, the mode against samples."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from analyses.typical_set.analysis import (
    band_mass,
    entropy_bits,
    gibbs_samples,
    ising_field,
    log_binom_pmf,
    markov_chain,
    markov_mode_log_prob,
    markov_white_count,
)


@pytest.mark.parametrize("n", [10, 64, 200])
def test_binomial_against_scipy(n):
    ks = np.arange(n + 1)
    np.testing.assert_allclose(log_binom_pmf(n, ks, 0.49), stats.binom.logpmf(ks, n, 0.49), atol=1e-9)
    mean, sd = n * 0.49, math.sqrt(n * 0.49 * 0.51)
    expected = stats.binom.cdf(math.floor(mean + 2 * sd), n, 0.49) - stats.binom.cdf(math.ceil(mean - 2 * sd) - 1, n, 0.49)
    assert band_mass(n, 0.49, 2) == pytest.approx(expected, rel=1e-9)


def test_no_underflow_at_a_million_pixels():
    assert band_mass(1_000_000, 0.49, 3) == pytest.approx(stats.norm.cdf(3) - stats.norm.cdf(-3), abs=2e-3)
    assert entropy_bits(0.5) == 1


@pytest.mark.parametrize("n", [1, 2, 5, 12, 16])
def test_markov_dp_against_brute_force(n):
    a, c = markov_chain(0.51, 0.9)
    counts = np.zeros(n + 1)
    best = -math.inf
    for seq in itertools.product((0, 1), repeat=n):   # 1 = white
        logp = math.log(0.49 if seq[0] else 0.51)
        for prev, cur in zip(seq, seq[1:], strict=False):
            stay = c if prev else a
            logp += math.log(stay if prev == cur else 1 - stay)
        counts[sum(seq)] += math.exp(logp)
        best = max(best, logp)
    np.testing.assert_allclose(np.exp(markov_white_count(n, 0.51, 0.9)), counts, rtol=1e-10, atol=1e-15)
    assert markov_mode_log_prob(n, 0.51, 0.9) == pytest.approx(best)


def test_markov_chain_is_stationary_at_51_percent_black():
    a, c = markov_chain(0.51, 0.9)
    assert 0.51 * (1 - a) == pytest.approx(0.49 * (1 - c))


def test_ising_samples_are_far_from_the_all_black_mode():
    samples = gibbs_samples(16, 0.3, ising_field(0.3, 0.51), 100, 2, seed=0)
    assert all(0.2 < float(np.mean(s == 1)) < 0.9 for s in samples)
    assert samples[0].shape == (16, 16)
