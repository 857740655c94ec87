// The console's only script of its own (the CSP allows no inline script). It tells screen
// readers what an htmx swap did and moves focus to the new content (WCAG 4.1.3, 2.4.3).
(function () {
  "use strict";
  var announcer = function () { return document.getElementById("announcer"); };
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target) { target.removeAttribute("aria-busy"); }
    var live = announcer();
    if (live) {
      live.textContent = "";
      // A swap that says what it did (data-announce) is announced in its words.
      var told = target && target.isConnected ? target.querySelector("[data-announce]") : null;
      if (!told) { told = document.querySelector("[data-announce]"); }
      var words = told ? told.getAttribute("data-announce") : (live.dataset.loaded || "");
      if (told) { told.removeAttribute("data-announce"); }
      window.setTimeout(function () { live.textContent = words; }, 50);
    }
    // A whole page swapped in (boosted navigation): focus its heading, like a page load.
    if (target && (target.tagName === "BODY" || target.id === "main")) {
      var main = document.getElementById("main");
      if (main) { main.focus(); }
    }
    // New content may name where focus goes next (the deal card just moved, the task just
    // completed): there, rather than on a control the swap removed.
    var next = document.querySelector("[data-focus]");
    if (next) {
      next.removeAttribute("data-focus");
      if (!next.hasAttribute("tabindex")) { next.setAttribute("tabindex", "-1"); }
      next.focus();
    }
  });
  // The language picker before sign-in submits as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select && select.id === "language-picker" && select.form) { select.form.submit(); }
  });
  // A "Print" button (data-print), e.g. beside the recovery codes, prints the page.
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });
})();
