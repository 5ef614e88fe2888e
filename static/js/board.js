// My Leads' board: drag a card to another column (SortableJS), or pick a column in its
// "Move to" menu; either asks for an optional note, then posts the new status. The server
// applies the status bar's rules; the board is then fetched again so counts stay true.
(function () {
  "use strict";

  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function refresh() {
    if (window.htmx) window.htmx.ajax("GET", window.location.href, { target: "#results", swap: "innerHTML" });
  }

  function label(status) {
    const badge = document.getElementById("column-" + status);
    return badge ? badge.textContent.trim() : status;
  }

  // Resolves with the note (possibly "") when confirmed, null when cancelled.
  function askForNote(card, status) {
    const dialog = document.getElementById("move-dialog");
    dialog.querySelector("#move-summary").textContent =
      "Move \u2068" + card.dataset.leadName + "\u2069 from " + label(card.dataset.status) + " to " + label(status) + "?";
    const note = dialog.querySelector("#move-note");
    note.value = "";
    dialog.returnValue = "";
    dialog.showModal();
    note.focus();
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        resolve(dialog.returnValue === "ok" ? note.value : null);
      }, { once: true });
    });
  }

  function move(card, status, undo) {
    askForNote(card, status).then(function (note) {
      if (note === null) { undo(); return; }
      const board = document.getElementById("board");
      const body = new FormData();
      body.append("status", status);
      body.append("note", note);
      fetch(board.dataset.moveBase + card.dataset.leadId + "/status", {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) {
            window.leadkeeper.toast(answer.message || "Status changed.", "success");
          } else {
            window.leadkeeper.toast(answer.error || "That did not work (HTTP " + response.status + ").", "error");
          }
          refresh();
        });
      }).catch(function () {
        window.leadkeeper.toast("The server could not be reached. Check the connection and try again.", "error");
        undo();
      });
    });
  }

  function init() {
    if (!window.Sortable) return;
    document.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      window.Sortable.create(list, {
        group: "board",
        animation: reducedMotion ? 0 : 120,
        filter: "select, a",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to) return;
          const card = event.item;
          move(card, event.to.dataset.status, function () {
            event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
          });
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);

  document.addEventListener("change", function (event) {
    const select = event.target.matches && event.target.matches("[data-move-to]") ? event.target : null;
    if (!select || !select.value) return;
    move(select.closest(".board-card"), select.value, function () { select.value = ""; });
  });
})();
