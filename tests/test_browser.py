"""Open every page with a chart in headless Chromium, served from 127.0.0.1 only.

Asserts that each chart rendered (vega-embed drew SVG marks), that the console
has no errors, and that no request left 127.0.0.1. Needs Debian's chromium
(`.ci/run` installs it); skipped with a reason elsewhere, failed in CI.
"""

import functools
import http.server
import importlib
import json
import math
import os
import re
import shutil
import threading
import urllib.parse

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "chromium is required in CI"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


# For each rendered chart: the union of its data marks' boxes, its overlap with the plot area, and how many tick
# labels each axis has. A bar chart drawn from zero on a log axis has marks of zero width: this catches it.
CHART_GEOMETRY = """() => [...document.querySelectorAll('.vega-chart.vega-rendered')].map(chart => {
  const svg = chart.querySelector('svg.marks');
  const box = e => e.getBoundingClientRect();
  const boxes = [...svg.querySelectorAll('g.role-mark > *')].map(box).filter(b => b.width > 0 || b.height > 0);
  const union = boxes.reduce((u, b) => ({left: Math.min(u.left, b.left), top: Math.min(u.top, b.top),
    right: Math.max(u.right, b.right), bottom: Math.max(u.bottom, b.bottom)}),
    {left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity});
  const frames = [...svg.querySelectorAll('g.role-frame > g > path.background, g.role-scope > g > path.background')]
    .map(box).filter(b => b.width > 0 && b.height > 0);
  const plot = frames.length ? frames : [box(svg)];
  const overlap = Math.max(0, ...plot.map(p => Math.max(0, Math.min(p.right, union.right) - Math.max(p.left, union.left))
    * Math.max(0, Math.min(p.bottom, union.bottom) - Math.max(p.top, union.top))));
  return {id: chart.closest('figure').id, width: union.right - union.left, height: union.bottom - union.top,
    overlap, axis_labels: [...svg.querySelectorAll('g.role-axis')]   // grid-only axes carry no labels by design
      .filter(a => a.querySelector('g.role-axis-domain, g.role-axis-tick, g.role-axis-title'))
      .map(a => [...a.querySelectorAll('g.role-axis-label text')].filter(t => t.textContent.trim()).length)};
})"""


def chart_pages(site):
    return sorted(str(p.relative_to(site).parent) for p in site.rglob("index.html")
                  if 'class="vega-chart"' in p.read_text())


def test_there_are_chart_pages(built_site):
    # The notebook pages too: their charts use the same local bundle, offline, in both palettes.
    assert {".", "evidence/exposure", "computation/exposure"} <= set(chart_pages(built_site))


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_charts_render_offline_without_errors(built_site, server, browser, scheme):
    for page_path in chart_pages(built_site):
        page = browser.new_page(viewport={"width": 360, "height": 780} if scheme == "slate" else None)
        errors, hosts = [], set()
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("request", lambda req, hosts=hosts: hosts.add(urllib.parse.urlsplit(req.url).hostname))
        # Material keeps the palette in localStorage; set it before the page's scripts run.
        page.add_init_script(f"localStorage.setItem('/.__palette', JSON.stringify({{index: "
                             f"{1 if scheme == 'slate' else 0}, color: {{scheme: '{scheme}'}}}}))")
        url = f"{server}/{'' if page_path == '.' else page_path + '/'}"
        page.goto(url, wait_until="networkidle")
        expected = page.locator(".vega-chart").count()
        wake_and_scroll(page)
        page.wait_for_function(f"document.querySelectorAll('.vega-chart.vega-rendered svg.marks').length === {expected}",
                               timeout=15_000)
        marks = page.locator(".vega-chart svg.marks path, .vega-chart svg.marks line").count()
        assert expected > 0 and marks > 0, f"{url}: charts drew no marks"
        if scheme == "slate":  # the phone-sized case: every caption link within the screen
            overflow = page.evaluate("() => [...document.querySelectorAll('figure.chart figcaption a')]"
                                     ".filter(a => a.getBoundingClientRect().right > window.innerWidth + 1)"
                                     ".map(a => a.textContent)")
            assert not overflow, f"{url}: caption links past the right edge of a phone screen: {overflow}"
        for chart in page.evaluate(CHART_GEOMETRY):
            where = f"{url} chart {chart['id']}"
            assert chart["width"] > 1 and chart["height"] > 1, f"{where}: its marks have no extent {chart}"
            assert chart["overlap"] > 0, f"{where}: its marks lie outside the plot area {chart}"
            assert all(n > 0 for n in chart["axis_labels"]), f"{where}: an axis without tick labels {chart}"
        assert not errors, f"{url}: console errors {errors}"
        assert hosts == {"127.0.0.1"}, f"{url}: requests to {hosts - {'127.0.0.1'}}"
        page.close()


