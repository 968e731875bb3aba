// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // Facet checkboxes and the sort menu submit their form at once.
  document.querySelectorAll("form.listing").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox], select")) form.submit();
    });
  });
})();
