"""The typical set, exactly: the 51%-black-pixel image of the reader's comment.

Each of n pixels is black with probability p = 0.51, independently. The single most
likely image is all black, with probability pⁿ, yet almost all probability lies on
images with about 49% white pixels (the typical set; Cover & Thomas, Elements of
Information Theory, ch. 3). Everything is computed in log space, so n = 10⁶ does not
underflow. Then two correlated fields: a 1-D Markov chain (exact, by dynamic
programming over the count of white pixels) and a 2-D Ising-like field (seeded Gibbs
sampling); in both the most likely configuration is still all black and still atypical.
"""

import math

import numpy as np

LOG10E = math.log10(math.e)


# ---------------------------------------------------------------- independent pixels

def log_binom_pmf(n: int, k: np.ndarray, p: float) -> np.ndarray:
    """log P(K = k) for K ~ Binomial(n, p), by lgamma (no overflow for n = 10⁶)."""
    k = np.asarray(k, dtype=float)
    lg = np.vectorize(math.lgamma)
    return lg(n + 1) - lg(k + 1) - lg(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def logsumexp(x: np.ndarray) -> float:
    m = float(np.max(x))
    return m + math.log(float(np.sum(np.exp(x - m))))


def band_mass(n: int, p_white: float, k_sigma: float) -> float:
    """Probability that the white count lies within k standard deviations of its mean n·p_white."""
    mean, sd = n * p_white, math.sqrt(n * p_white * (1 - p_white))
    ks = np.arange(max(0, math.ceil(mean - k_sigma * sd)), min(n, math.floor(mean + k_sigma * sd)) + 1)
    return math.exp(logsumexp(log_binom_pmf(n, ks, p_white)))


def entropy_bits(p: float) -> float:
    """Entropy of one pixel in bits; the typical set holds about 2^(n·H) images."""
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


# ---------------------------------------------------------------- a 1-D Markov chain

def markov_chain(p_black: float, stay_black: float) -> tuple[float, float]:
    """(P(black→black), P(white→white)) with stationary black probability p_black.

    Stationarity: p_black · (1 − a) = (1 − p_black) · (1 − c), so c = 1 − p_black (1 − a) / (1 − p_black).
    """
    stay_white = 1 - p_black * (1 - stay_black) / (1 - p_black)
    return stay_black, stay_white


def markov_white_count(n: int, p_black: float, stay_black: float) -> np.ndarray:
    """Exact distribution of the number of white pixels in n steps of the stationary chain (log probabilities).

    Dynamic programming over (white count, current colour): O(n²) with numpy, shape (2, n + 1).
    """
    a, c = markov_chain(p_black, stay_black)
    log = np.log
    state = np.full((2, n + 1), -np.inf)     # row 0: last pixel black, row 1: white
    state[0, 0], state[1, 1] = log(p_black), log(1 - p_black)
    for _ in range(n - 1):
        black = np.logaddexp(state[0] + log(a), state[1] + log(1 - c))
        white = np.logaddexp(state[0] + log(1 - a), state[1] + log(c))
        state = np.stack([black, np.concatenate([[-np.inf], white[:-1]])])
    return np.logaddexp(state[0], state[1])


def markov_mode_log_prob(n: int, p_black: float, stay_black: float) -> float:
    """Log probability of the most likely sequence (Viterbi over the two colours)."""
    a, c = markov_chain(p_black, stay_black)
    black, white = math.log(p_black), math.log(1 - p_black)
    for _ in range(n - 1):
        black, white = (max(black + math.log(a), white + math.log(1 - c)),
                        max(black + math.log(1 - a), white + math.log(c)))
    return max(black, white)


# ---------------------------------------------------------------- a 2-D Ising-like field

def ising_field(coupling: float, p_black: float) -> float:
    """External field h so that an isolated pixel is black with probability p_black: p = 1 / (1 + e^(−2h))."""
    return 0.5 * math.log(p_black / (1 - p_black))


def gibbs_samples(side: int, coupling: float, field: float, sweeps: int, count: int, seed: int) -> list[np.ndarray]:
    """Seeded Gibbs sampling of spins s ∈ {−1 (white), +1 (black)} with P ∝ exp(J Σ s_i s_j + h Σ s_i).

    Periodic boundaries; a checkerboard update keeps each half-sweep exact. Shapes (side, side).
    """
    rng = np.random.default_rng(seed)
    spins = rng.choice([-1, 1], size=(side, side))
    parity = (np.add.outer(np.arange(side), np.arange(side)) % 2).astype(bool)
    samples = []
    for sweep in range(sweeps):
        for colour in (parity, ~parity):
            neighbours = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1))
            p_up = 1 / (1 + np.exp(-2 * (coupling * neighbours + field)))
            spins = np.where(colour, np.where(rng.random((side, side)) < p_up, 1, -1), spins)
        if sweep >= sweeps - count:
            samples.append(spins.copy())
    return samples


