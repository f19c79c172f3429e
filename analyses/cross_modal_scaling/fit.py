"""The power law L(N) = L∞ + (N_c / N)^α of Henighan et al. 2020 (their eq. 1.1, with the
reducible loss as a power of model size), fitted by least squares, with residual-bootstrap intervals."""

import numpy as np
from scipy.optimize import curve_fit


def power_law(n: np.ndarray, floor: float, log_nc: float, alpha: float) -> np.ndarray:
    """L∞ + (N_c / N)^α, with N_c passed as its logarithm so the fit works on one scale."""
    return floor + np.exp(alpha * (log_nc - np.log(n)))


def fit(n: np.ndarray, loss: np.ndarray) -> tuple[float, float, float]:
    """(L∞, N_c, α) by least squares. L∞ is bounded to [0, min loss], α to (0, 3)."""
    n, loss = np.asarray(n, float), np.asarray(loss, float)
    start = (0.9 * loss.min(), np.log(n.min()), 0.3)
    (floor, log_nc, alpha), _ = curve_fit(power_law, n, loss, p0=start, maxfev=20000,
                                          bounds=([0, -50, 1e-3], [loss.min(), 50, 3]))
    return float(floor), float(np.exp(log_nc)), float(alpha)


def bootstrap(n: np.ndarray, loss: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Residual bootstrap: refit on the fitted curve plus resampled residuals. Rows (L∞, N_c, α);
    fits that fail to converge are left out (the caller reports how many remain)."""
    n, loss = np.asarray(n, float), np.asarray(loss, float)
    floor, n_c, alpha = fit(n, loss)
    fitted = power_law(n, floor, np.log(n_c), alpha)
    residuals = loss - fitted
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(resamples):
        try:
            rows.append(fit(n, fitted + rng.choice(residuals, len(residuals), replace=True)))
        except RuntimeError:
            continue
    return np.array(rows)


def parameters_to_floor(floor: float, n_c: float, alpha: float, within: float) -> float:
    """Smallest N with L(N) ≤ (1 + within)·L∞: (N_c / N)^α = within·L∞, so N = N_c · (within·L∞)^(−1/α).
    Infinite when the floor is zero or the exponent so small that N passes the float range."""
    if floor <= 0:
        return float("inf")
    log_n = np.log(n_c) - np.log(within * floor) / alpha
    return float(np.exp(log_n)) if log_n < 700 else float("inf")
