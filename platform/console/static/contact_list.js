// The contact list (loaded by contacts/list.html; the CSP allows no inline script):
// "Select all on this page" for the bulk actions, and Esc cancels a cell being edited.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all || all.id !== "select-all") { return; }
    var boxes = document.querySelectorAll("#contact-rows input[type=checkbox][form=bulk]");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var form = event.target && event.target.closest ? event.target.closest("form.cell-edit") : null;
    if (!form) { return; }
    var cancel = form.querySelector("button[data-cancel]");
    if (cancel) { event.preventDefault(); cancel.click(); }
  });
})();
