"""MkDocs hook: numbers, tables, charts and provenance from frozen results into the prose.

Pages write macros in double braces; code blocks and inline code are left alone:

    {{ value exposure.images_per_year_essay }}       a computed value with its unit (hover: what it is)
    {{ value exposure.words_heard_by_20 range }}     its low – high range; also: nounit, sig=N
    {{ cite laion2b_en }}                            a catalog figure, linked to its source
    {{ source laion2b_en }}                          the source's title, linked, with its locator
    {{ chart exposure/headline }}                    an interactive chart with an SVG fallback
    {{ live exposure/years_vs_rate years }}          a number of an explorable chart on the page, which
                                                     follows the reader's settings (analyses/_explorable.py)
    {{ table exposure/checks }}                      a table from a CSV, with a download link
                                                     (charts and tables of machine measurements, kept in
                                                     results/<name>/measured/, say which machine made them)
    {{ values exposure }}                            every value of an analysis, with its sources
    {{ provenance exposure }}                        when, where and how the results were computed, and a
                                                     link to the analysis's notebook page
    {{ references }}                                 every catalog row, by file
    {{ evidence_index }}                             every analysis: its page and the arguments it tests

Each analysis's notebook, executed when its results were frozen (results/<name>/
notebook.ipynb), becomes a page at computation/<name>/: its cells as Markdown and
code blocks, its charts as on the other pages. Nothing is executed here.

Every chart and table links to the code that made it: the hook publishes each
analysis's Python sources as pages under code/ (with line anchors, as of the
commit the site is built from, the code the freshness check ties to the results)
and finds the call that added the chart or table by reading the source.

An unknown analysis, key, row, chart or table stops the build with the page
and the macro named: the site never publishes a hole.
"""

import ast
import bisect
import csv
import hashlib
import html
import inspect
import io
import json
import pathlib
import posixpath
import re
import shutil
import subprocess
import sys

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analyses import catalog  # noqa: E402
from analyses._format import format_number  # noqa: E402

RESULTS = ROOT / "docs" / "results"
CODE_DIR = "code"                      # the published sources, one page per file
NOTEBOOK_DIR = "computation"           # one page per analysis notebook
EXECUTED_NOTEBOOK = "notebook.ipynb"
MEASURED = "measured"
BUNDLE_CACHE = ROOT / ".cache"
BUNDLE_SITE_PATH = "assets/javascripts/vega-bundle.js"  # fetched by charts.js, next to it
CHARTS_SCRIPT = "assets/javascripts/charts.js"
LEDGER_FILE = "updates.json"           # written by the runner (analyses/_runner.py, record_updates)
UPDATES_PAGE = "updates/"
# Any {{ ... }} outside code is a macro: an unknown or mistyped one fails the build rather than stay as text.
MACRO = re.compile(r"\{\{([^{}\n]*)\}\}")
# Fenced code blocks and inline code spans are copied through untouched.
CODE = re.compile(r"(^(?P<fence>```+|~~~+).*?^(?P=fence)[ \t]*$|`[^`\n]+`)", re.M | re.S)

state: dict = {}


def _load_results() -> dict:
    loaded = {}
    for path in sorted(RESULTS.glob("*/results.json")):
        manifest, measured = path.parent / "manifest.json", path.parent / MEASURED / "results.json"
        notebook = path.parent / EXECUTED_NOTEBOOK
        loaded[path.parent.name] = {
            "results": json.loads(path.read_text()),
            "manifest": json.loads(manifest.read_text()) if manifest.is_file() else None,
            "measured": json.loads(measured.read_text()) if measured.is_file() else None,
            "notebook": json.loads(notebook.read_text()) if notebook.is_file() else None,
        }
    return loaded


def _notebook_charts(name: str, notebook: dict) -> dict[str, dict]:
    """key -> each chart a notebook draws, and where its page finds it: the frozen chart's files when the
    notebook drew exactly that chart, else files of its own (``files``, published beside its page)."""
    charts = {}
    for output in (o for cell in notebook["cells"] for o in cell.get("outputs", [])):
        meta = output.get("metadata", {}).get("essay", {})
        if "chart" not in meta:
            continue
        key, data = meta["chart"], output["data"]
        if meta.get("measured"):  # the notebook does not copy measurements: the page shows the frozen chart
            frozen = state["results"][name]["measured"]["charts"][key]
            charts[key] = {**meta, "same": True, "folder": f"results/{name}/{MEASURED}", "spec": frozen["spec"],
                           "svg": frozen["svg"], "files": {}}
            continue
        spec = next(v for k, v in data.items() if k.startswith("application/vnd.vegalite"))
        chart = {"title": meta["title"], "description": meta["description"], "same": False,
                 "folder": f"{NOTEBOOK_DIR}/{name}", "spec": f"{key}.vl.json", "svg": f"{key}.svg",
                 "files": {f"{key}.vl.json": json.dumps(spec, sort_keys=True), f"{key}.svg": data["image/svg+xml"]}}
        for folder, index in ((f"results/{name}", state["results"][name]["results"]),
                              (f"results/{name}/{MEASURED}", state["results"][name]["measured"])):
            frozen = (index or {}).get("charts", {}).get(key)
            if frozen and json.loads((ROOT / "docs" / folder / frozen["spec"]).read_text()) == spec:
                chart |= {"same": True, "folder": folder, "spec": frozen["spec"], "svg": frozen["svg"], "files": {}}
        charts[key] = chart
    return charts


