"""The strict build, the macros, the docs' code snippets, and that the site loads nothing from elsewhere."""

import html
import pathlib
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def build(repo) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=repo, capture_output=True,
                          text=True)


def test_numbers_in_prose_come_from_results(built_site):
    page = (built_site / "evidence" / "exposure" / "index.html").read_text()
    # 10 images/s × 3600 × 18 h × 365.25 days, formatted by the hook, linked to its definition.
    assert re.search(r'<a class="result" href="#value-images_per_year_essay"[^>]*>237 million images/year</a>', page)
    assert 'class="cited" href="https://arxiv.org/abs/2210.08402"' in page
    assert "{{" not in re.sub(r"<code>.*?</code>", "", page, flags=re.S)


@pytest.mark.parametrize("macro, message", [
    ("{{ value exposure.no_such_key }}", "docs/evidence/exposure.md: unknown value 'exposure.no_such_key'"),
    ("{{ cite no_such_row }}", "unknown catalog row 'no_such_row'"),
    ("{{ chart exposure/nothing }}", "unknown chart 'exposure/nothing'"),
    ("{{ value missing.key }}", "no results for analysis 'missing'"),
    ("{{ frobnicate x }}", "unknown macro 'frobnicate'"),
    ("{{ Value exposure.vision_ratio }}", "unknown macro 'Value' in '{{ Value exposure.vision_ratio }}'"),
    ("{{ value2 exposure.vision_ratio }}", "unknown macro 'value2'"),
    ("{{ value }}", "wrong arguments to 'value': (none); use {{ value REF OPTIONS ... }}"),
    ("{{ cite laion2b_en sig=0 }}", "option 'sig=0': sig takes a whole number of significant figures, 1 or more"),
    ("{{ cite laion2b_en sig=x }}", "option 'sig=x': sig takes a whole number"),
    ("{{ live exposure/headline years }}", "chart 'exposure/headline' has no controls"),
    ("{{ live exposure/years_vs_rate speed }}", "chart 'exposure/years_vs_rate' has no control or output 'speed' "
                                                "(has: images_per_second, waking_hours, years, images_per_year)"),
])
def test_unknown_keys_fail_the_build(repo_copy, macro, message):
    page = repo_copy / "docs" / "evidence" / "exposure.md"
    page.write_text(page.read_text() + f"\n{macro}\n")
    result = build(repo_copy)
    assert result.returncode != 0
    assert message.replace("docs/", "") in result.stdout + result.stderr


def test_a_live_number_needs_its_chart_on_the_page(repo_copy):
    page = repo_copy / "docs" / "evidence" / "brain.md"
    page.write_text(page.read_text() + "\n{{ live exposure/years_vs_rate years }}\n")
    result = build(repo_copy)
    assert result.returncode != 0
    assert ("evidence/brain.md: a live number follows 'chart-exposure-years_vs_rate', which is not on this page"
            in result.stdout + result.stderr)


def test_live_numbers_show_the_defaults_and_name_their_chart(built_site):
    page = (built_site / "evidence" / "exposure" / "index.html").read_text()
    # 2.32e9 images / (10 × 3600 × 18 × 365.25) = 9.80 years: the frozen value, formatted as {{ value }} does.
    assert re.search(r'<span class="live" data-chart="chart-exposure-years_vs_rate" data-name="years"[^>]*>9.8 years'
                     r'</span>', page)
    assert re.search(r'data-name="images_per_second"[^>]*>10 images/s</span>', page)


def test_whole_numbers_print_exactly_unless_asked(built_site):
    page = (built_site / "evidence" / "exposure" / "index.html").read_text()
    assert re.search(r'class="cited"[^>]*>2048 samples/step</a>', page)          # a batch size, not "2,050"
    from analyses._mkdocs_hook import _number_text
    assert _number_text(2048, "samples/step", None, None, {"sig": 2}) == "2,000 samples/step"   # asked to round
    assert _number_text(123456, "", None, None, {}) == "123,456"
    assert _number_text(2.32e9, "images", None, None, {}) == "2.32 billion images"   # large ones keep scale words
    assert _number_text(0.75, "words/token", None, None, {}) == "0.75 words/token"


