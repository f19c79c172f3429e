"""One look across the site: the same modality has the same colour on every page's charts."""

# Tableau 10, as Vega's default scheme: vision blue, audio green, language red.
MODALITY_COLOURS = {"vision": "#1f77b4", "audio": "#2ca02c", "language": "#d62728"}
NEUTRAL = "#7f7f7f"  # people, brains and other references beside the models


def modality_scale(alt, modalities=("vision", "audio", "language"), extra: dict[str, str] | None = None):
    """An Altair colour scale giving each modality its site-wide colour (``extra``: further categories)."""
    colours = {**{m: MODALITY_COLOURS[m] for m in modalities}, **(extra or {})}
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def modality_expression(field: str, modality_by_value: dict[str, str]) -> str:
    """A Vega expression giving the modality of each row from one of its fields, for ``transform_calculate``:
    charts colour by modality without adding a column to their data file."""
    expression = "null"
    for value, modality in reversed(modality_by_value.items()):
        expression = f"datum[{field!r}] === {value!r} ? {modality!r} : {expression}"
    return expression
