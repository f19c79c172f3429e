"""The outputs of one analysis run, and how they are written to disk.

An analysis adds named values (with units), tables and Altair charts to a
``Results``; the runner writes them as:

    results.json       every value, plus an index of tables and charts
    <table>.csv        one file per table
    <chart>.vl.json    the Vega-Lite spec (interactive on the site)
    <chart>.svg        a static rendering of it (the fallback without JavaScript)

Everything here is deterministic: sorted keys, fixed float repr, no clocks, so
re-running the same inputs gives byte-identical files. Fractional numbers are
kept to 8 significant digits (the site shows 3): the last bits of a fit or a
BLAS sum differ between machines, and must not churn the frozen files.
Timings and memory of the machine do not belong here: an analysis records them
in ``ctx.measurements``, written apart (see analyses/_runner.py).
"""

import csv
import io
import json
import math
import pathlib
import re

KEY = re.compile(r"[a-z][a-z0-9_]*")


GRADIENT_ID = re.compile(r"gradient_\d+")


def render_svg(spec: dict) -> str:
    """The static SVG of a Vega-Lite spec. vl-convert numbers gradient ids (colour-bar legends) across the
    whole process, so a chart's id would depend on which charts were drawn before it: number them per chart."""
    import vl_convert  # only needed when writing charts

    ids: dict[str, str] = {}
    # vl-convert renders with the same Vega-Lite version Altair targets.
    return GRADIENT_ID.sub(lambda m: ids.setdefault(m.group(0), f"gradient_{len(ids)}"),
                           vl_convert.vegalite_to_svg(spec))


class ResultsError(ValueError):
    pass


def _check_key(kind: str, key: str, taken) -> None:
    if not KEY.fullmatch(key):
        raise ResultsError(f"{kind} name {key!r} must be lower_snake_case")
    if key in taken:
        raise ResultsError(f"{kind} {key!r} was added twice")


SIGNIFICANT_DIGITS = 8


def _steady(x):
    """Round fractional floats to SIGNIFICANT_DIGITS, inside lists and dicts too; integers stay exact."""
    if isinstance(x, float) and math.isfinite(x) and not x.is_integer():
        return float(f"{x:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(x, dict):
        return {k: _steady(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_steady(v) for v in x]
    return x


def _finite(key: str, x) -> float:
    x = float(x)
    if not math.isfinite(x):
        raise ResultsError(f"value {key!r} is not finite ({x})")
    return _steady(x)


class Results:
    def __init__(self):
        self.values: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}
        self.charts: dict[str, dict] = {}

    def value(self, key: str, value: float, unit: str, label: str, low: float | None = None,
              high: float | None = None, sources: tuple[str, ...] = ()) -> float:
        """Record a named number. ``sources`` lists the catalog row ids it was computed from."""
        _check_key("value", key, self.values)
        entry = {"value": _finite(key, value), "unit": unit, "label": label, "sources": sorted(sources)}
        if low is not None or high is not None:
            entry["low"], entry["high"] = _finite(key, low), _finite(key, high)
            if not entry["low"] <= entry["high"]:
                raise ResultsError(f"value {key!r}: low {low} is above high {high}")
        self.values[key] = entry
        return entry["value"]

    def table(self, name: str, rows: list[dict], title: str) -> None:
        """A table as a list of rows with the same keys (one CSV file)."""
        _check_key("table", name, self.tables)
        if not rows:
            raise ResultsError(f"table {name!r} has no rows")
        columns = list(rows[0])
        for i, row in enumerate(rows):
            if list(row) != columns:
                raise ResultsError(f"table {name!r} row {i} has columns {list(row)}, expected {columns}")
        self.tables[name] = {"title": title, "columns": columns, "rows": [_steady(row) for row in rows]}

    def chart(self, name: str, chart, title: str, description: str, data: str) -> None:
        """An Altair chart. ``description`` is the text alternative; ``data`` names the table it plots."""
        _check_key("chart", name, self.charts)
        if data not in self.tables:
            raise ResultsError(f"chart {name!r} plots table {data!r}, which was not added first")
        self.charts[name] = {"title": title, "description": description, "data": data, "spec": _steady(chart.to_dict())}

    def write(self, directory: pathlib.Path, analysis: str) -> list[str]:
        """Write every output into ``directory``; returns the file names written."""
        files: dict[str, bytes] = {}
        for name, table in self.tables.items():
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=table["columns"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(table["rows"])
            files[f"{name}.csv"] = buffer.getvalue().encode()
        for name, chart in self.charts.items():
            spec = chart["spec"]
            try:  # browsers reject NaN and Infinity in JSON: fail here, naming the chart
                text = json.dumps(spec, indent=1, sort_keys=True, allow_nan=False)
            except ValueError:
                raise ResultsError(f"chart {name!r} has a NaN or infinite value in its data") from None
            files[f"{name}.vl.json"] = (text + "\n").encode()
            files[f"{name}.svg"] = render_svg(spec).encode()
        index = {
            "analysis": analysis,
            "values": self.values,
            "tables": {n: {"file": f"{n}.csv", "title": t["title"], "columns": t["columns"]}
                       for n, t in self.tables.items()},
            "charts": {n: {"spec": f"{n}.vl.json", "svg": f"{n}.svg", "data": f"{c['data']}.csv",
                           "title": c["title"], "description": c["description"]}
                       for n, c in self.charts.items()},
        }
        files["results.json"] = (json.dumps(index, indent=1, sort_keys=True, allow_nan=False) + "\n").encode()
        for file_name, content in files.items():
            (directory / file_name).write_bytes(content)
        return sorted(files)