def _vega_bundle() -> pathlib.Path:
    """The Vega, Vega-Lite and vega-embed JavaScript, bundled once per vl-convert version (no CDN)."""
    import vl_convert

    path = BUNDLE_CACHE / f"vega-bundle-{vl_convert.__version__}.js"
    if not path.is_file():
        BUNDLE_CACHE.mkdir(exist_ok=True)
        path.write_text(vl_convert.javascript_bundle())
    return path


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _call_sites(name: str) -> dict[tuple[str, str], tuple[str, int, str]]:
    """(kind, key) -> (file, line, function) of every ``.chart("key", ...)`` and ``.table("key", ...)`` call in
    an analysis's folder; an inner function wins over the one around it."""
    sites = {}
    for path in sorted((ROOT / "analyses" / name).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):  # outer functions come first in the walk, so inner ones overwrite
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("chart", "table") and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    sites[(node.func.attr, node.args[0].value)] = (str(path.relative_to(ROOT)), node.lineno,
                                                                   function.name)
    return sites


def _citation() -> dict:
    """Title and authors from CITATION.cff, the file GitHub's "Cite this repository" reads too."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    authors = [a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"]]
    return {"title": cff["title"], "authors": authors}


def _commit_date() -> str:
    """The day of the commit the site is built from (not of the build): the same site cites the same date."""
    try:
        return subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def on_config(config):
    state["citation"] = _citation()
    ledger = RESULTS / LEDGER_FILE
    state["updates"] = json.loads(ledger.read_text()) if ledger.is_file() else []
    home_chart = re.search(r"\{\{\s*chart\s+(\S+)/(\S+)\s*\}\}", (ROOT / "docs" / "index.md").read_text())
    state["site_card_spec"] = RESULTS / home_chart[1] / f"{home_chart[2]}.vl.json" if home_chart else None
    state["card_for"] = {}
    state["date"] = _commit_date()
    try:
        state["catalog"] = catalog.load()
    except catalog.CatalogError as error:
        raise PluginError(f"catalog: {error}") from None
    state["results"] = _load_results()
    state["bundle"] = _vega_bundle()
    state["commit"] = _commit()
    state["sites"] = {name: _call_sites(name) for name in state["results"]}
    state["notebook_charts"] = {name: _notebook_charts(name, found["notebook"])
                                for name, found in state["results"].items() if found["notebook"]}
    return config


def on_files(files, config):
    """One page at code/<path>/ per analysis source that adds a chart or a table: what the pages link to."""
    sources = sorted({path for sites in state["sites"].values() for path, _, _ in sites.values()})
    state["blocks"] = {}
    for path in sources:
        text = (ROOT / path).read_text(encoding="utf-8")
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
        lines = text.splitlines(keepends=True)
        starts = state["blocks"][path] = _block_starts(text)
        blocks = ["".join(lines[start - 1:end - 1]).rstrip("\n") + "\n"
                  for start, end in zip(starts, [*starts[1:], len(lines) + 1], strict=True)]
        content = (f"---\nsearch:\n  exclude: true\n---\n\n# `{path}`\n\n"
                   f"The source as of commit `{state['commit']}`, from which this site was built; the freshness check "
                   f"ties the frozen results on its pages to this code. Charts and tables link to the lines that made "
                   f"them.\n\n" + "".join(f'{fence}python linenums="{start}"\n{block}{fence}\n\n'
                                             for start, block in zip(starts, blocks, strict=True)))
        files.append(File.generated(config, f"{CODE_DIR}/{path}.md", content=content))
    rows = all_values()
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files.append(File.generated(config, f"{ALL_VALUES}.csv", content=text.getvalue()))
    files.append(File.generated(config, f"{ALL_VALUES}.json", content=json.dumps(rows, indent=1, ensure_ascii=False)))
    for name, charts in state["notebook_charts"].items():
        files.append(File.generated(config, f"{NOTEBOOK_DIR}/{name}.md", content=f"{{{{ notebook {name} }}}}\n"))
        for chart in charts.values():  # a chart the notebook drew differently from the page (a smaller case)
            for file_name, content in chart["files"].items():
                files.append(File.generated(config, f"{chart['folder']}/{file_name}", content=content))
    return files


def _block_starts(text: str) -> list[int]:
    """The first line of each block a published source is shown in: one block per top-level function or class
    (from its decorators and the comments right above it), so that the browser lays out only the blocks in view."""
    lines = text.splitlines()
    starts = {1}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            while start > 1 and lines[start - 2].startswith("#"):
                start -= 1
            starts.add(start)
    return sorted(starts)


def _line_anchor(path: str, line: int) -> str:
    """The id of a line on a published source's page: the theme numbers code blocks on a page from 0."""
    return f"__span-{bisect.bisect_right(state['blocks'][path], line) - 1}-{line}"


ALL_VALUES = "downloads/all-values"    # .csv and .json: every number on the site