def ising_log_weight(spins: np.ndarray, coupling: float, field: float) -> float:
    """Unnormalised log probability J Σ_⟨ij⟩ s_i s_j + h Σ s_i (each bond once, periodic)."""
    bonds = np.sum(spins * np.roll(spins, 1, 0)) + np.sum(spins * np.roll(spins, 1, 1))
    return float(coupling * bonds + field * np.sum(spins))


# ---------------------------------------------------------------- the analysis

def run(ctx) -> None:
    import altair as alt

    out, p = ctx.results, ctx.params
    pb = p["p_black"]
    pw = 1 - pb

    ctx.step("independent pixels: the mode against the typical set, n = 64 to 10⁶")
    rows = []
    for n in p["sizes"]:
        typical_white = round(pw * n)
        entry = {"pixels": n, "log10_p_mode": n * math.log10(pb),
                 "log10_p_one_typical_image": typical_white * math.log10(pw) + (n - typical_white) * math.log10(pb),
                 "log10_typical_set_size": n * entropy_bits(pb) * math.log10(2),
                 "log10_p_mode_count": log_binom_pmf(n, np.array([0]), pw)[0] * LOG10E}
        for k in p["k_sigma"]:
            entry[f"mass_within_{k}_sd"] = band_mass(n, pw, k)
        rows.append(entry)
    out.table("independent", rows, "Independent pixels: the all-black mode against images about 49% white")
    big = rows[-1]
    out.value("log10_p_mode_1m", big["log10_p_mode"], "", "log10 of the probability of the all-black image, 10⁶ pixels")
    out.value("mass_3sd_1m", 100 * big["mass_within_3_sd"], "%",
              "Probability that a 10⁶-pixel image is within 3 standard deviations of 49% white")
    out.value("entropy_bits_per_pixel", entropy_bits(pb), "bits", "Entropy of one pixel at 51% black")
    small = rows[0]
    out.value("log10_p_mode_64", small["log10_p_mode"], "", "log10 of the probability of the all-black 64-pixel image")
    out.value("mode_sd_from_mean_1m", pw * big["pixels"] / math.sqrt(big["pixels"] * pb * pw), "standard deviations",
              "How far the all-black 10⁶-pixel image lies from the mean white count")

    ctx.step(f"a 1-D Markov chain, exact (n = {p['markov_n']}, stay-black {p['markov_stay']})")
    n = p["markov_n"]
    log_pmf = markov_white_count(n, pb, p["markov_stay"])
    counts = np.arange(n + 1)
    mean = float(np.sum(np.exp(log_pmf) * counts))
    sd = math.sqrt(float(np.sum(np.exp(log_pmf) * (counts - mean) ** 2)))
    mode_lp = markov_mode_log_prob(n, pb, p["markov_stay"])
    out.value("markov_stay_black", p["markov_stay"], "", "Markov chain: probability a black pixel is followed by black")
    out.value("markov_mean_white", 100 * mean / n, "%", "Markov chain: mean share of white pixels")
    out.value("markov_p_no_white", 100 * math.exp(log_pmf[0]), "%", "Markov chain: probability of an all-black row")
    out.value("markov_mode_sd", mean / sd, "standard deviations",
              "Markov chain: how far the all-black mode lies from the mean white count")
    out.value("markov_log10_p_mode", mode_lp * LOG10E, "", "Markov chain: log10 probability of its most likely row")
    markov_rows = [{"white_share": k / n, "probability": float(math.exp(lp))} for k, lp in enumerate(log_pmf)
                   if lp > math.log(1e-12)]
    out.table("markov", markov_rows, "Markov chain: distribution of the share of white pixels")

    ctx.step(f"a 2-D Ising-like field, seeded Gibbs sampling ({p['ising_side']}², {p['ising_sweeps']} sweeps)")
    h = ising_field(p["ising_coupling"], pb)
    samples = gibbs_samples(p["ising_side"], p["ising_coupling"], h, p["ising_sweeps"], p["samples"], ctx.seed)
    mode = np.ones((p["ising_side"], p["ising_side"]), dtype=int)
    black_shares = [float(np.mean(s == 1)) for s in samples]
    out.value("ising_black_share", 100 * float(np.mean(black_shares)), "%", "Ising field: mean black share of samples")
    out.value("ising_mode_minus_sample_log_weight", (ising_log_weight(mode, p["ising_coupling"], h)
                                                     - np.mean([ising_log_weight(s, p["ising_coupling"], h)
                                                                for s in samples])) * LOG10E, "",
              "Ising field: log10 of how much likelier the all-black mode is than a typical sample")

    ctx.step("pictures: the mode next to samples")
    rng = np.random.default_rng(ctx.seed)
    side = p["ising_side"]
    panels = {"the mode (all black)": mode}
    for i in range(p["samples"]):
        panels[f"independent sample {i + 1}"] = np.where(rng.random((side, side)) < pb, 1, -1)
    for i, s in enumerate(samples):
        panels[f"Ising sample {i + 1}"] = s
    pixels = [{"panel": name, "x": int(x), "y": int(y), "black": int(img[y, x] == 1)}
              for name, img in panels.items() for y in range(side) for x in range(side)]
    out.table("pictures", pixels, "Pixels of the mode and of samples (1 = black)")

    ctx.step("charts")
    long_rows = [{"pixels": r["pixels"], "what": w, "log10_probability": r[k]} for r in rows for k, w in (
        ("log10_p_mode", "the all-black image (the mode)"),
        ("log10_p_one_typical_image", "one image with 49% white"))]
    for r in rows:
        long_rows.append({"pixels": r["pixels"], "what": "all images within 3 sd of 49% white",
                          "log10_probability": math.log10(r["mass_within_3_sd"])})
    out.table("mode_vs_n", long_rows, "log10 probabilities by image size")
    chart = alt.Chart(alt.Data(values=long_rows)).mark_line(point=True).encode(
        x=alt.X("pixels:Q", scale=alt.Scale(type="log"), title="Pixels (log scale)", axis=alt.Axis(format="~s")),
        y=alt.Y("log10_probability:Q", scale=alt.Scale(type="symlog"), title="log10 probability (symlog)"),
        color=alt.Color("what:N", legend=alt.Legend(orient="bottom", title=None, columns=1)),
        tooltip=["what:N", "pixels:Q", alt.Tooltip("log10_probability:Q", format=".4~g")])
    out.chart("mode_vs_n", chart.properties(width=520, height=280), "The mode is likeliest and never seen",
              f"Lines of log10 probability against image size. The all-black mode is always more probable than any "
              f"single 49%-white image, but its probability falls to 10^{big['log10_p_mode']:.0f} at a million "
              f"pixels, while images within 3 standard deviations of 49% white keep "
              f"{100 * big['mass_within_3_sd']:.1f}% of all probability.", data="mode_vs_n")
    grid = alt.Chart(alt.Data(values=pixels)).mark_rect().encode(
        x=alt.X("x:O", axis=None), y=alt.Y("y:O", axis=None),
        color=alt.Color("black:Q", scale=alt.Scale(domain=[0, 1], range=["#ffffff", "#111111"]), legend=None),
    ).properties(width=120, height=120).facet(facet=alt.Facet("panel:N", title=None, sort=list(panels)), columns=4)
    out.chart("pictures", grid, "The mode next to samples",
              f"A grid of {side}×{side} images: the all-black mode, then samples of independent 51%-black pixels "
              f"and of the correlated Ising-like field. The samples are about half white; the mode looks like none "
              f"of them.", data="pictures")