def test_provenance_says_whether_the_results_match_the_code_it_was_built_from(repo_copy, built_site):
    page = (built_site / "evidence" / "exposure" / "index.html").read_text()
    assert re.search(r"Checked when this site was built from commit <code>[0-9a-f]{12}</code>: its code and inputs "
                     r"hash to the recorded input hash <code>[0-9a-f]{16}</code>", page)
    assert "+uncommitted" not in page
    analysis = repo_copy / "analyses" / "exposure" / "analysis.py"
    analysis.write_text(analysis.read_text() + "\nCHANGED = 1\n")
    assert build(repo_copy).returncode == 0
    stale = (repo_copy / "site" / "evidence" / "exposure" / "index.html").read_text()
    assert "<strong>Stale at this build</strong>" in stale and "stale: changed analyses/exposure/analysis.py" in stale


def test_macros_inside_code_are_left_alone(repo_copy):
    page = repo_copy / "docs" / "methods.md"
    page.write_text(page.read_text() + "\n```text\n{{ value exposure.no_such_key }}\n```\n\n`{{ cite nothing }}`\n")
    result = build(repo_copy)
    assert result.returncode == 0, result.stderr
    assert "{{ value exposure.no_such_key }}" in (repo_copy / "site" / "methods" / "index.html").read_text()


