"""Open every page with a chart in headless Chromium, served from 127.0.0.1 only.

Asserts that each chart rendered (vega-embed drew SVG marks), that the console
has no errors, and that no request left 127.0.0.1. Needs Debian's chromium
(`.ci/run` installs it); skipped with a reason elsewhere, failed in CI.
"""

import functools
import http.server
import os
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


def test_a_code_link_opens_the_highlighted_line_that_made_the_chart(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/evidence/exposure/", wait_until="networkidle")
    page.locator("figure.chart a.code-link", has_text="chart").first.click()
    page.wait_for_load_state("networkidle")
    assert "/code/analyses/exposure/analysis.py/#__span-0-" in page.url
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