def all_values() -> list[dict]:
    """Every number the site can show, one row each: the analyses' computed values (with the input hash of
    the results they belong to) and the catalog's cited figures (with the hash of the row itself)."""
    from analyses import _runner

    rows = []
    for name, found in sorted(state["results"].items()):
        page = _runner.spec(name).page.removesuffix(".md") + "/"
        input_hash = (found["manifest"] or {}).get("input_hash", "")
        for key, v in sorted(found["results"]["values"].items()):
            rows.append({"id": f"{name}.{key}", "value": v["value"], "unit": v["unit"], "low": v.get("low"),
                         "high": v.get("high"), "what": v["label"], "kind": "computed", "analysis": name,
                         "page": f"{page}#value-{key}", "source": "; ".join(v["sources"]), "url": "", "locator": "",
                         "input_hash": input_hash})
    for row in sorted(state["catalog"].values(), key=lambda r: (r.file, r.id)):
        rows.append({"id": row.id, "value": row.value, "unit": row.unit, "low": row.low, "high": row.high,
                     "what": row.counts, "kind": row.kind, "analysis": "", "page": f"references/#{row.id}",
                     "source": row.source, "url": row.url, "locator": row.locator, "input_hash": _runner._row_hash(row)})
    return rows


def on_post_page(output, page, config):
    """The chart script on the pages with charts only: the others load no script of ours, and none of Vega.
    And a name for the theme's search dialog, which has none (an accessibility failure)."""
    output = output.replace('<div class="md-search" data-md-component="search" role="dialog">',
                            '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">', 1)
    output = output.replace("</head>", social_metadata(output, page, config) + "</head>", 1)
    output = _deferred_blocks(output)
    if 'class="vega-chart"' not in output:
        return output
    return output.replace("</body>", f'<script src="{_rel(page, CHARTS_SCRIPT)}"></script>\n</body>', 1)


def _deferred_blocks(output: str) -> str:
    """Tables and code blocks the browser may leave unstyled and unlaid until they scroll near (essay.css): each
    table in a block of its own that knows its rows, and each code block told its height in lines, so that the
    space kept for each is near its real size (a code line is 1.19em of the block's font, plus 1.3em of padding:
    measured in Chromium) and the page below does not jump when they are drawn."""
    output = re.sub(r"<table>.*?</table>", lambda table: f'<div class="table-block" style="--rows: '
                    f'{table.group(0).count("<tr")}">{table.group(0)}</div>', output, flags=re.S)
    pieces = re.split(r'(<div class="(?:[\w-]+ )*highlight">)', output)
    for i in range(1, len(pieces), 2):
        lines = pieces[i + 1][:pieces[i + 1].find("</code>")].count('<span id="__span-')
        if lines:
            pieces[i] = pieces[i][:-1] + f' style="contain-intrinsic-block-size: auto calc({lines} * 1.19em + 1.3em)">'
    return "".join(pieces)


def on_post_build(config):
    target = pathlib.Path(config["site_dir"]) / BUNDLE_SITE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(state["bundle"], target)


# ---------------------------------------------------------------- helpers

def exact_integer(x: float) -> str | None:
    """Whole numbers below a million read exactly (2,048 not 2,050); years without a separator. None otherwise."""
    if not float(x).is_integer() or abs(x) >= 1e6:
        return None
    return str(int(x)) if 1900 <= abs(x) <= 2100 else f"{int(x):,}"


def format_quantity(x: float, unit: str = "", sig: int = 3) -> str:
    """A number with its unit: format_quantity(2.32e9, 'images') == '2.32 billion images'."""
    return with_unit(format_number(x, sig), unit)


def with_unit(text: str, unit: str) -> str:
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


def _number(x: float, options: dict) -> str:
    """Exact for whole numbers below a million unless the page asks for sig=N; else N significant figures."""
    exact = None if "sig" in options else exact_integer(x)
    return exact or format_number(x, options.get("sig", 3))


class MacroError(Exception):
    pass


def _rel(page, target: str) -> str:
    """URL of a site path relative to the page being rendered (use_directory_urls aware)."""
    base = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
    relative = posixpath.relpath(target, base or ".")
    return relative + "/" if target.endswith("/") and relative != "." else relative  # keep a directory URL's slash


def _rel_src(page, target: str) -> str:
    """Path of a docs file relative to the page's source file: what Markdown links need."""
    return posixpath.relpath(target, posixpath.dirname(page.file.src_uri) or ".")


def _analysis(name: str) -> dict:
    if name not in state["results"]:
        raise MacroError(f"no results for analysis '{name}' (have: {', '.join(state['results']) or 'none'}); "
                         f"run: nox -s analyses -- {name}")
    return state["results"][name]


def _output(ref: str, sep: str, kind: str) -> tuple[str, dict, str, str]:
    """A value, table or chart of an analysis, frozen or measured: (name, entry, folder, note).

    ``note`` is empty for frozen outputs; for machine measurements it says which machine made them.
    """
    name, key = _split(ref, sep)
    found = _analysis(name)
    if key in found["results"][kind]:
        return name, found["results"][kind][key], f"results/{name}", ""
    if found["measured"] and key in found["measured"][kind]:
        m = found["manifest"]["measured"]
        note = (f"Measured on {m['device_name']} ({m['device']}) on {m['started_utc'][:10]}: a measurement of that "
                "machine, which varies between machines and runs, kept apart from the frozen values.")
        return name, found["measured"][kind][key], f"results/{name}/{MEASURED}", note
    have = sorted(found["results"][kind]) + sorted(found["measured"][kind] if found["measured"] else [])
    raise MacroError(f"unknown {kind[:-1]} '{ref}' (analysis '{name}' has: {', '.join(have)})")


