// The deals board: drag a card to another column. A drop only fills in and submits the
// card's own "Move to stage…" form (the keyboard and pointer way, WCAG 2.5.7), so a drag
// is the same request, CSRF token and answer as the control.
(function () {
  "use strict";
  var dragged = null;

  function formOf(card) { return card && document.getElementById(card.dataset.move); }
  function columnAt(event) {
    return event.target && event.target.closest ? event.target.closest(".column[data-stage]") : null;
  }
  function accepts(column) {
    var form = formOf(dragged);
    if (!form || !column) { return false; }
    var options = form.querySelectorAll("select[name=stage] option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === column.dataset.stage) { return true; }
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
    form.querySelector("select[name=stage]").value = column.dataset.stage;
    unmark();
    form.requestSubmit();
  });
})();
