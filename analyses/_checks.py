"""Verdicts on the sources' figures, shared by the analyses that check them.

``fact_check`` builds one row of a page's "checked" table: the claim, who made it
(with the link), what we find, and the verdict. Claims stated as a number compare
by ratio (``verdict``); claims stated in orders of magnitude compare by difference
(``orders_verdict``).
"""

import dataclasses
import math

ORDERS_TOLERANCE = 0.3  # orders of magnitude: a factor of 2 either way still "holds"


@dataclasses.dataclass(frozen=True)
class FactCheck:
    claim: str
    source: str
    url: str
    we_find: str
    verdict: str
    factor: float  # how far apart the nearest edges are: × for ratios, orders for claims in orders; nan if untestable

    def row(self) -> dict:
        """The five columns of a page's checks table."""
        return {"claim": self.claim, "source": self.source, "url": self.url, "we_find": self.we_find,
                "verdict": self.verdict}


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


def orders_verdict(claim_low: float, claim_high: float, found_low: float, found_high: float,
                   tolerance: float = ORDERS_TOLERANCE) -> tuple[str, float]:
    """Like ``verdict`` for claims made in orders of magnitude: compared by difference, not ratio."""
    if found_low > claim_high + tolerance:
        gap = found_low - claim_high
        return f"understated by {gap:.1f} orders or more", gap
    if found_high < claim_low - tolerance:
        gap = claim_low - found_high
        return f"overstated by {gap:.1f} orders or more", gap
    return "holds", 0.0


def fact_check(row, claim: str, found_low: float, found_high: float, we_find: str, *,
               in_orders: bool = False, tier: str | None = None) -> FactCheck:
    """Check a catalog row's claimed range against the range we find.

    ``row`` is the claim's catalog row (its ``range``, ``source`` and ``url``). ``tier``
    overrides the verdict for claims that cannot be compared ("untestable", "no such model").
    """
    if tier is not None:
        text, factor = tier, math.nan
    elif in_orders:
        text, factor = orders_verdict(*row.range, found_low, found_high)
    else:
        text, factor = verdict(*row.range, found_low, found_high)
        text = text if text == "holds" else f"{text} ({factor:.2g}× apart)"
    return FactCheck(claim=claim, source=row.source.split(",")[0], url=row.url, we_find=we_find, verdict=text,
                     factor=factor)
