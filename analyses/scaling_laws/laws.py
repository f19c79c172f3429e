"""Chinchilla's parametric loss and what follows from it (pure functions, tested).

Hoffmann et al. (2022), Approach 3, Eq. 2:   L(N, D) = E + A / N^α + B / D^β
Training compute (Kaplan et al. 2020; Hoffmann et al. Sec. 3):   C ≈ 6 N D
Compute-optimal allocation (Hoffmann et al. Eq. 4, Appendix D.2):
    N_opt(C) = G (C/6)^a,  D_opt(C) = G⁻¹ (C/6)^b,  a = β/(α+β), b = α/(α+β),  G = (αA / (βB))^(1/(α+β))
Overhead of a smaller model trained to the same loss (de Vries 2023): for N = k_N N_opt,
    k_D = (1 − (k_N^−α − 1) · A N_opt^−α / (B D_opt^−β))^(−1/β),   overhead = k_N k_D − 1
At the optimum α A N^−α = β B D^−β, so the ratio inside is β/α and the overhead does not depend on C.
"""

import dataclasses
import math

from analyses._explorable import vega


@dataclasses.dataclass(frozen=True)
class Fit:
    name: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def loss(self, n: float, d: float) -> float:
        return self.E + self.A / n ** self.alpha + self.B / d ** self.beta

    def optimal(self, compute: float) -> tuple[float, float]:
        """(N_opt, D_opt) minimising loss at compute C = 6ND."""
        a = self.beta / (self.alpha + self.beta)
        g = (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))
        n = g * (compute / 6) ** a
        return n, compute / (6 * n)

    def tokens_for_loss(self, n: float, target: float) -> float:
        """Training tokens a model of size n needs to reach ``target`` loss (inf when it cannot)."""
        gap = target - self.E - self.A / n ** self.alpha
        return math.inf if gap <= 0 else (self.B / gap) ** (1 / self.beta)

    def overhead(self, k_n: float) -> float:
        """Extra compute (fraction) to reach the compute-optimal loss with a model k_n times the optimal size."""
        return overhead(k_n, self.alpha, self.beta)

    def size_at_overhead(self, overhead: float) -> float:
        """k_n < 1 whose overhead equals ``overhead`` (bisection: overhead falls monotonically as k_n → 1)."""
        low, high = 1e-6, 1.0
        for _ in range(200):
            mid = (low + high) / 2
            if self.overhead(mid) > overhead:
                low = mid
            else:
                high = mid
        return (low + high) / 2


def overhead(k_n: float, alpha: float, beta: float) -> float:
    """De Vries's overhead (module docstring): inf below the critical size, where no amount of data suffices."""
    inner = 1 - (k_n ** -alpha - 1) * beta / alpha
    if inner <= 0:
        return math.inf
    return k_n * inner ** (-1 / beta) - 1


# The same formula in the page, where the reader picks the size and the fit (the chart "overhead"); checked
# against this function by tests/test_browser.py. ``fits`` maps a fit's name to its alpha and beta.
@vega("(1 - (pow(size_pct / 100, -fits[fit].alpha) - 1) * fits[fit].beta / fits[fit].alpha) <= 0 ? 1 / 0 : "
      "100 * (size_pct / 100 * pow(1 - (pow(size_pct / 100, -fits[fit].alpha) - 1) * fits[fit].beta / "
      "fits[fit].alpha, -1 / fits[fit].beta) - 1)")
def overhead_pct(size_pct: float, fit: str, fits: dict) -> float:
    """Extra compute (%) of a model ``size_pct`` % of the compute-optimal size, under fit ``fit``."""
    return 100 * overhead(size_pct / 100, fits[fit]["alpha"], fits[fit]["beta"])


def inference_aware_size(fit: Fit, target: float, inference_tokens: float, sizes: list[float]) -> tuple[float, float]:
    """Sardana et al. (2024): the size minimising training (6ND) plus inference (2N per token) FLOPs at a loss.

    Returns (N, total FLOPs) over the candidate ``sizes`` (a fine log grid is enough for a chart).
    """
    best = (math.nan, math.inf)
    for n in sizes:
        d = fit.tokens_for_loss(n, target)
        total = 6 * n * d + 2 * n * inference_tokens
        if total < best[1]:
            best = (n, total)
    return best
