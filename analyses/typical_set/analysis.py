"""The typical set, exactly: the 51%-black-pixel image of the reader's comment.

Each of n pixels is black with probability p = 0.51, independently. The single most
likely image is all black, with probability pⁿ, yet almost all probability lies on
images with about 49% white pixels (the typical set; Cover & Thomas, Elements of
Information Theory, ch. 3). Everything is computed in log space, so n = 10⁶ does not
underflow. Then two correlated fields: a 1-D Markov chain (exact, by dynamic
programming over the count of white pixels) and a 2-D Ising-like field (seeded Gibbs
sampling); in both the most likely configuration is still all black and still atypical.
"""

import dataclasses
import math

import numpy as np

LOG10E = math.log10(math.e)


@dataclasses.dataclass(frozen=True)
class ImageSize:
    """Independent pixels at one image size: the mode, one typical image and the typical set, in log10."""
    pixels: int
    log10_p_mode: float                # the all-black image
    log10_p_one_typical_image: float   # one image with the expected share of white pixels
    log10_typical_set_size: float      # about n·H bits' worth of images
    log10_p_mode_count: float          # the count of zero white pixels, which only the mode has
    mass_within_sd: dict[int, float]   # k -> probability that the white count is within k sd of its mean

    def row(self) -> dict:
        """The independent table's row: one mass_within_<k>_sd column per width k."""
        return {"pixels": self.pixels, "log10_p_mode": self.log10_p_mode,
                "log10_p_one_typical_image": self.log10_p_one_typical_image,
                "log10_typical_set_size": self.log10_typical_set_size, "log10_p_mode_count": self.log10_p_mode_count,
                **{f"mass_within_{k}_sd": mass for k, mass in self.mass_within_sd.items()}}


@dataclasses.dataclass(frozen=True)
class MarkovWhiteCount:
    """A row of n pixels from the stationary Markov chain: the exact law of its white count, and its mode."""
    pixels: int
    log_pmf: np.ndarray     # log P(white count = k), k = 0..n
    mean: float             # white pixels
    sd: float
    mode_log_prob: float    # natural log of the probability of the most likely row (all black)


@dataclasses.dataclass(frozen=True)
class IsingSamples:
    """Seeded Gibbs samples of the 2-D field beside its all-black mode."""
    mode: np.ndarray                   # all black (+1), shape (side, side)
    samples: list[np.ndarray]
    black_share: float                 # mean share of black pixels over the samples
    log10_mode_over_samples: float     # log10 of how much likelier the mode is than a sample (mean log weight)


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

def image_size(n: int, p_black: float, k_sigma: list[int]) -> ImageSize:
    """n independent pixels, each black with probability p_black; band masses at each width in ``k_sigma``."""
    p_white = 1 - p_black
    typical_white = round(p_white * n)
    return ImageSize(
        pixels=n, log10_p_mode=n * math.log10(p_black),
        log10_p_one_typical_image=typical_white * math.log10(p_white) + (n - typical_white) * math.log10(p_black),
        log10_typical_set_size=n * entropy_bits(p_black) * math.log10(2),
        log10_p_mode_count=log_binom_pmf(n, np.array([0]), p_white)[0] * LOG10E,
        mass_within_sd={k: band_mass(n, p_white, k) for k in k_sigma})


def mode_vs_n_rows(sizes: list[ImageSize]) -> list[dict]:
    """The chart's three lines, long form: the mode, one typical image, and the 3-sd band around 49% white."""
    rows = [{"pixels": s.pixels, "what": what, "log10_probability": log10_p} for s in sizes for what, log10_p in (
        ("the all-black image (the mode)", s.log10_p_mode),
        ("one image with 49% white", s.log10_p_one_typical_image))]
    rows += [{"pixels": s.pixels, "what": "all images within 3 sd of 49% white",
              "log10_probability": math.log10(s.mass_within_sd[3])} for s in sizes]
    return rows


