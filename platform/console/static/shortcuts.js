/* Keyboard shortcuts of the console (docs/console.md, "Keyboard shortcuts"):
   ?     the list of shortcuts (a modal <dialog>; Esc closes it, focus returns)
   g h   home        g c   contacts        g d   deals
   /     focus the page's search box (or open the contacts search)
   Keys typed into a field, or pressed with Ctrl, Alt or Meta, are left alone. */
(function () {
  "use strict";
  var GO = { h: "/", c: "/contacts", d: "/deals" };
  var WAIT_MS = 1500;
  var pendingG = 0;

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function dialog() { return document.getElementById("shortcuts"); }

  function search() {
    return document.querySelector("main input[type=search], main [role=search] input");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var list = dialog();
    if (list && list.open) { return; } /* the dialog handles Esc itself */
    if (typing(event.target)) { return; }
    var key = event.key;
    if (pendingG && Date.now() - pendingG < WAIT_MS && Object.prototype.hasOwnProperty.call(GO, key)) {
      pendingG = 0;
      event.preventDefault();
      window.location.assign(GO[key]);
      return;
    }
    pendingG = 0;
    if (key === "g") { pendingG = Date.now(); return; }
    if (key === "?" && list) {
      event.preventDefault();
      list.showModal();
      return;
    }
    if (key === "/") {
      event.preventDefault();
      var box = search();
      if (box) { box.focus(); box.select(); } else { window.location.assign("/contacts"); }
    }
  });
})();