def wake_and_scroll(page, selector: str = ".vega-chart") -> None:
    """What a reader does: move the pointer (charts.js loads Vega on the first interaction), then bring each
    chart near the screen (it draws charts as they come into view)."""
    page.mouse.move(5, 5)
    for i in range(page.locator(selector).count()):
        page.locator(selector).nth(i).scroll_into_view_if_needed()


def test_vega_loads_only_when_a_chart_is_drawn(server, browser):
    page = browser.new_page()
    requested = []
    page.on("request", lambda req: requested.append(urllib.parse.urlsplit(req.url).path))
    page.goto(f"{server}/methods/", wait_until="networkidle")  # a page without charts
    assert not [p for p in requested if p.endswith(("charts.js", "vega-bundle.js"))], requested
    page.goto(f"{server}/evidence/exposure/", wait_until="networkidle")
    assert any(p.endswith("charts.js") for p in requested), "the chart script is missing on a chart page"
    assert not any(p.endswith("vega-bundle.js") for p in requested), "Vega loaded before the reader did anything"
    assert page.locator(".vega-chart img").count() == page.locator(".vega-chart").count()  # the static SVGs
    wake_and_scroll(page, "figure.chart >> nth=0")
    page.wait_for_selector(".vega-chart.vega-rendered svg.marks", timeout=15_000)
    assert sum(p.endswith("vega-bundle.js") for p in requested) == 1
    page.close()