def test_site_loads_nothing_from_other_hosts(built_site):
    external = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
    for page in built_site.rglob("*.html"):
        assert not external.search(page.read_text()), f"{page.relative_to(built_site)} loads from another host"
    assert (built_site / "assets" / "javascripts" / "vega-bundle.js").stat().st_size > 100_000
    css = "".join(p.read_text() for p in built_site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_only_chart_pages_load_the_chart_script(built_site):
    pages = {str(p.relative_to(built_site)): p.read_text() for p in built_site.rglob("index.html")}
    with_charts = {name for name, text in pages.items() if 'class="vega-chart"' in text}
    with_script = {name for name, text in pages.items() if re.search(r'<script src="[./]*assets/javascripts/charts\.js"', text)}
    assert with_charts and with_script == with_charts
    assert not any("vega-bundle.js" in text for text in pages.values()), "Vega is fetched by charts.js, not linked"
    home = pages["index.html"]
    # Every static SVG reserves its size (no layout shift); the first loads at once, the rest lazily.
    images = re.findall(r'<div class="vega-chart"[^>]*><img ([^>]*)>', pages["evidence/exposure/index.html"])
    assert len(images) == 3 and all(re.search(r'width="\d+" height="\d+"', i) for i in images)
    assert ["loading" in i for i in images] == [False, True, True]
    assert '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">' in home


def python_blocks(path: pathlib.Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.M | re.S)


SNIPPET_PAGES = [p for p in sorted(DOCS.rglob("*.md")) + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
                 if python_blocks(p)]


@pytest.mark.parametrize("page", SNIPPET_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_python_snippets_run(page, monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in python_blocks(page):
        exec(compile(block, str(page), "exec"), namespace)


def test_there_are_snippets_to_run():
    assert SNIPPET_PAGES, "no ```python blocks found in the docs"


def test_no_unit_is_written_twice(built_site):
    # A macro already prints its unit; prose that adds it again reads "2 trillion synapses synapses".
    doubled = re.compile(r"\b(synapses|parameters|neurons|FLOPs|tokens|words|images|hours|years|GB|orders of magnitude)"
                         r"\s+\1\b")
    for page in built_site.rglob("*.html"):
        cells = re.sub(r"</t[dh]>", " ¦ ", page.read_text())  # neighbouring table cells are not one phrase
        text = re.sub(r"<[^>]+>", " ", cells)
        match = doubled.search(re.sub(r"\s+", " ", text))
        assert not match, f"{page.relative_to(built_site)}: '{match.group(0)}'"


def test_measurements_say_which_machine_made_them(built_site):
    """A timing table on a page names the machine and date from its manifest; a frozen table does not."""
    import json

    manifest = json.loads((DOCS / "results" / "dense_waste" / "manifest.json").read_text())["measured"]
    page = (built_site / "evidence" / "dense-waste" / "index.html").read_text()
    note = f"Measured on {manifest['device_name']} ({manifest['device']}) on {manifest['started_utc'][:10]}"
    assert page.count(note) == 2                                   # under the benchmark chart and its table
    assert 'href="../../results/dense_waste/measured/benchmark.csv"' in page
    assert "Machine measurements on this page" in page             # and in the provenance box
    moe = page[page.index("Mixture-of-experts models: all parameters"):][:300]   # a frozen table: no note
    assert "Measured on" not in moe


def _line_text(site: pathlib.Path, page_dir: pathlib.Path, href: str) -> str:
    """The text of the source line a code link points at, read from the built code page."""
    path, _, anchor = href.partition("#")
    target = (page_dir / path / "index.html").resolve()
    assert target.is_file() and target.is_relative_to(site.resolve()), f"{href}: no such page"
    html_text = target.read_text()
    start = html_text.index(f'<span id="{anchor}">')
    # the line ends where the next line starts, or with its block (a source is shown in several blocks)
    end = min(i for i in (html_text.find('<span id="__span-', start + 1), html_text.find("</code>", start)) if i > 0)
    return html.unescape(re.sub(r"<[^>]+>", "", html_text[start:end]))


def test_every_chart_and_table_links_to_the_line_that_made_it(built_site):
    links = 0
    for page in sorted((built_site / "evidence").rglob("index.html")):
        text = page.read_text()
        for figure in re.findall(r'<figure class="chart" id="chart-[a-z_]+-([a-z0-9_]+)">(.*?)</figure>', text, re.S):
            name, body = figure
            data = re.search(r'href="[^"]*/([a-z0-9_]+)\.csv" download>Data', body).group(1)
            hrefs = re.findall(r'<a class="code-link" href="([^"]+)"[^>]*>(data|chart)</a>', body)
            assert [kind for _, kind in hrefs] == ["data", "chart"], f"{page}: chart {name} has no code links"
            assert f'.table("{data}"' in _line_text(built_site, page.parent, hrefs[0][0])
            assert f'.chart("{name}"' in _line_text(built_site, page.parent, hrefs[1][0])
            links += 2
        for table, href in re.findall(r'href="[^"]*/([a-z0-9_]+)\.csv">Download CSV</a> · '
                                      r'<a class="code-link" href="([^"]+)"', text):
            assert f'.table("{table}"' in _line_text(built_site, page.parent, href)
            links += 1
    # Every chart and table macro of the evidence pages, counted in their Markdown: two links a chart, one a table.
    markdown = "".join(p.read_text() for p in (DOCS / "evidence").glob("*.md"))
    assert links == 2 * markdown.count("{{ chart ") + markdown.count("{{ table ") > 0


def test_a_published_source_is_shown_in_one_block_per_top_level_definition(built_site):
    from analyses._mkdocs_hook import _block_starts

    source = ("import os\n\nX = 1\n\n\n# why f\n# exists\n@decorator\ndef f():\n    pass\n\n"
              "class C:\n    def method(self):\n        pass\n")
    # the module head; f from the comments above its decorator; C (its method stays inside)
    assert _block_starts(source) == [1, 6, 12]
    # On the built page, every non-blank line of the source is there once, in order, under its own number.
    path = "analyses/census/analysis.py"
    page = (built_site / "code" / path / "index.html").read_text()
    shown = {int(n): _line_text(built_site, built_site, f"code/{path}/#{anchor}")
             for anchor, n in re.findall(r'<span id="(__span-\d+-(\d+))">', page)}
    lines = (ROOT / path).read_text().splitlines()
    assert list(shown) == sorted(shown) and page.count('<div class="highlight"') > 10
    assert {n: text.rstrip("\n") for n, text in shown.items() if text.strip()} == \
        {n: line for n, line in enumerate(lines, 1) if line.strip()}


def test_the_references_list_every_cited_figure_once_with_its_source(built_site):
    from analyses import catalog

    page = (built_site / "references" / "index.html").read_text()
    entries = re.findall(r'<li><span id="([a-z0-9_]+)"></span>(.*?)</li>', page, re.S)
    rows = catalog.load()
    assert sorted(i for i, _ in entries) == sorted(rows)
    for row_id, entry in entries:
        row = rows[row_id]
        assert f'<a href="{html.escape(row.url)}">' in entry and f"(read {row.accessed})" in entry, row_id
    h100 = dict(entries)["h100_fp32_flops"]   # the datasheet's 67 teraFLOPS, as the page prints it
    assert h100.startswith("<strong>67 trillion FLOP/s</strong> (upper bound)")


# ---------------------------------------------------------------- notebook pages

NOTEBOOK_PAGE_BUDGET = 200_000   # bytes of HTML per notebook page; its charts load lazily, as on every page


def _analyses_with_pages() -> list[str]:
    from analyses import _runner
    return _runner.names()


@pytest.mark.parametrize("name", _analyses_with_pages())
def test_each_analysis_has_a_notebook_page_that_checks_the_page(built_site, name):
    page = built_site / "computation" / name / "index.html"
    text = page.read_text()
    assert len(text.encode()) <= NOTEBOOK_PAGE_BUDGET, f"{name}: notebook page weighs {len(text.encode()):,} bytes"
    download = re.search(rf'<a href="([^"]+/notebook\.ipynb)" download="{name}.ipynb">Download the notebook',
                         text).group(1)
    assert (page.parent / download).resolve().is_file()
    assert re.search(r"<h1[^>]*>[^<]*: the computation, step by step<", text)
    assert "equal the frozen ones" in text and "<strong>NO</strong>" not in text
    # Every chart file the page points at exists: its spec for the interactive view, its SVG without JavaScript.
    for attribute, path in re.findall(r'(data-spec|src)="([^"]+\.(?:vl\.json|svg))"', text):
        assert (page.parent / path).resolve().is_file(), f"{name}: {attribute} {path} is missing"


def test_every_chart_links_to_the_notebook_section_that_draws_it(built_site):
    links = 0
    pages = [built_site / "index.html", *sorted((built_site / "evidence").rglob("index.html"))]
    for page in pages:
        for key, body in re.findall(r'<figure class="chart" id="chart-[a-z_]+-([a-z0-9_]+)">(.*?)</figure>',
                                    page.read_text(), re.S):
            href = re.search(r'<a class="notebook-link" href="([^"]+)"', body)
            assert href, f"{page}: chart {key} has no notebook link"
            path, _, anchor = href.group(1).partition("#")
            target = (page.parent / path / "index.html").resolve()
            assert anchor == f"chart-{key}" and f'<figure class="chart" id="{anchor}">' in target.read_text()
            links += 1
    markdown = "".join(p.read_text() for p in [DOCS / "index.md", *(DOCS / "evidence").glob("*.md")])
    assert links == markdown.count("{{ chart ") > 0


def test_a_chart_the_notebook_does_not_draw_fails_the_build(repo_copy):
    import json
    path = repo_copy / "docs" / "results" / "exposure" / "notebook.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [o for o in cell["outputs"]
                               if o.get("metadata", {}).get("essay", {}).get("chart") != "language"]
    path.write_text(json.dumps(notebook))
    result = build(repo_copy)
    assert result.returncode != 0
    assert ("evidence/exposure.md: the notebook of 'exposure' does not draw chart 'language': add "
            'show_chart(ctx.results, "language")') in result.stdout + result.stderr


# ---------------------------------------------------------------- citing, sharing, downloading

def test_every_page_ends_with_a_citation_and_each_figure_can_be_cited(built_site):
    import yaml

    authors = [a["name"] for a in yaml.safe_load((ROOT / "CITATION.cff").read_text())["authors"]]
    page = (built_site / "evidence" / "learning-capacity" / "index.html").read_text()
    cite = page[page.index('id="cite-this-page"'):]
    bibtex = html.unescape(re.sub(r"<[^>]+>", "", cite))           # the highlighted block, as copied
    assert "@misc{essay-evidence-learning-capacity," in bibtex
    assert "{{Do parameters exist to learn quickly?}}" in bibtex and all(a in bibtex for a in authors)
    assert re.search(r"note +=  ?\{Commit [0-9a-f]{12}, \d{4}-\d{2}-\d{2}\}", bibtex)
    figures = re.findall(r'<figure class="chart" id="([^"]+)"', page)
    cited = re.findall(r'<li><a href="#([^"]+)">', cite)
    assert len(figures) == 5 and cited == figures          # one entry per figure, each to its permalink
    for href in re.findall(r'<a href="([^"#]+)" download>Data</a>', cite):
        assert (built_site / "evidence" / "learning-capacity" / href).resolve().is_file()
    for path in (built_site / "index.html", built_site / "methods" / "index.html"):
        assert 'id="cite-this-page"' in path.read_text()


def test_pages_carry_social_metadata_with_a_card_drawn_offline(built_site):
    def card(path: pathlib.Path) -> str:
        text = path.read_text()
        assert '<meta name="twitter:card" content="summary_large_image">' in text
        assert re.search(r'<meta property="og:description" content="[^"]{40,}">', text)
        return re.search(r'<meta property="og:image" content="([^"]+)">', text)[1]

    home, page, plain = (built_site / p / "index.html" for p in ("", "evidence/learning-capacity", "methods"))
    home_card, page_card = card(home), card(page)
    assert page_card != home_card.removeprefix("./")                     # a page's own first chart
    assert card(plain).endswith(home_card.rsplit("/", 1)[1])             # no chart: the home page's
    png = (page.parent / page_card).resolve().read_bytes()
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") >= 1000   # wide enough for a card


def test_the_published_address_makes_links_absolute(repo_copy):
    import os
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=repo_copy, capture_output=True,
                            text=True, env={**os.environ, "SITE_URL": "https://example.org/essay/"})
    assert result.returncode == 0, result.stdout + result.stderr
    page = (repo_copy / "site" / "evidence" / "learning-capacity" / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/essay/evidence/learning-capacity/">' in page
    assert '<meta property="og:url" content="https://example.org/essay/evidence/learning-capacity/">' in page
    assert re.search(r'<meta property="og:image" content="https://example.org/essay/assets/cards/\w+\.png">', page)
    assert "url          = {https://example.org/essay/evidence/learning-capacity/}" in re.sub(r"<[^>]+>", "", page)


def test_every_number_is_in_one_download(built_site):
    import csv
    import json

    with open(built_site / "downloads" / "all-values.csv", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert json.loads((built_site / "downloads" / "all-values.json").read_text())[0]["id"] == next(iter(rows))
    results = {p.parent.name: json.loads(p.read_text()) for p in (DOCS / "results").glob("*/results.json")}
    computed = {f"{name}.{key}" for name, r in results.items() for key in r["values"]}
    from analyses import catalog
    cited = set(catalog.load())
    assert set(rows) == computed | cited
    row = rows["learning_capacity.text_speedup"]
    manifest = json.loads((DOCS / "results" / "learning_capacity" / "manifest.json").read_text())
    assert float(row["value"]) == results["learning_capacity"]["values"]["text_speedup"]["value"]
    assert row["input_hash"] == manifest["input_hash"] and row["page"] == "evidence/learning-capacity/#value-text_speedup"
    base = rows["transformer_base_params"]
    assert float(base["value"]) == 65e6 and base["url"] == "https://arxiv.org/abs/1706.03762" and base["locator"]


def test_a_changed_verdict_links_to_its_ledger_entry(repo_copy):
    import json

    item = "1. A larger model reaches a given loss after fewer tokens · text"
    entry = {"date": "2026-11-29", "analysis": "learning_capacity", "item": item, "kind": "verdict", "label": item,
             "old": "not resolved", "new": "supported", "inputs_changed": ["profile"]}
    (repo_copy / "docs" / "results" / "updates.json").write_text(json.dumps([entry]))
    result = build(repo_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (repo_copy / "site" / "evidence" / "learning-capacity" / "index.html").read_text()
    assert page.count('href="../../updates/#update-1"') == 1           # that row only, not the other modality's
    updates = (repo_copy / "site" / "updates" / "index.html").read_text()
    assert 'id="update-1"' in updates and "not resolved" in updates and "<code>profile</code>" in updates