def _code_link(page, name: str, kind: str, key: str, text: str) -> str:
    """A link to the line that called ``.{kind}("{key}", ...)`` in the published source of analysis ``name``."""
    if (kind, key) not in state["sites"].get(name, {}):
        raise MacroError(f"no .{kind}(\"{key}\", ...) call found in analyses/{name}/: cannot link the {kind} to its code")
    path, line, function = state["sites"][name][(kind, key)]
    href = _rel(page, f"{CODE_DIR}/{path}/") + f"#{_line_anchor(path, line)}"
    title = html.escape(f"{function}() in {path}, line {line}", quote=True)
    return f'<a class="code-link" href="{href}" title="{title}">{text}</a>'


def _split(ref: str, sep: str) -> tuple[str, str]:
    if sep not in ref:
        raise MacroError(f"expected ANALYSIS{sep}NAME, got '{ref}'")
    return tuple(ref.split(sep, 1))


def _options(args: list[str]) -> dict:
    options = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key not in {"range", "nounit", "sig"} or (key == "sig") != bool(value):
            raise MacroError(f"unknown option '{arg}' (use range, nounit, sig=N)")
        if key == "sig":
            if not value.isdigit() or int(value) < 1:
                raise MacroError(f"option '{arg}': sig takes a whole number of significant figures, 1 or more")
            value = int(value)
        options[key] = value or True
    return options


def _number_text(value, unit, low, high, options) -> str:
    unit = "" if options.get("nounit") else unit
    if options.get("range"):
        if low is None:
            raise MacroError("option 'range' on a figure that has no low/high")
        return f"{_number(low, options)} – {with_unit(_number(high, options), unit)}"
    return with_unit(_number(value, options), unit)


# ---------------------------------------------------------------- macros

def m_value(page, ref, *options):
    name, v, _, note = _output(ref, ".", "values")
    key = ref.split(".", 1)[1]
    text = _number_text(v["value"], v["unit"], v.get("low"), v.get("high"), _options(options))
    title = html.escape(f"{v['label']}. {note or f'Computed by analysis {name!r}; click for its sources.'}",
                        quote=True)
    manifest = _analysis(name)["manifest"] or {"page": f"evidence/{name}.md"}
    target = _rel(page, manifest["page"].removesuffix(".md") + "/")
    href = ("" if target == "." else target) + f"#value-{key}"
    return f'<a class="result" href="{href}" title="{title}">{html.escape(text)}</a>' + _updated_mark(page, name, key)


def _updated_mark(page, name: str, item: str) -> str:
    """A link to the latest ledger entry of a value or verdict that a re-freeze changed; nothing otherwise."""
    latest = [i for i, e in enumerate(state["updates"], 1) if (e["analysis"], e["item"]) == (name, item)]
    if not latest:
        return ""
    e = state["updates"][latest[-1] - 1]
    title = html.escape(f"Changed on {e['date']}: {e['old']} → {e['new']}", quote=True)
    return (f'<sup><a class="updated" href="{_rel(page, UPDATES_PAGE)}#update-{latest[-1]}" title="{title}">'
            "updated</a></sup>")


def _row(row_id):
    if row_id not in state["catalog"]:
        raise MacroError(f"unknown catalog row '{row_id}'")
    return state["catalog"][row_id]


def m_cite(page, row_id, *options):
    row = _row(row_id)
    text = _number_text(row.value, row.unit, row.low, row.high, _options(options))
    title = html.escape(f"{row.source} — {row.locator}", quote=True)
    return f'<a class="cited" href="{html.escape(row.url)}" title="{title}">{html.escape(text)}</a>'


def m_source(page, row_id):
    row = _row(row_id)
    return f'<a href="{html.escape(row.url)}">{html.escape(row.source)}</a> ({html.escape(row.locator)})'


def _svg_size(folder: str, chart: dict) -> str:
    """The static SVG's width and height attributes, so the page reserves its space before it loads."""
    path = ROOT / "docs" / folder / chart["svg"]
    svg = path.read_text()[:400] if path.is_file() else chart["files"][chart["svg"]][:400]  # a notebook's own chart
    size = re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg)
    return f' width="{size[1]}" height="{size[2]}"' if size else ""


def _figure(page, anchor: str, folder: str, chart: dict, caption: str) -> str:
    """A chart: the interactive view over its static SVG, with a caption (HTML)."""
    base = _rel(page, folder)
    desc = html.escape(chart["description"], quote=True)
    lazy = ' loading="lazy"' if state["figures"] else ""  # the first chart may be the largest paint: load it at once
    state["figures"] += 1
    state["page_figures"].append((anchor, chart["title"], f"{base}/{chart.get('data', chart['svg'])}"))
    return (f'<figure class="chart" id="{anchor}">\n'
            f'<div class="vega-chart" data-spec="{base}/{chart["spec"]}" role="img" aria-label="{desc}">'
            f'<img src="{base}/{chart["svg"]}" alt="{desc}"{_svg_size(folder, chart)}{lazy}></div>\n'
            f'<figcaption><strong><a class="permalink-title" href="#{anchor}" title="Link to this figure">'
            f'{html.escape(chart["title"])}</a>.</strong> {caption}</figcaption>\n</figure>')


def _notebook_link(page, name: str, chart: str) -> str:
    """A link to the section of the analysis's notebook page that draws the chart."""
    if name not in state["notebook_charts"]:
        raise MacroError(f"analysis '{name}' has no executed notebook (results/{name}/{EXECUTED_NOTEBOOK}): write "
                         f"analyses/{name}/notebook.py and run: nox -s analyses -- {name}")
    if chart not in state["notebook_charts"][name]:
        raise MacroError(f"the notebook of '{name}' does not draw chart '{chart}': add "
                         f"show_chart(ctx.results, \"{chart}\") (or show_frozen_chart) to analyses/{name}/notebook.py")
    href = _rel(page, f"{NOTEBOOK_DIR}/{name}/") + f"#chart-{chart}"
    return f'<a class="notebook-link" href="{href}" title="The notebook section that draws this chart">notebook</a>'