def test_a_code_link_opens_the_highlighted_line_that_made_the_chart(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/evidence/exposure/", wait_until="networkidle")
    page.locator("figure.chart a.code-link", has_text="chart").first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/code/analyses/exposure/analysis\.py/#__span-\d+-\d+$", page.url), page.url
    line = page.locator(":target")
    assert '.chart("' in line.inner_text()
    assert line.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    box = line.bounding_box()
    assert box and 0 < box["y"] < page.viewport_size["height"], "the linked line is not scrolled into view"
    page.close()


def test_the_geometry_check_sees_a_blank_chart(server, browser):
    """Bars on a log axis start at zero, so Vega draws them zero wide: the check above must call that blank."""
    page = browser.new_page()
    page.goto(f"{server}/evidence/exposure/", wait_until="networkidle")
    wake_and_scroll(page, "figure.chart >> nth=0")
    page.wait_for_function("typeof vegaEmbed !== 'undefined'", timeout=15_000)
    page.evaluate("""async () => {
      const figure = document.createElement('figure');
      figure.id = 'chart-test-blank';
      figure.innerHTML = '<div class="vega-chart" style="width: 500px"></div>';
      document.querySelector('article').appendChild(figure);
      const el = figure.querySelector('.vega-chart');
      await vegaEmbed(el, {data: {values: [{m: 'a', t: 3e11}, {m: 'b', t: 1.5e13}]}, mark: 'bar',
        encoding: {x: {field: 't', type: 'quantitative', scale: {type: 'log'}}, y: {field: 'm', type: 'nominal'}}},
        {renderer: 'svg', actions: false});
      el.classList.add('vega-rendered');
    }""")
    blank = next(c for c in page.evaluate(CHART_GEOMETRY) if c["id"] == "chart-test-blank")
    assert blank["width"] <= 1, blank
    page.close()


# ---------------------------------------------------------------- explorable charts (analyses/_explorable.py)

def explorable_figures(site) -> list[tuple[str, str, dict]]:
    """(page, figure id, usermeta.explorable) of every chart with controls on the built site."""
    found = []
    for index in sorted(site.rglob("index.html")):
        for figure, spec in re.findall(r'<figure class="chart" id="([^"]+)">\s*<div class="vega-chart" data-spec="([^"]+)"',
                                       index.read_text()):
            meta = json.loads((index.parent / spec).resolve().read_text()).get("usermeta", {}).get("explorable")
            if meta:
                found.append((str(index.parent.relative_to(site)), figure, meta))
    return found


def settings(control: dict) -> list:
    """The default, the ends of the cited range and of the slider; or every option."""
    if control["options"]:
        return list(control["options"])
    return sorted({control["default"], *(control["cited"] or ()), control["slider"][0], control["slider"][1]})


SIGNALS = "([figure, names]) => { const v = document.querySelector('#' + figure + ' .vega-chart').view; " \
          "return Object.fromEntries(names.map(n => [n, v.signal(n)])); }"

RUN = "async figure => { await document.querySelector('#' + figure + ' .vega-chart').view.runAsync(); }"


def set_control(page, figure: str, control: dict, value) -> None:
    """What a reader does: move the slider or pick the option, then wait for the view to run."""
    selector = f"#{figure}-controls [name='{control['name']}']"
    if control["options"]:
        page.select_option(selector, label=control["options"][value])
    else:
        page.eval_on_selector(selector, "(input, value) => { input.value = String(value); "
                                        "input.dispatchEvent(new Event('input', {bubbles: true})); }", value)
    page.evaluate(RUN, figure)


def check_view(page, where: str, figure: str, meta: dict) -> dict:
    """The live outputs against the Python functions at the page's own inputs, and the prose's live numbers
    against the hook's formatting of the same values. Returns the control values."""
    from analyses import _explorable
    from analyses._mkdocs_hook import _number_text

    inputs = [c["name"] for c in meta["controls"]] + meta["constants"]
    outputs = [o["name"] for o in meta["outputs"]]
    signals = page.evaluate(SIGNALS, [figure, inputs + outputs])
    texts = {}
    for output in meta["outputs"]:
        function = getattr(importlib.import_module(output["module"]), output["function"])
        expected, live = _explorable.evaluate(function, signals), signals[output["name"]]
        same = (live is None and math.isinf(expected)) or (live is not None and math.isclose(
            live, expected, rel_tol=1e-9))
        assert same, f"{where}: {output['name']} is {live} in the page, {expected} from {output['function']}()"
        texts[output["name"]] = (_number_text(expected, output["unit"], None, None, {})
                                 if math.isfinite(expected) else "unbounded")
    for control in meta["controls"]:
        value = signals[control["name"]]
        texts[control["name"]] = (control["options"][str(value)] if control["options"]
                                  else _number_text(value, control["unit"], None, None, {}))
    for name, text in page.evaluate(
            "figure => [...document.querySelectorAll(`.live[data-chart='${figure}']`)]"
            ".map(s => [s.dataset.name, s.textContent])", figure):
        assert text == texts[name], f"{where}: the prose says {text!r} for {name}, Python formats {texts[name]!r}"
    return {c["name"]: signals[c["name"]] for c in meta["controls"]}


def open_page(browser, url: str, figure: str, wake: bool = True, **options):
    """A page with its console errors and the hosts it requests recorded, once the figure's controls exist.
    ``wake=False`` does nothing a reader would: a figure with settings in the address must draw by itself."""
    page = browser.new_page(**options)
    page.errors, page.hosts = [], set()
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("request", lambda req: page.hosts.add(urllib.parse.urlsplit(req.url).hostname))
    page.goto(url, wait_until="networkidle")
    if wake:
        wake_and_scroll(page, f"#{figure}")
    page.wait_for_selector(f"#{figure}-controls .vega-bind", timeout=15_000)
    return page


def sweep(page, url: str, figure: str, meta: dict) -> None:
    """Each control, labelled, through its marks with the others at the page's defaults."""
    for control in meta["controls"]:
        label = page.locator(f"#{figure}-controls label", has=page.locator(f"[name='{control['name']}']"))
        assert control["label"] in label.inner_text(), f"{url} {figure}: {control['name']} is not labelled"
        for value in settings(control):
            set_control(page, figure, control, value)
            where = f"{url} {figure} with {control['name']} = {value}"
            assert check_view(page, where, figure, meta)[control["name"]] == value, f"{where}: not set"
        set_control(page, figure, control, control["default"])


def share_and_reset(browser, page, url: str, figure: str, meta: dict) -> None:
    """Every control away from its default at once (at its lowest mark: an unbounded overhead, for one): the
    address keeps the settings and a new page opens them; the reset brings back the page's and clears the address."""
    changed = {c["name"]: next(v for v in settings(c) if v != c["default"]) for c in meta["controls"]}
    for control in meta["controls"]:
        set_control(page, figure, control, changed[control["name"]])
    reopened = open_page(browser, page.url, figure, wake=False)
    assert check_view(reopened, f"{page.url} {figure}", figure, meta) == changed, f"{page.url}: settings not restored"
    reopened.close()
    page.click(f"#{figure}-controls .chart-reset")
    page.evaluate(RUN, figure)
    assert check_view(page, f"{url} {figure} after reset", figure, meta) == {c["name"]: c["default"]
                                                                             for c in meta["controls"]}
    assert figure not in page.url, f"{url}: the reset left settings in the address {page.url}"


def keyboard_step(page, url: str, figure: str, meta: dict) -> None:
    """An arrow key moves a slider by one step, and the chart's text alternative says what it shows now."""
    slider = next((c for c in meta["controls"] if c["slider"]), None)
    if slider is None:
        return
    name = slider["name"]
    before = page.evaluate(SIGNALS, [figure, [name]])[name]
    page.focus(f"#{figure}-controls [name='{name}']")
    page.keyboard.press("ArrowLeft" if before > slider["slider"][0] else "ArrowRight")
    page.evaluate(RUN, figure)
    after = page.evaluate(SIGNALS, [figure, [name]])[name]
    assert math.isclose(abs(after - before), slider["slider"][2]), f"{url} {figure}: the arrow key moved {name} " \
        f"from {before} to {after}"
    label = page.get_attribute(f"#{figure} .vega-chart", "aria-label")
    assert "Now showing: Your assumptions: " + slider["label"] in label, f"{url} {figure}: {label}"


def test_explorable_charts_compute_what_the_analyses_compute(built_site, server, browser):
    figures = explorable_figures(built_site)
    assert {page for page, _, _ in figures} >= {"evidence/exposure", "evidence/brain", "evidence/compute-per-sample",
                                                 "evidence/scaling-laws"}
    for page_path, figure, meta in figures:
        url = f"{server}/{page_path}/"
        page = open_page(browser, url, figure, viewport={"width": 360, "height": 780})
        defaults = {c["name"]: c["default"] for c in meta["controls"]}
        assert check_view(page, f"{url} {figure} at the defaults", figure, meta) == defaults
        sweep(page, url, figure, meta)
        share_and_reset(browser, page, url, figure, meta)
        keyboard_step(page, url, figure, meta)
        assert not page.errors, f"{url}: console errors {page.errors}"
        assert page.hosts == {"127.0.0.1"}, f"{url}: requests to {page.hosts - {'127.0.0.1'}}"
        page.close()


def test_the_explorable_check_sees_a_wrong_number(built_site, server, browser):
    """An output that disagrees with its Python function, or prose that disagrees with the output, fails."""
    figure = "chart-exposure-years_vs_rate"
    meta = next(m for p, f, m in explorable_figures(built_site) if p == "evidence/exposure" and f == figure)
    page = open_page(browser, f"{server}/evidence/exposure/", figure)
    check_view(page, "as built", figure, meta)
    page.evaluate(f"() => {{ document.querySelector('.live[data-chart={figure}][data-name=years]').textContent = "
                  "'12 years'; }")
    with pytest.raises(AssertionError, match="the prose says '12 years' for years"):
        check_view(page, "prose edited", figure, meta)
    page.evaluate(f"() => {{ document.querySelector('#{figure} .vega-chart').view.signal('years', 5); }}")
    with pytest.raises(AssertionError, match=r"years is 5 in the page, 9\.80\d* from years_to_see\(\)"):
        check_view(page, "output overwritten", figure, meta)
    page.close()
