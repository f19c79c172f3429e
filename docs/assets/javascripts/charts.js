// Interactive charts: replace each static SVG fallback with a vega-embed view.
// vegaEmbed comes from vega-bundle.js, bundled locally by vl-convert (no CDN).
// Charts follow the reader's palette (Material's "slate" scheme is dark) and
// the width of the page, so they read on a phone.
(function () {
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

  async function render(el) {
    if (typeof vegaEmbed === "undefined") return; // keep the SVG fallback
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
    el.innerHTML = "";
    await vegaEmbed(el, spec, {
      renderer: "svg",
      theme: isDark() ? "dark" : undefined,
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    el.classList.add("vega-rendered");
  }

  function renderAll() {
    document.querySelectorAll(".vega-chart").forEach(function (el) {
      render(el).catch(function (error) {
        console.warn("chart left as static SVG:", error);
        if (el.dataset.fallback) el.innerHTML = el.dataset.fallback;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderAll();
    // Re-render when the reader toggles light/dark.
    new MutationObserver(renderAll).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-md-color-scheme"],
    });
  });
})();