def m_chart(page, ref):
    name, c, folder, note = _output(ref, "/", "charts")
    chart = ref.split("/", 1)[1]
    base = _rel(page, folder)
    note = f' <em class="measured">{html.escape(note)}</em>' if note else ""
    caption = (f'{html.escape(c["description"])}{note} '
               f'<span class="chart-links"><a href="{base}/{c["data"]}" download>Data (CSV)</a> · '
               f'<a href="{base}/{c["svg"]}" download>SVG</a> · '
               f'<a href="{base}/{c["spec"]}" download>Vega-Lite spec</a> · '
               f'Code: {_code_link(page, name, "table", c["data"].removesuffix(".csv"), "data")}, '
               f'{_code_link(page, name, "chart", chart, "chart")}, {_notebook_link(page, name, chart)}</span>')
    state.setdefault("card_spec", ROOT / "docs" / folder / c["spec"])   # the page's social card: its first chart
    return _figure(page, f"chart-{name}-{chart}", folder, c, caption)


def m_live(page, ref, name):
    """A number of an explorable chart on this page, which follows the reader's settings: the page's default
    here (an output's frozen results value, or a control's default), updated in the browser by charts.js."""
    analysis, c, folder, _ = _output(ref, "/", "charts")
    meta = json.loads((ROOT / "docs" / folder / c["spec"]).read_text()).get("usermeta", {}).get("explorable")
    if meta is None:
        raise MacroError(f"chart '{ref}' has no controls (analyses/_explorable.py): nothing can change its numbers")
    controls = {control["name"]: control for control in meta["controls"]}
    outputs = {output["name"]: output for output in meta["outputs"]}
    if name in outputs:
        value = _analysis(analysis)["results"]["values"][outputs[name]["value"]]
        text, title = _number_text(value["value"], outputs[name]["unit"], None, None, {}), outputs[name]["label"]
    elif name in controls:
        control = controls[name]
        text = (_number_text(control["default"], control["unit"], None, None, {}) if control["slider"]
                else control["options"][control["default"]])
        title = f"{control['label']}; the page's assumption: {control['source']}"
    else:
        raise MacroError(f"chart '{ref}' has no control or output '{name}' (has: {', '.join([*controls, *outputs])})")
    figure = f"chart-{analysis}-{ref.split('/', 1)[1]}"
    state["live"].add(figure)
    title = html.escape(f"{title}. Follows the controls under the chart; this is the page's default.", quote=True)
    return (f'<span class="live" data-chart="{figure}" data-name="{name}" title="{title}">'
            f"{html.escape(text)}</span>")


def _cell(text: str) -> str:
    try:
        x = float(text)
    except ValueError:
        return text.replace("|", "\\|")
    return exact_integer(x) or format_number(x)  # counts, sizes and years read exactly: 1,024 not 1,020


def m_table(page, ref):
    name, t, folder, note = _output(ref, "/", "tables")
    with open(ROOT / "docs" / folder / t["file"], newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in t["columns"] if not (c == "url" and "source" in t["columns"])]
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    from analyses._runner import verdict_item

    for r in rows:
        cells = []
        for c in columns:
            if c == "source" and "url" in r:
                cells.append(f"[{_cell(r[c])}]({r['url']})")
            elif c == "verdict" and ref.endswith("/verdicts"):   # a verdict a re-freeze changed links to the ledger
                cells.append(_cell(r[c]) + _updated_mark(page, name, verdict_item(r)))
            else:
                cells.append(_cell(r[c]))
        lines.append("| " + " | ".join(cells) + " |")
    link = _rel_src(page, f"{folder}/{t['file']}")
    note = f" {html.escape(note)}" if note else ""
    code = _code_link(page, name, "table", ref.split("/", 1)[1], "Code")
    return (f"{chr(10).join(lines)}\n\n*{html.escape(t['title'])}.*{note} [Download CSV]({link}){{: download }} · "
            f"{code}\n")


def m_updates(page):
    """The ledger the runner writes when a re-freeze changes a headline value or a verdict, newest first."""
    if not state["updates"]:
        return ("No re-freeze has changed a verdict or a headline value yet. When one does, the runner records it "
                f"in `docs/results/{LEDGER_FILE}` and it appears here.\n")
    from analyses import _runner

    lines = ["| date | analysis | what changed | before | after | inputs that changed |", "|---|---|---|---|---|---|"]
    for i, e in reversed(list(enumerate(state["updates"], 1))):
        analysis = _runner.spec(e["analysis"])
        what = e["label"] if e["kind"] == "verdict" else f"{e['label']} (`{e['item']}`)"
        why = ", ".join(f"`{k}`" for k in e["inputs_changed"]) or "none recorded"
        lines.append(f'| <span id="update-{i}"></span>{e["date"]} | [{analysis.title.split(":")[0]}]'
                     f'({_rel_src(page, analysis.page)}) | {_cell(what)} | {_cell(e["old"])} | {_cell(e["new"])} | '
                     f"{why} |")
    return "\n".join(lines) + "\n"


