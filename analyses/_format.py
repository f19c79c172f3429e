"""How numbers are written in words, shared by analyses (in chart descriptions) and the MkDocs hook.

Numbers are rounded to a few significant figures and large ones are spelled
with a scale word ("2.32 billion"), the way a reader says them. Analyses that
import this hash it, so only what can change their results lives here; units
and ranges are the hook's business (analyses/_mkdocs_hook.py).
"""

import math

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
SCALES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]


def round_sig(x: float, sig: int = 3) -> float:
    """Round to ``sig`` significant figures: round_sig(236520000, 3) == 237000000."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def _plain(x: float, sig: int) -> str:
    x = round_sig(x, sig)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    digits = max(0, sig - 1 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_number(x: float, sig: int = 3) -> str:
    """236520000 -> '237 million'; 0.0754 -> '0.0754'; 12345 -> '12,300'."""
    if not math.isfinite(x):
        raise ValueError(f"cannot format non-finite number {x!r}")
    for scale, word in SCALES:
        if abs(x) >= scale * 0.9995:
            if abs(x) >= 1e15:  # beyond trillions scale words stop helping: "1.5 × 10¹⁵"
                mantissa, exponent = f"{round_sig(x, sig):.{sig - 1}e}".split("e")
                power = str(int(exponent)).translate(SUPERSCRIPT)
                return f"{mantissa.rstrip('0').rstrip('.')} × 10{power}"
            return f"{_plain(x / scale, sig)} {word}"
    return _plain(x, sig)
