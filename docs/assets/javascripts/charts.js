// Interactive charts: replace each static SVG fallback with a vega-embed view.
// vegaEmbed comes from vega-bundle.js, bundled locally by vl-convert (no CDN). The hook adds this
// script only to pages with charts. The bundle is large (about 300 KB compressed), so it is fetched
// only once the reader interacts with the page (moves, scrolls, touches or types), and each chart is
// drawn when it comes near the screen; until then the static SVG shows, identical at the page's
// defaults. A chart whose settings are in the address is drawn at once. Charts follow the reader's
// palette (Material's "slate" scheme is dark) and the width of the page, so they read on a phone.
//
// Explorable charts (spec.usermeta.explorable, written by analyses/_explorable.py) carry Vega-Lite
// parameters bound to inputs. This script puts the inputs under the chart (outside its role="img"),
// marks each slider's page default and cited range, keeps the settings in the URL (a link reopens
// them), offers a reset, and writes the live values into the prose's {{ live ... }} numbers with the
// same rounding and units as the hook (analyses/_format.py, analyses/_mkdocs_hook.py).
(function () {
  const BUNDLE = new URL("vega-bundle.js", document.currentScript.src).href;
  let bundle = null;

  function loadBundle() {
    bundle = bundle || new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = BUNDLE;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + BUNDLE)); };
      document.head.appendChild(script);
    });
    return bundle;
  }

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  // Long axis labels would squeeze the plot on a phone: cap them at 40% of the width.
  function capLabels(node, limit) {
    if (Array.isArray(node)) return node.forEach(function (n) { capLabels(n, limit); });
    if (!node || typeof node !== "object") return;
    Object.keys(node).forEach(function (key) {
      if (key === "labelLimit" && typeof node[key] === "number") node[key] = Math.min(node[key], limit);
      else capLabels(node[key], limit);
    });
  }

  // ------------------------------------------------------------ numbers in words, as analyses/_format.py

  const SCALES = [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]];
  const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

  function roundSig(x, sig) {
    return x === 0 || !isFinite(x) ? x : Number(x.toPrecision(sig));
  }

  function plain(x, sig) {
    x = roundSig(x, sig);
    if (Math.abs(x) >= 1000) return x.toLocaleString("en-US", { maximumFractionDigits: 0 });
    const digits = x ? Math.max(0, sig - 1 - Math.floor(Math.log10(Math.abs(x)))) : 0;
    const text = x.toFixed(digits);
    return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  }

  function formatNumber(x, sig) {
    for (const [scale, word] of SCALES) {
      if (Math.abs(x) >= scale * 0.9995) {
        if (Math.abs(x) >= 1e15) {
          const [mantissa, exponent] = roundSig(x, sig).toExponential(sig - 1).split("e");
          const power = String(parseInt(exponent, 10)).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]);
          return mantissa.replace(/0+$/, "").replace(/\.$/, "") + " × 10" + power;
        }
        return plain(x / scale, sig) + " " + word;
      }
    }
    return plain(x, sig);
  }

  // As the hook's _number: whole numbers below a million exactly (years without a separator).
  function formatValue(x, unit) {
    if (!isFinite(x)) return "unbounded";
    let text;
    if (Number.isInteger(x) && Math.abs(x) < 1e6) {
      text = Math.abs(x) >= 1900 && Math.abs(x) <= 2100 ? String(x) : x.toLocaleString("en-US");
    } else {
      text = formatNumber(x, 3);
    }
    if (!unit) return text;
    return unit === "%" || unit === "×" ? text + unit : text + " " + unit;
  }

  // ------------------------------------------------------------ explorable charts

  function stateKey(figure, name) {
    return figure.id + "." + name;
  }

  // A control's value from the URL, when it is one the control accepts; else undefined.
  function fromUrl(figure, control) {
    const text = new URLSearchParams(location.search).get(stateKey(figure, control.name));
    if (text === null) return undefined;
    if (control.slider) {
      const x = Number(text);
      const [low, high] = control.slider;
      return isFinite(x) && x >= low && x <= high ? x : undefined;
    }
    const option = Object.keys(control.options).find((o) => String(o) === text);
    return option === undefined ? undefined : (typeof control.default === "number" ? Number(option) : option);
  }

  function saveToUrl(figure, meta, view) {
    const params = new URLSearchParams(location.search);
    meta.controls.forEach(function (c) {
      const value = view.signal(c.name);
      if (value === c.default) params.delete(stateKey(figure, c.name));
      else params.set(stateKey(figure, c.name), String(value));
    });
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    return location.pathname + (query ? "?" + query : "") + "#" + figure.id;
  }

  function describe(control, value) {
    return control.slider ? formatValue(value, control.unit) : control.options[value];
  }

  function liveSpans(figure, name) {
    return document.querySelectorAll('.live[data-chart="' + figure.id + '"][data-name="' + name + '"]');
  }

  // The prose's live numbers and the status line under the controls.
  function showValues(el, figure, meta, view, panel) {
    const changed = [];
    meta.controls.forEach(function (c) {
      const value = view.signal(c.name);
      liveSpans(figure, c.name).forEach(function (span) { span.textContent = describe(c, value); });
      if (value !== c.default) changed.push(c.label + ": " + describe(c, value) + " (page: " + describe(c, c.default) + ")");
    });
    const outputs = meta.outputs.map(function (o) {
      const value = view.signal(o.name);
      const text = formatValue(value, o.unit);
      liveSpans(figure, o.name).forEach(function (span) { span.textContent = text; span.dataset.value = String(value); });
      return o.label + ": " + text;
    });
    const status = (changed.length ? "Your assumptions: " + changed.join("; ") : "The page's assumptions") + ". " +
      outputs.join("; ") + ".";
    panel.querySelector(".chart-status").textContent = status;
    // The chart's text alternative says what it shows now, after the description of the page's version.
    if (!el.dataset.description) el.dataset.description = el.getAttribute("aria-label") || "";
    el.setAttribute("aria-label", el.dataset.description + " Now showing: " + status);
    panel.querySelector("a.chart-share").href = saveToUrl(figure, meta, view);
  }

  // Tick marks on each slider at the page's default and the ends of the cited range.
  function markSlider(panel, control) {
    const input = panel.querySelector('input[type="range"][name="' + control.name + '"]');
    if (!input) return;
    const list = document.createElement("datalist");
    list.id = panel.id + "-" + control.name + "-marks";
    const old = document.getElementById(list.id); // a redraw (the palette changed) replaces the marks
    if (old) old.remove();
    [control.default].concat(control.cited || []).forEach(function (x) {
      const option = document.createElement("option");
      option.value = String(x);
      list.appendChild(option);
    });
    panel.appendChild(list);
    input.setAttribute("list", list.id);
  }

  // Before embedding: where the inputs go, and the values the URL asks for.
  function prepare(el, spec, meta) {
    const figure = el.closest("figure");
    let panel = figure.querySelector(".chart-controls");
    if (!panel) {
      panel = document.createElement("div");
      panel.className = "chart-controls";
      panel.id = figure.id + "-controls";
      panel.setAttribute("role", "group");
      panel.setAttribute("aria-label", "Change the assumptions of this chart");
      panel.innerHTML = '<div class="chart-inputs"></div><p class="chart-status" aria-live="polite"></p>' +
        '<p class="chart-buttons"><button type="button" class="md-button chart-reset">Reset to the page\'s ' +
        'assumptions</button> <a class="chart-share" href="#">Link to these settings</a></p>';
      el.after(panel);
    }
    panel.querySelector(".chart-inputs").innerHTML = "";
    const byName = Object.fromEntries(meta.controls.map((c) => [c.name, c]));
    spec.params.forEach(function (p) {
      if (!byName[p.name]) return;
      p.bind.element = "#" + panel.id + " .chart-inputs";
      const value = fromUrl(figure, byName[p.name]);
      if (value !== undefined) p.value = value;
    });
    return { figure: figure, panel: panel };
  }

  function connect(el, prepared, meta, view) {
    const { figure, panel } = prepared;
    meta.controls.forEach(function (c) { if (c.slider) markSlider(panel, c); });
    const update = function () { showValues(el, figure, meta, view, panel); };
    meta.controls.concat(meta.outputs).forEach(function (s) { view.addSignalListener(s.name, update); });
    panel.querySelector(".chart-reset").onclick = async function () {
      meta.controls.forEach(function (c) { view.signal(c.name, c.default); });
      await view.runAsync();
    };
    update();
  }

  // ------------------------------------------------------------ rendering

  async function render(el) {
    await loadBundle();
    if (!el.dataset.fallback) el.dataset.fallback = el.innerHTML;
    const response = await fetch(el.dataset.spec);
    if (!response.ok) throw new Error("chart spec " + el.dataset.spec + ": HTTP " + response.status);
    const spec = await response.json();
    // Single and layered views stretch to the page; faceted and concatenated views keep their own sizes.
    const composite = ["facet", "hconcat", "vconcat", "concat", "repeat"].some((k) => k in spec);
    if (!composite) {
      spec.width = "container";
      spec.autosize = { type: "fit-x", contains: "padding" };
    }
    capLabels(spec, Math.max(90, Math.round(el.clientWidth * 0.4)));
    if (isDark()) spec.background = "transparent";
    const meta = spec.usermeta && spec.usermeta.explorable;
    const prepared = meta && prepare(el, spec, meta);
    el.innerHTML = "";
    const result = await vegaEmbed(el, spec, {
      renderer: "svg",
      theme: isDark() ? "dark" : undefined,
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    el.view = result.view; // for the browser test, which reads the live values
    if (meta) connect(el, prepared, meta, result.view);
    el.classList.add("vega-rendered");
  }

  function draw(el) {
    el.dataset.drawn = "true";
    render(el).catch(function (error) {
      console.warn("chart left as static SVG:", error);
      if (el.dataset.fallback) el.innerHTML = el.dataset.fallback;
    });
  }

  // A chart whose figure has settings in the address (an explorable chart opened from a shared link).
  function hasSettings(el) {
    const prefix = el.closest("figure").id + ".";
    return Array.from(new URLSearchParams(location.search).keys()).some((k) => k.startsWith(prefix));
  }

  const WAKE = ["pointerdown", "pointermove", "keydown", "scroll", "touchstart", "wheel"];

  document.addEventListener("DOMContentLoaded", function () {
    const charts = Array.from(document.querySelectorAll(".vega-chart"));
    charts.filter(hasSettings).forEach(draw);
    const near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && !entry.target.dataset.drawn) draw(entry.target);
        if (entry.isIntersecting) near.unobserve(entry.target);
      });
    }, { rootMargin: "400px 0px" });
    function wake() {
      WAKE.forEach(function (type) { removeEventListener(type, wake, true); });
      charts.forEach(function (el) { near.observe(el); });
    }
    WAKE.forEach(function (type) { addEventListener(type, wake, { capture: true, passive: true }); });
    // Redraw the drawn charts when the reader toggles light/dark (explorable charts keep their settings: they
    // are in the address).
    new MutationObserver(function () {
      charts.filter((el) => el.dataset.drawn).forEach(draw);
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  });
})();