def m_values(page, name):
    results = _analysis(name)["results"]["values"]
    lines = ["| value | what it is | computed from |", "|---|---|---|"]
    for key, v in sorted(results.items()):
        text = _number_text(v["value"], v["unit"], v.get("low"), v.get("high"), {})
        if "low" in v:
            text += f" (range {_number_text(v['value'], v['unit'], v['low'], v['high'], {'range': True})})"
        sources = ", ".join(f"[{s}]({state['catalog'][s].url} \"{html.escape(state['catalog'][s].source)}\")"
                            if s in state["catalog"] else s for s in v["sources"]) or "other values above"
        lines.append(f'| <span id="value-{key}"></span>`{key}`: {text} | {v["label"]} | {sources} |')
    return ("\n".join(lines) + f"\n\nEvery number on the site, these included, with its unit, its source or "
            f"analysis and its input hash: [CSV]({_rel_src(page, ALL_VALUES + '.csv')}){{: download }} · "
            f"[JSON]({_rel_src(page, ALL_VALUES + '.json')}){{: download }}.\n")


def m_provenance(page, name):
    m = _analysis(name)["manifest"]
    if m is None:
        raise MacroError(f"analysis '{name}' has no manifest.json; run: nox -s analyses -- {name}")
    packages = ", ".join(f"{k} {v}" for k, v in sorted(m["packages"].items()))
    # What is true and checkable: the commit this site is built from, and whether the freshness check, run now,
    # finds that its code and inputs hash to the results' recorded input hash.
    from analyses import _runner
    problems, unverified = _runner.status(name)
    if problems:
        checked = (f"    **Stale at this build** (commit `{state['commit']}`): {'; '.join(problems)}. "
                   f"Refresh with `nox -s analyses -- {name}`.\n")
    else:
        checked = (f"    Checked when this site was built from commit `{state['commit']}`: its code and inputs hash to "
                   f"the recorded input hash `{m['input_hash'][:16]}`"
                   + (f", except what this machine could not check ({_runner.cannot_check(unverified)})" if unverified
                      else "") + ".\n")
    return (f'!!! info "Provenance"\n'
            f"    Computed on {m['started_utc'].replace('T', ' ')} UTC in {m['wall_time_s']:.1f} s, "
            f"profile `{m['profile']}`, on {m['device']} ({m['device_name']}), Python {m['python']}, {packages}, "
            f"environment lock `{m['lock_sha256'][:12]}` ([manifest]({_rel_src(page, f'results/{name}/manifest.json')})).\n"
            + checked
            + (f"    Machine measurements on this page (timings, memory) were made on {m['measured']['device_name']} "
               f"({m['measured']['device']}) on {m['measured']['started_utc'][:10]}; they vary between machines and "
               "are kept apart from the frozen values, which a re-run reproduces byte for byte.\n"
               if m.get("measured") else "")
            + (f"    **[The computation, step by step]({_rel_src(page, f'{NOTEBOOK_DIR}/{name}.md')})**: the notebook that "
               f"walks through how these results are computed, executed when they were frozen, to read, download "
               f"and run.\n" if name in state["notebook_charts"] else "")
            + f"    Re-run with `nox -s analyses -- {name} --force`"
            + (f" (this result used the `{m['profile']}` profile: add `--profile {m['profile']}`)."
               if m["profile"] != "quick" else ".") + "\n")


def _fence(text: str, info: str) -> str:
    """A fenced block around ``text`` with a fence longer than any backtick run inside it."""
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{fence}{info}\n{text.rstrip()}\n{fence}\n"


def _output_markdown(page, name: str, output: dict) -> str:
    """One output of an executed cell: a chart as on the other pages, Markdown as Markdown, text as text."""
    data = output.get("data", {})
    meta = output.get("metadata", {}).get("essay", {})
    if output["output_type"] == "stream":
        return _fence("".join(output["text"]), " { .text .notebook-output }")
    if "chart" in meta:
        key = meta["chart"]
        chart = state["notebook_charts"][name][key]
        made = ("Measurements of a machine, which the notebook does not copy: the frozen chart" if meta.get("measured")
                else "Loaded from the frozen results" if meta.get("frozen") else "Drawn in this notebook")
        if chart["same"]:
            evidence = _rel(page, _analysis(name)["manifest"]["page"].removesuffix(".md") + "/")
            note = f'{made}, identical to the chart on <a href="{evidence}#chart-{name}-{key}">the evidence page</a>.'
        else:
            note = f"{made}: a small case of the same code, not the chart on the evidence page."
        return _figure(page, f"chart-{key}", chart["folder"], chart,
                       f"{html.escape(chart['description'])} <em>{note}</em>") + "\n"
    if "text/markdown" in data:
        return "".join(data["text/markdown"]) + "\n"
    if "text/plain" in data:
        return _fence("".join(data["text/plain"]), " { .text .notebook-output }")
    raise MacroError(f"results/{name}/{EXECUTED_NOTEBOOK}: an output with only {', '.join(data)} cannot be shown")


