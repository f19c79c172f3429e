"""What each analysis's notebook (analyses/<name>/notebook.py) uses to show its computation.

A notebook runs the analysis's own code here (no copied logic), shows its charts
and tables as it goes, and ends with ``check``: a table of what it computed
against the frozen values the site shows, which fails the notebook on any
difference. The runner executes every notebook when it freezes the analysis
(``execute_notebook`` in analyses/_runner.py); the site renders the executed copy.

Run by the runner, the frozen values come from the results being written
(ESSAY_FROZEN_RESULTS), in the profile and on the device of that run; run by a
reader in a clone of the project, from docs/results/<name>/ on the CPU.
"""

import csv
import importlib
import json
import math
import os
import pathlib
import tempfile

from IPython.display import Markdown, display

from analyses._format import format_number
from analyses._results import Results, _steady, render_svg

ROOT = pathlib.Path(__file__).resolve().parent.parent
FROZEN_ENV, PROFILE_ENV, DEVICE_ENV, SHRINK_ENV = ("ESSAY_FROZEN_RESULTS", "ESSAY_PROFILE", "ESSAY_DEVICE",
                                                   "ESSAY_SHRINK")
VEGALITE_MIME = "application/vnd.vegalite.v6+json"  # Altair 6 writes Vega-Lite 6 specs


def frozen_dir(name: str) -> pathlib.Path:
    return pathlib.Path(os.environ.get(FROZEN_ENV) or ROOT / "docs" / "results" / name)


def frozen(name: str) -> dict:
    """The frozen results.json of an analysis: its values, and the index of its tables and charts."""
    path = frozen_dir(name) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run this notebook in a clone of the project, "
                                f"after `nox -s analyses -- {name}`")
    return json.loads(path.read_text())


def frozen_table(name: str, table: str) -> list[dict]:
    """Rows of a frozen table (CSV), numbers as floats."""
    def cell(text: str):
        try:
            return float(text)
        except ValueError:
            return text

    with open(frozen_dir(name) / f"{table}.csv", newline="") as f:
        return [{k: cell(v) for k, v in row.items()} for row in csv.DictReader(f)]


def context(name: str, shrink: bool | None = None):
    """The context an analysis's run(ctx) gets, without running anything: its profile's parameters
    (``ctx.params``) and its declared inputs (``ctx.row``, ``ctx.data``), for the notebook's own steps.
    ``shrink`` uses the Spec's test overrides: the same code on a case small enough for a notebook."""
    runner = importlib.import_module("analyses._runner")  # the runner is not an input of any analysis
    spec = runner.spec(name)
    profile = os.environ.get(PROFILE_ENV) or runner.recorded_profile(name)
    shrink = os.environ.get(SHRINK_ENV) == "1" if shrink is None else shrink
    ctx = runner.Context(name, spec, profile, os.environ.get(DEVICE_ENV, "cpu"), shrink, measuring=False)
    ctx.step = lambda what: print(f"step: {what}", flush=True)  # no elapsed times: outputs stay byte-identical
    return ctx


def run(name: str, shrink: bool | None = None):
    """Run analysis ``name`` here, as the runner does but without timing this machine; returns its context
    (``ctx.results`` holds every value, table and chart)."""
    ctx = context(name, shrink)
    importlib.import_module("analyses._runner")._seed_everything(ctx.seed)
    importlib.import_module(f"analyses.{name}.analysis").run(ctx)
    return ctx


def _bundle(spec: dict, title: str) -> dict:
    return {VEGALITE_MIME: spec, "image/svg+xml": render_svg(spec), "text/plain": f"<chart: {title}>"}


def show_chart(results: Results, key: str) -> None:
    """Display one chart of ``results``: interactive in Jupyter, an SVG elsewhere; the site links the chart
    of the same name on the evidence page to this output."""
    chart = results.charts[key]
    display(_bundle(chart["spec"], chart["title"]), raw=True,
            metadata={"essay": {"chart": key, "title": chart["title"], "description": chart["description"]}})


def show_frozen_chart(name: str, key: str) -> None:
    """Display a chart as frozen: for what a notebook cannot redraw in a minute (a long sweep)."""
    chart = frozen(name)["charts"][key]
    spec = json.loads((frozen_dir(name) / chart["spec"]).read_text())
    display(_bundle(spec, chart["title"]), raw=True,
            metadata={"essay": {"chart": key, "title": chart["title"], "description": chart["description"],
                                "frozen": True}})


