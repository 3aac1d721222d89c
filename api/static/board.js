// The board's drag and drop: a visit or a waiting job dropped onto a technician's row opens the move
// page for that technician (and the time under the pointer as "not before"), where the consequences
// are shown and the move is confirmed. Without this script the "Move…" links do the same.
(function () {
  "use strict";
  var timeline = document.querySelector("[data-timeline]");
  if (!timeline) return;
  var startMinutes = Number(timeline.dataset.startMinutes);
  var lengthMinutes = Number(timeline.dataset.lengthMinutes);
  var rows = timeline.querySelectorAll("[data-drop-technician]");
  var dragged = null;

  function clearTargets() {
    rows.forEach(function (row) { row.classList.remove("drop-target"); });
  }

  // The quarter hour under the pointer, as HH:MM, or "" outside the track.
  function timeAt(track, clientX) {
    var box = track.getBoundingClientRect();
    if (!box.width || clientX < box.left || clientX > box.right) return "";
    var minutes = startMinutes + Math.floor((clientX - box.left) / box.width * lengthMinutes / 15) * 15;
    minutes = Math.max(0, Math.min(minutes, 23 * 60 + 45));
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  document.querySelectorAll("[data-move-url]").forEach(function (item) {
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.job || "");
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("dragging");
      dragged = null;
      clearTargets();
    });
  });

  rows.forEach(function (row) {
    row.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!row.classList.contains("drop-target")) {
        clearTargets();
        row.classList.add("drop-target");
      }
    });
    row.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var url = new URL(dragged.dataset.moveUrl, window.location.href);
      url.searchParams.set("technician", row.dataset.dropTechnician);
      var at = timeAt(row.querySelector(".tl-track"), event.clientX);
      if (at) url.searchParams.set("not_before", at);
      url.hash = "candidate-" + row.dataset.dropTechnician;
      window.location.assign(url.toString());
    });
  });

  document.querySelectorAll("[data-drag-hint]").forEach(function (hint) { hint.hidden = false; });
})();
