"""Number formatting shared by the results writer and the MkDocs hook.

Numbers are rounded to a few significant figures and large ones are spelled
with a scale word ("2.32 billion"), the way a reader says them.
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


def format_quantity(x: float, unit: str = "", sig: int = 3) -> str:
    """A number with its unit: format_quantity(2.32e9, 'images') == '2.32 billion images'."""
    text = format_number(x, sig)
    if not unit:
        return text
    if unit == "%":
        return f"{text}%"
    if unit == "×":
        return f"{text}×"
    return f"{text} {unit}"


def format_range(low: float, high: float, unit: str = "", sig: int = 2) -> str:
    """'14 million – 220 million words', with the unit once."""
    return f"{format_number(low, sig)} – {format_quantity(high, unit, sig)}"
