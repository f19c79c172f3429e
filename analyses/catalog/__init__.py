"""The catalog of cited figures: every number on the site that no analysis computes.

Each ``*.yaml`` file beside this module is a list of rows. A row is one figure
from one source, with enough to find it again: the URL and a locator (table,
section or a short quote). Rows are validated when loaded; a bad row fails with
one line naming the file, the row and the field.

    rows = load("exposure")           # {id: Row}
    rows["laion2b_en"].value          # 2.32e9
"""

import dataclasses
import datetime
import math
import pathlib
import re

import yaml

CATALOG_DIR = pathlib.Path(__file__).parent
# libyaml's safe loader where PyYAML was built with it (ten times faster; the same YAML 1.1 rules).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What a row may say it is. "claim" rows record what one of the original texts
# asserts, so an analysis can check it; "assumption" rows are inputs the texts
# (or we) choose, shown as such on the page.
KINDS = {"measurement", "estimate", "upper_bound", "lower_bound", "claim", "assumption", "definition"}

# Units are a closed list so that a typo ("token" for "tokens") cannot slip a
# figure into the wrong comparison.
UNITS = {
    "images", "image-text pairs", "samples", "samples/step", "steps", "images/s", "fixations/s",
    "tokens", "words", "words/day", "words/min", "words/token",
    "hours", "hours/day", "years", "days/year",
    "parameters", "neurons", "synapses", "synapses/neuron", "bits", "%", "ratio", "GB", "perplexity", "FLOP/s", "neurons/mm3", "mm3", "frames", "frames/s", "pixels", "seconds",
}

REQUIRED = ("id", "value", "unit", "kind", "counts", "source", "url", "locator", "accessed")
OPTIONAL = ("low", "high", "note")


class CatalogError(ValueError):
    """A catalog file or row that does not validate. The message is one line."""


@dataclasses.dataclass(frozen=True)
class Row:
    id: str
    value: float
    unit: str
    kind: str
    counts: str          # what exactly the figure counts
    source: str          # title (and authors, year) of the source
    url: str
    locator: str         # table / section / short quote
    accessed: str        # ISO date the source was read
    file: str            # catalog file stem the row came from
    low: float | None = None
    high: float | None = None
    note: str = ""

    @property
    def range(self) -> tuple[float, float]:
        """(low, high), or (value, value) where the source gives a single figure."""
        return (self.low if self.low is not None else self.value,
                self.high if self.high is not None else self.value)


def _number(raw, where: str, field: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise CatalogError(f"{where}: field '{field}' must be a number, got {raw!r}")
    try:
        value = float(raw)  # YAML reads "2.32e9" (no dot) as a string; accept it
    except ValueError:
        raise CatalogError(f"{where}: field '{field}' must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise CatalogError(f"{where}: field '{field}' must be finite, got {raw!r}")
    return value


def parse_row(raw, path: pathlib.Path, index: int) -> Row:
    """Validate one raw YAML mapping; ``index`` is 1-based for messages."""
    where = f"{path.name} row {index}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(raw).__name__}")
    if "id" in raw:
        where += f" (id '{raw['id']}')"
    problem = _field_problem(raw)
    if problem:
        raise CatalogError(f"{where}: {problem}")
    value = _number(raw["value"], where, "value")
    low = _number(raw["low"], where, "low") if raw.get("low") is not None else None
    high = _number(raw["high"], where, "high") if raw.get("high") is not None else None
    problem = _range_problem(value, low, high)
    if problem:
        raise CatalogError(f"{where}: {problem}")
    return Row(id=raw["id"], value=value, unit=raw["unit"], kind=raw["kind"], counts=str(raw["counts"]).strip(),
               source=str(raw["source"]).strip(), url=raw["url"], locator=str(raw["locator"]).strip(),
               accessed=str(raw["accessed"]), file=path.stem, low=low, high=high,
               note=str(raw.get("note") or "").strip())


def _field_problem(raw: dict) -> str | None:
    """The first field that is missing, unknown or malformed, in words."""
    missing = next((field for field in REQUIRED if raw.get(field) in (None, "")), None)
    if missing:
        return f"field '{missing}' is missing"
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        return f"unknown field '{unknown[0]}' (allowed: {', '.join(REQUIRED + OPTIONAL)})"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", str(raw["id"])):
        return f"field 'id' must be lower_snake_case, got {raw['id']!r}"
    if raw["unit"] not in UNITS:
        return f"field 'unit' has unknown unit {raw['unit']!r} (known: {', '.join(sorted(UNITS))})"
    if raw["kind"] not in KINDS:
        return f"field 'kind' must be one of {', '.join(sorted(KINDS))}, got {raw['kind']!r}"
    if not str(raw["url"]).startswith("https://"):
        return f"field 'url' must be an https:// address, got {raw['url']!r}"
    try:
        datetime.date.fromisoformat(str(raw["accessed"]))
    except ValueError:
        return f"field 'accessed' must be an ISO date (YYYY-MM-DD), got {raw['accessed']!r}"
    return None


def _range_problem(value: float, low: float | None, high: float | None) -> str | None:
    if value < 0:
        return f"field 'value' must not be negative, got {value}"
    if low is not None and low > value:
        return f"field 'low' ({low}) is above 'value' ({value})"
    if high is not None and high < value:
        return f"field 'high' ({high}) is below 'value' ({value})"
    return None


def load_file(path: pathlib.Path) -> dict[str, Row]:
    """Rows of one catalog file, by id."""
    if not path.is_file():
        raise CatalogError(f"catalog file {path} does not exist")
    try:
        raw_rows = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise CatalogError(f"{path.name}{line}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(raw_rows, list):
        raise CatalogError(f"{path.name}: expected a list of rows at the top level")
    rows: dict[str, Row] = {}
    for index, raw in enumerate(raw_rows, start=1):
        row = parse_row(raw, path, index)
        if row.id in rows:
            raise CatalogError(f"{path.name} row {index} (id '{row.id}'): duplicate id")
        rows[row.id] = row
    return rows


def load(*names: str, directory: pathlib.Path = CATALOG_DIR) -> dict[str, Row]:
    """Rows of the named catalog files (all files when none is named), by id."""
    paths = [directory / f"{name}.yaml" for name in names] if names else sorted(directory.glob("*.yaml"))
    rows: dict[str, Row] = {}
    for path in paths:
        for row_id, row in load_file(path).items():
            if row_id in rows:
                raise CatalogError(f"{path.name}: id '{row_id}' is also defined in {rows[row_id].file}.yaml")
            rows[row_id] = row
    return rows