def m_notebook(page, name):
    """The executed notebook of an analysis as a page: prose, code and outputs, with where it came from."""
    _analysis(name)
    notebook, manifest = state["results"][name]["notebook"], state["results"][name]["manifest"]
    if notebook is None:
        raise MacroError(f"analysis '{name}' has no executed notebook; run: nox -s analyses -- {name}")
    download = _rel(page, f"results/{name}/{EXECUTED_NOTEBOOK}")
    evidence = _rel_src(page, manifest["page"])
    about = (f'!!! info "How this page was made, and how to run it"\n'
             f"    This is the notebook `analyses/{name}/notebook.py`, executed by the runner against the frozen "
             f"results of [the evidence page]({evidence}) (computed {manifest['started_utc'][:10]}, profile "
             f"`{manifest['profile']}`, {manifest['device']}); the site shows its outputs and runs nothing. "
             f"Its last cell compares what it computed with the values the evidence page shows, and the freshness "
             f"check fails if this copy is stale or edited.\n\n"
             f'    <a href="{download}" download="{name}.ipynb">Download the notebook (.ipynb)</a>. To run it: in a '
             f"clone of the project, `nox -s site` once, then open it with the project's environment as the kernel "
             f"(`.nox/shared/bin/python -m pip install jupyterlab`, then `.nox/shared/bin/jupyter lab "
             f"docs/results/{name}/{EXECUTED_NOTEBOOK}`), or execute it headless with "
             f"`.nox/shared/bin/python tools/execute_notebook.py {name}`. Besides the project it needs "
             f"{_needs(name)}.\n\n")
    parts = []
    for i, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(source + "\n")
        elif cell["cell_type"] == "code":
            parts.append(_fence(source, "python"))
            parts += [_output_markdown(page, name, output) for output in cell["outputs"]]
        if i == 0:
            parts.append(about)
    return "\n".join(parts)


def _needs(name: str) -> str:
    """What a notebook needs beyond the project: the Debian packages of the analysis's outside inputs."""
    from analyses import _runner

    debian = sorted({o.debian for o in _runner.spec(name).external})
    return (f"the Debian packages {', '.join(debian)} (`apt-get install {' '.join(debian)}`)" if debian
            else "no data beyond the repository")


def m_references(page):
    """Every catalog row, by file: one entry each, a list rather than a table, so that it reads on a phone and the
    browser lays out only the entries in view (essay.css)."""
    out = []
    for file in sorted({r.file for r in state["catalog"].values()}):
        out.append(f'### Catalog `{file}.yaml`\n\n<div class="references" markdown>\n')
        for row in sorted((r for r in state["catalog"].values() if r.file == file), key=lambda r: r.id):
            figure = _number_text(row.value, row.unit, row.low, row.high, {"range": True} if row.low is not None else {})
            out.append(f'- <span id="{row.id}"></span>**{figure}** ({row.kind.replace("_", " ")}): '
                       f"{row.counts.rstrip('.')}.<br>[{row.source}]({row.url}), {row.locator} (read {row.accessed}). "
                       f"`{row.id}`")
        out.append("\n</div>\n")
    return "\n".join(out)


def m_evidence_index(page):
    """One row per registered analysis, from its Spec: nothing to keep in sync by hand."""
    from analyses import _runner
    from analyses.arguments import ARGUMENTS

    lines = ["| analysis | what it tests | the computation |", "|---|---|---|"]
    for name in _runner.names():
        spec = _runner.spec(name)
        link = _rel_src(page, spec.page)
        tested = "; ".join(ARGUMENTS[t][1] for t in spec.tests)
        notebook = (f"[notebook]({_rel_src(page, f'{NOTEBOOK_DIR}/{name}.md')})" if name in state["notebook_charts"]
                    else "none yet")
        lines.append(f"| [{spec.title}]({link}) | {tested} | {notebook} |")
    return "\n".join(lines) + "\n"


MACROS = {"value": m_value, "cite": m_cite, "source": m_source, "chart": m_chart, "live": m_live, "table": m_table,
          "values": m_values, "provenance": m_provenance, "notebook": m_notebook, "references": m_references,
          "evidence_index": m_evidence_index, "updates": m_updates}


def _usage(name: str) -> str:
    parameters = list(inspect.signature(MACROS[name]).parameters.values())[1:]  # after the page
    return " ".join(p.name.upper() + (" ..." if p.kind is p.VAR_POSITIONAL else "") for p in parameters)