def markov_count(n: int, p_black: float, stay_black: float) -> MarkovWhiteCount:
    """The white count of n pixels of the stationary chain: exact law, mean and sd, and the mode's probability."""
    log_pmf = markov_white_count(n, p_black, stay_black)
    counts = np.arange(n + 1)
    mean = float(np.sum(np.exp(log_pmf) * counts))
    sd = math.sqrt(float(np.sum(np.exp(log_pmf) * (counts - mean) ** 2)))
    return MarkovWhiteCount(pixels=n, log_pmf=log_pmf, mean=mean, sd=sd,
                            mode_log_prob=markov_mode_log_prob(n, p_black, stay_black))


def markov_rows(markov: MarkovWhiteCount) -> list[dict]:
    """The white-share distribution, without the counts too improbable to draw (below 10⁻¹²)."""
    return [{"white_share": k / markov.pixels, "probability": float(math.exp(lp))}
            for k, lp in enumerate(markov.log_pmf) if lp > math.log(1e-12)]


def ising_samples(side: int, coupling: float, p_black: float, sweeps: int, count: int, seed: int) -> IsingSamples:
    """The last ``count`` of ``sweeps`` Gibbs sweeps; the normalising constant cancels in the mode's log-weight gap."""
    h = ising_field(coupling, p_black)
    samples = gibbs_samples(side, coupling, h, sweeps, count, seed)
    mode = np.ones((side, side), dtype=int)
    black_shares = [float(np.mean(s == 1)) for s in samples]
    gap = ising_log_weight(mode, coupling, h) - np.mean([ising_log_weight(s, coupling, h) for s in samples])
    return IsingSamples(mode=mode, samples=samples, black_share=float(np.mean(black_shares)),
                        log10_mode_over_samples=gap * LOG10E)


def picture_panels(ising: IsingSamples, p_black: float, count: int, seed: int) -> dict[str, np.ndarray]:
    """Panel title -> image (+1 black, −1 white): the mode, independent-pixel samples, then the Ising samples."""
    rng = np.random.default_rng(seed)
    side = ising.mode.shape[0]
    panels = {"the mode (all black)": ising.mode}
    for i in range(count):
        panels[f"independent sample {i + 1}"] = np.where(rng.random((side, side)) < p_black, 1, -1)
    for i, s in enumerate(ising.samples):
        panels[f"Ising sample {i + 1}"] = s
    return panels


def pixel_rows(panels: dict[str, np.ndarray]) -> list[dict]:
    """One table row per pixel of every panel (1 = black), as the faceted chart draws them."""
    return [{"panel": name, "x": int(x), "y": int(y), "black": int(img[y, x] == 1)}
            for name, img in panels.items() for y in range(img.shape[0]) for x in range(img.shape[1])]


def run(ctx) -> None:
    out, p = ctx.results, ctx.params
    pb = p["p_black"]

    ctx.step("independent pixels: the mode against the typical set, n = 64 to 10⁶")
    sizes = [image_size(n, pb, p["k_sigma"]) for n in p["sizes"]]
    out.table("independent", [s.row() for s in sizes],
              "Independent pixels: the all-black mode against images about 49% white")
    mode_rows = mode_vs_n_rows(sizes)
    out.table("mode_vs_n", mode_rows, "log10 probabilities by image size")

    ctx.step(f"a 1-D Markov chain, exact (n = {p['markov_n']}, stay-black {p['markov_stay']})")
    markov = markov_count(p["markov_n"], pb, p["markov_stay"])
    out.table("markov", markov_rows(markov), "Markov chain: distribution of the share of white pixels")

    ctx.step(f"a 2-D Ising-like field, seeded Gibbs sampling ({p['ising_side']}², {p['ising_sweeps']} sweeps)")
    ising = ising_samples(p["ising_side"], p["ising_coupling"], pb, p["ising_sweeps"], p["samples"], ctx.seed)

    ctx.step("pictures: the mode next to samples")
    panels = picture_panels(ising, pb, p["samples"], ctx.seed)
    pixels = pixel_rows(panels)
    out.table("pictures", pixels, "Pixels of the mode and of samples (1 = black)")

    ctx.step("values for the prose")
    _values(out, pb, p["markov_stay"], sizes, markov, ising)

    ctx.step("charts")
    _charts(ctx, sizes, mode_rows, pixels, list(panels))