def show_measured_chart(name: str, key: str) -> None:
    """The place of a chart of machine measurements (timings, memory). They vary between machines and runs,
    so the notebook does not copy them, which keeps it byte-identical between runs; the site draws the chart
    as measured here, and a reader's own run of the analysis measures their machine."""
    chart = json.loads((frozen_dir(name) / "measured" / "results.json").read_text())["charts"][key]
    display(Markdown(f"*{chart['title']}*: measurements of the machine named on the evidence page, not copied "
                     f"into this notebook. `nox -s analyses -- {name} --force` measures yours."), metadata={
        "essay": {"chart": key, "title": chart["title"], "description": chart["description"], "measured": True}})


def _markdown_table(rows: list[dict], columns: list[str]) -> str:
    def cell(x) -> str:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            text = str(x)
        elif float(x).is_integer() and abs(x) < 1e6:  # counts read exactly, years without a separator
            text = str(int(x)) if 1900 <= abs(x) <= 2100 else f"{int(x):,}"
        else:
            text = format_number(x, 4)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def show_table(results: Results, key: str, limit: int = 12, columns: list[str] | None = None) -> None:
    """Display the first ``limit`` rows of a table (numbers to 4 significant figures)."""
    table = results.tables[key]
    rows, columns = table["rows"], columns or table["columns"]
    more = f"\n\n*… and {len(rows) - limit} more rows.*" if len(rows) > limit else ""
    display(Markdown(f"*{table['title']}*\n\n{_markdown_table(rows[:limit], columns)}{more}"))


EXACT = 1e-7  # frozen values keep 8 significant digits (analyses/_results.py): equal after the same rounding


def _same(a: float, b: float, rel_tol: float) -> bool:
    return _steady(float(a)) == b or math.isclose(a, b, rel_tol=rel_tol, abs_tol=0.0)


def check(name: str, computed: dict[str, float], ctx=None, rel_tol: float = EXACT) -> None:
    """The notebook's last step. Shows each value computed step by step beside the frozen value the site
    shows; with ``ctx``, a run of the whole analysis, also compares every file that run writes (values,
    tables, chart specs and SVGs) with the frozen files, byte for byte. Fails the notebook on any difference.
    ``rel_tol`` is for values refitted from frozen tables (8 digits), which cannot match to the last digit;
    the table says so when it is looser than the rounding."""
    values = frozen(name)["values"]
    unknown = sorted(set(computed) - set(values))
    if unknown:
        raise KeyError(f"not frozen values of '{name}': {', '.join(unknown)}")
    rows = [{"value": f"`{key}`", "computed here": f"{x:.8g}", "on the page": f"{values[key]['value']:.8g}",
             "unit": values[key]["unit"], "equal?": "yes" if _same(x, values[key]["value"], rel_tol) else "**NO**"}
            for key, x in computed.items()]
    if rel_tol > EXACT:
        display(Markdown(f"*Equal here means within {rel_tol:g} of each other, relatively.*"))
    display(Markdown(_markdown_table(rows, list(rows[0]))))
    different = [r["value"] for r in rows if r["equal?"] != "yes"]
    if ctx is not None:
        with tempfile.TemporaryDirectory() as scratch:
            written = ctx.results.write(pathlib.Path(scratch), name)
            different += [f for f in written
                          if (pathlib.Path(scratch) / f).read_bytes() != (frozen_dir(name) / f).read_bytes()]
    if different:
        raise AssertionError(f"differ from the frozen results: {', '.join(different)}")
    print(f"All {len(rows)} values above equal the frozen ones"
          + (f"; the whole run wrote {len(written)} files byte-identical to the frozen ones "
             f"({len(ctx.results.values)} values, {len(ctx.results.tables)} tables, {len(ctx.results.charts)} charts)"
             if ctx is not None else "") + ".")


def values(ctx, *keys: str) -> dict[str, float]:
    """{key: value} of values a run computed, all of them when no key is named."""
    return {k: ctx.results.values[k]["value"] for k in (keys or ctx.results.values)}