def expand(markdown: str, page) -> str:
    def one(match):
        name, *args = match.group(1).split() or [""]
        if name not in MACROS:
            raise MacroError(f"unknown macro '{name}' in '{match.group(0)}' (known: {', '.join(MACROS)})")
        try:  # the arguments are checked against the macro's signature; errors inside it keep their own message
            inspect.signature(MACROS[name]).bind(page, *args)
        except TypeError:
            raise MacroError(f"wrong arguments to '{name}': {' '.join(args) or '(none)'}; "
                             f"use {{{{ {name} {_usage(name)} }}}}") from None
        return MACROS[name](page, *args)

    pieces, last = [], 0
    for match in CODE.finditer(markdown):
        pieces.append(MACRO.sub(one, markdown[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(MACRO.sub(one, markdown[last:]))
    return "".join(pieces)


def on_page_markdown(markdown, page, config, files):
    state["live"] = set()  # the charts this page's live numbers follow (m_live)
    state["figures"] = 0   # charts drawn so far on this page (_figure)
    state["page_figures"] = []  # (anchor, title, data link) of each chart on this page, for "Cite this page"
    state.pop("card_spec", None)
    try:
        expanded = expand(markdown, page)
    except MacroError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    for figure in sorted(state["live"]):
        if f'<figure class="chart" id="{figure}">' not in expanded:  # the number could never follow its chart
            raise PluginError(f"{page.file.src_uri}: a live number follows '{figure}', which is not on this page; "
                              "add its {{ chart }} macro")
    # Pages are all rendered before any is written out: keep this page's card for on_post_page.
    state["card_for"][page.file.src_uri] = state.get("card_spec") or state["site_card_spec"]
    if page.file.src_uri.startswith(f"{CODE_DIR}/"):   # a published source file: cited through its page
        return expanded
    return expanded + cite_this_page(page, config, markdown)


# ---------------------------------------------------------------- citing and sharing

CARD_DIR = "assets/cards"


def _card(spec_path: pathlib.Path, site_dir: pathlib.Path) -> str:
    """A PNG of a chart, drawn offline by vl-convert (twice the chart's size), cached by the spec's hash;
    its path in the site."""
    import vl_convert

    spec = spec_path.read_bytes()
    name = f"{hashlib.sha256(spec).hexdigest()[:16]}.png"
    cached = BUNDLE_CACHE / "cards" / name
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(vl_convert.vegalite_to_png(json.loads(spec), scale=2))
    target = site_dir / CARD_DIR / name
    if not target.is_file():   # pages without a chart share the home page's card: copy it once
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
    return f"{CARD_DIR}/{name}"


def _summary(output: str, fallback: str) -> str:
    """The page's opening paragraphs as plain text, cut to about 200 characters: what a link preview shows."""
    article = output[output.find("<article"):]
    text = ""
    for paragraph in re.findall(r"<p>(.*?)</p>", article, re.S):   # a short lead-in line takes the next one too
        text = f"{text} {' '.join(html.unescape(re.sub(r'<[^>]+>', '', paragraph)).split())}".strip()
        if len(text) >= 120:
            break
    text = text or fallback
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


def social_metadata(output: str, page, config) -> str:
    """Open Graph and Twitter tags: title, description, address, and a card image. The card is the page's
    first chart, or the home page's chart for pages without one: drawn at build time, without network."""
    spec = state["card_for"].get(page.file.src_uri, state["site_card_spec"])
    site = (config.get("site_url") or "").rstrip("/")
    card = _card(spec, pathlib.Path(config["site_dir"])) if spec and spec.is_file() else None
    title = html.escape(f"{page.title} · {config['site_name']}" if page.title and not page.is_homepage
                        else config["site_name"], quote=True)
    description = html.escape(_summary(output, config.get("site_description") or ""), quote=True)
    tags = [f'<meta property="og:type" content="{"website" if page.is_homepage else "article"}">',
            f'<meta property="og:site_name" content="{html.escape(config["site_name"], quote=True)}">',
            f'<meta property="og:title" content="{title}">', f'<meta property="og:description" content="{description}">',
            f'<meta name="twitter:title" content="{title}">', f'<meta name="twitter:description" content="{description}">']
    if site:
        tags.append(f'<meta property="og:url" content="{site}/{page.url}">')
    if card:
        # Absolute on the published site, as Open Graph asks; relative in a local build.
        image = f"{site}/{card}" if site else _rel(page, card)
        tags += [f'<meta property="og:image" content="{image}">', '<meta name="twitter:card" content="summary_large_image">',
                 f'<meta name="twitter:image" content="{image}">']
    return "\n".join(tags) + "\n"



def _page_title(page, markdown: str) -> str:
    heading = re.search(r"^#\s+(.+?)\s*$", markdown, re.M)
    return page.title or (heading[1] if heading else page.file.src_uri)


def _page_url(page, config) -> str:
    """The page's address: absolute when site_url is set (the published site), else its path in the site."""
    site = (config.get("site_url") or "").rstrip("/")
    return f"{site}/{page.url}" if site else (page.url or "./")


def bibtex(key: str, title: str, authors: list[str], book: str, url: str, date: str, commit: str) -> str:
    """A @misc entry; braces keep the title's and authors' capitals as written."""
    return (f"@misc{{{key},\n  author       = {{{' and '.join('{' + a + '}' for a in authors)}}},\n"
            f"  title        = {{{{{title}}}}},\n  howpublished = {{{book}}},\n  year         = {{{date[:4]}}},\n"
            f"  url          = {{{url}}},\n  note         = {{Commit {commit}, {date}}}\n}}")


def cite_this_page(page, config, markdown: str) -> str:
    """The section that ends every page: a formatted reference, its BibTeX, and one entry per figure."""
    c, title, url = state["citation"], _page_title(page, markdown), _page_url(page, config)
    authors, date, commit = ", ".join(c["authors"]), state["date"], state["commit"]
    key = "essay-" + (re.sub(r"[^a-z0-9]+", "-", page.url.lower()).strip("-") or "home")
    lines = ["", "", "## Cite this page", "",
             f"{authors} ({date[:4]}). \"{title}\". In *{c['title']}*. {url} (commit `{commit}`, {date}).", "",
             '??? quote "BibTeX"', "", "    ```bibtex",
             *("    " + line for line in bibtex(key, title, c["authors"], c["title"], url, date, commit).split("\n")),
             "    ```", ""]
    if state["page_figures"]:
        lines += [f'??? quote "Cite a figure ({len(state["page_figures"])} on this page)"', ""]
        # HTML links: the data link is relative to the page's address, not to its Markdown file.
        lines += [f'    - <a href="#{a}">{html.escape(t)}</a>: {authors} ({date[:4]}). "{t}", figure in "{title}". '
                  f'{url}#{a} (commit `{commit}`). <a href="{d}" download>Data</a>' for a, t, d in state["page_figures"]]
        lines.append("")
    return "\n".join(lines)