def _values(out, p_black: float, stay_black: float, sizes: list[ImageSize], markov: MarkovWhiteCount,
            ising: IsingSamples) -> None:
    """Every value the page quotes."""
    p_white = 1 - p_black
    small, big = sizes[0], sizes[-1]
    out.value("log10_p_mode_1m", big.log10_p_mode, "", "log10 of the probability of the all-black image, 10⁶ pixels")
    out.value("mass_3sd_1m", 100 * big.mass_within_sd[3], "%",
              "Probability that a 10⁶-pixel image is within 3 standard deviations of 49% white")
    out.value("entropy_bits_per_pixel", entropy_bits(p_black), "bits", "Entropy of one pixel at 51% black")
    out.value("log10_p_mode_64", small.log10_p_mode, "", "log10 of the probability of the all-black 64-pixel image")
    out.value("mode_sd_from_mean_1m", p_white * big.pixels / math.sqrt(big.pixels * p_black * p_white),
              "standard deviations", "How far the all-black 10⁶-pixel image lies from the mean white count")

    out.value("markov_stay_black", stay_black, "", "Markov chain: probability a black pixel is followed by black")
    out.value("markov_mean_white", 100 * markov.mean / markov.pixels, "%", "Markov chain: mean share of white pixels")
    out.value("markov_p_no_white", 100 * math.exp(markov.log_pmf[0]), "%",
              "Markov chain: probability of an all-black row")
    out.value("markov_mode_sd", markov.mean / markov.sd, "standard deviations",
              "Markov chain: how far the all-black mode lies from the mean white count")
    out.value("markov_log10_p_mode", markov.mode_log_prob * LOG10E, "",
              "Markov chain: log10 probability of its most likely row")

    out.value("ising_black_share", 100 * ising.black_share, "%", "Ising field: mean black share of samples")
    out.value("ising_mode_minus_sample_log_weight", ising.log10_mode_over_samples, "",
              "Ising field: log10 of how much likelier the all-black mode is than a typical sample")


def _charts(ctx, sizes: list[ImageSize], mode_rows: list[dict], pixels: list[dict], panel_order: list[str]) -> None:
    import altair as alt

    out, side, big = ctx.results, ctx.params["ising_side"], sizes[-1]
    chart = alt.Chart(alt.Data(values=mode_rows)).mark_line(point=True).encode(
        x=alt.X("pixels:Q", scale=alt.Scale(type="log"), title="Pixels (log scale)", axis=alt.Axis(format="~s")),
        y=alt.Y("log10_probability:Q", scale=alt.Scale(type="symlog"), title="log10 probability (symlog)"),
        color=alt.Color("what:N", legend=alt.Legend(orient="bottom", title=None, columns=1)),
        tooltip=["what:N", "pixels:Q", alt.Tooltip("log10_probability:Q", format=".4~g")])
    out.chart("mode_vs_n", chart.properties(width=520, height=280), "The mode is likeliest and never seen",
              f"Lines of log10 probability against image size. The all-black mode is always more probable than any "
              f"single 49%-white image, but its probability falls to 10^{big.log10_p_mode:.0f} at a million "
              f"pixels, while images within 3 standard deviations of 49% white keep "
              f"{100 * big.mass_within_sd[3]:.1f}% of all probability.", data="mode_vs_n")
    grid = alt.Chart(alt.Data(values=pixels)).mark_rect().encode(
        x=alt.X("x:O", axis=None), y=alt.Y("y:O", axis=None),
        color=alt.Color("black:Q", scale=alt.Scale(domain=[0, 1], range=["#ffffff", "#111111"]), legend=None),
    ).properties(width=120, height=120).facet(facet=alt.Facet("panel:N", title=None, sort=panel_order), columns=4)
    out.chart("pictures", grid, "The mode next to samples",
              f"A grid of {side}×{side} images: the all-black mode, then samples of independent 51%-black pixels "
              f"and of the correlated Ising-like field. The samples are about half white; the mode looks like none "
              f"of them.", data="pictures")
