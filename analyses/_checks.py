"""Verdicts on the sources' figures, shared by the analyses that check them."""


def verdict(claim_low: float, claim_high: float, found_low: float, found_high: float,
            tolerance: float = 0.10) -> tuple[str, float]:
    """Compare a claimed range with the range we compute.

    Returns (tier, factor): "holds" when the ranges overlap within ``tolerance``;
    otherwise "roughly right" when they are less than 2× apart, else "understated"
    or "overstated". ``factor`` is how far apart the nearest edges are (1 when they overlap).
    """
    if found_low > claim_high * (1 + tolerance):
        factor = found_low / claim_high
        return ("roughly right" if factor < 2 else "understated"), factor
    if found_high < claim_low * (1 - tolerance):
        factor = claim_low / found_high
        return ("roughly right" if factor < 2 else "overstated"), factor
    return "holds", 1.0
