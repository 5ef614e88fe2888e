// My Leads: the checklist dropdowns of the filter form (Status, Source, Intent).
// Listeners sit on the document, so they keep working after htmx swaps the page
// (a history restore replaces the whole body).
(function () {
  "use strict";

  // The summary names what is ticked, as the server renders it: "Status: New, Contacted".
  function relabel(checklist) {
    const summary = checklist.querySelector("summary");
    const chosen = Array.from(checklist.querySelectorAll("input[type=checkbox]:checked"))
      .map(function (box) { return box.closest("label").textContent.trim(); });
    summary.textContent = summary.dataset.label + (chosen.length ? ": " + chosen.join(", ") : "");
  }

  function closeOpenChecklists(except) {
    document.querySelectorAll("details.checklist[open]").forEach(function (checklist) {
      if (!checklist.contains(except)) checklist.open = false;
    });
  }

  // htmx builds a restored page with scripting off, so <noscript> content arrives as real
  // elements: a hidden Apply button would make Enter submit the filter form a second time.
  function dropNoScriptControls() {
    document.querySelectorAll(".no-js-only").forEach(function (element) { element.remove(); });
  }
  document.addEventListener("htmx:historyRestore", dropNoScriptControls);
  document.addEventListener("htmx:afterSettle", dropNoScriptControls);

  document.addEventListener("change", function (event) {
    const checklist = event.target.closest && event.target.closest("details.checklist");
    if (checklist) relabel(checklist);
  });

  document.addEventListener("click", function (event) {
    closeOpenChecklists(event.target);
  });

  // Tabbing out of a checklist closes it (a null relatedTarget is the window losing focus).
  document.addEventListener("focusout", function (event) {
    const checklist = event.target.closest && event.target.closest("details.checklist[open]");
    if (checklist && event.relatedTarget && !checklist.contains(event.relatedTarget)) {
      checklist.open = false;
    }
  });

  // The search box searches as you type (input); its change on leaving the box would
  // search again and reset a bulk scope just chosen. Other filters search on change.
  document.addEventListener("change", function (event) {
    if (event.target.id === "q") event.stopPropagation();
  }, true);

  // The header's box ticks or clears every row of the page.
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("input[data-select-all]")) return;
    document.querySelectorAll("input[name=lead_id]").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const open = document.activeElement && document.activeElement.closest("details.checklist[open]");
    closeOpenChecklists(null);
    if (open) open.querySelector("summary").focus();
  });
})();
