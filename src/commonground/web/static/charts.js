// Renders <div data-vega="ID"> from the JSON spec in <script id="ID">, with the
// vendored Vega libraries; offers SVG and PNG downloads through vega-embed's menu.
(function () {
  "use strict";
  function render() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-vega]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-vega"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var labels = document.getElementById("vega-i18n");
      window.vegaEmbed(el, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
        downloadFileName: el.getAttribute("data-vega"),
        i18n: labels ? JSON.parse(labels.textContent) : undefined
      }).then(function () { el.setAttribute("data-rendered", "true"); })
        .catch(function (err) { el.textContent = String(err); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
