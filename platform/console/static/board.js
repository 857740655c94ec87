// Boards (the deals pipeline, and any board grouped by a choice field, /boards/…): drag a
// card to another column. A drop only fills in and submits the card's own "Move to…" form
// (the keyboard and pointer way, WCAG 2.5.7), so a drag is the same request, CSRF token and
// answer as the control. Columns carry data-column (their value), cards data-move (their
// form's id), the form's choice data-column-select.
(function () {
  "use strict";
  var dragged = null;

  function formOf(card) { return card && document.getElementById(card.dataset.move); }
  function columnAt(event) {
    return event.target && event.target.closest ? event.target.closest(".column[data-column]") : null;
  }
  function accepts(column) {
    var form = formOf(dragged);
    if (!form || !column) { return false; }
    var options = form.querySelectorAll("select[data-column-select] option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === column.dataset.column) { return true; }
    }
    return false;
  }
  function unmark() {
    var marked = document.querySelectorAll(".column.drop-target");
    for (var i = 0; i < marked.length; i++) { marked[i].classList.remove("drop-target"); }
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-move]") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    unmark();
  });
  document.addEventListener("dragover", function (event) {
    var column = columnAt(event);
    if (!dragged || !accepts(column)) { return; }
    event.preventDefault();  // allows the drop here
    event.dataTransfer.dropEffect = "move";
    unmark();
    column.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = columnAt(event);
    if (!dragged || !accepts(column)) { return; }
    event.preventDefault();
    var form = formOf(dragged);
    form.querySelector("select[data-column-select]").value = column.dataset.column;
    unmark();
    form.requestSubmit();
  });
})();
