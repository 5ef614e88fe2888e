// My Leads' filter bar (table and board): checklist labels, removable chips, the views
// switch. Each changes a control of the filter form and sends it, so the form, the URL
// and the results stay in step. Listeners sit on the document (htmx swaps the page).
(function () {
  "use strict";

  function filterForm() { return document.getElementById("filters"); }

  // The summary names what is ticked, as the server renders it: "Status: New, Contacted".
  function relabel(checklist) {
    const summary = checklist.querySelector("summary[data-label]");
    if (!summary) return;
    const chosen = Array.from(checklist.querySelectorAll("input[type=checkbox]:checked"))
      .map(function (box) { return box.closest("label").textContent.trim(); });
    summary.querySelector("span").textContent = summary.dataset.label + (chosen.length ? ": " + chosen.join(", ") : "");
  }
  document.addEventListener("change", function (event) {
    const checklist = event.target.closest && event.target.closest("details.checklist");
    if (checklist) relabel(checklist);
  });

  // htmx builds a restored page with scripting off, so <noscript> content arrives as real
  // elements: a hidden Apply button would make Enter submit the filter form a second time.
  function dropNoScriptControls() {
    document.querySelectorAll(".no-js-only").forEach(function (element) { element.remove(); });
  }
  document.addEventListener("htmx:historyRestore", dropNoScriptControls);
  document.addEventListener("htmx:afterSettle", dropNoScriptControls);

  // The search box searches as you type (input); its change on leaving the box would
  // search again. Other filters search on change.
  document.addEventListener("change", function (event) {
    if (event.target.id === "q") event.stopPropagation();
  }, true);

  function clearControl(form, name, value) {
    Array.from(form.elements).forEach(function (control) {
      if (control.name !== name || control.form !== form) return;
      if (control.type === "checkbox") {
        if (!value || control.value === value) control.checked = false;
      } else if (control.tagName === "SELECT" && name === "owner") {
        control.value = control.options[0].value; // "Any owner"
      } else {
        control.value = "";
      }
    });
  }

  function send(form) {
    form.querySelectorAll("details.checklist").forEach(relabel);
    form.requestSubmit();
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : event.target.parentElement;
    const form = filterForm();
    if (!form || !window.htmx) return;
    const chip = target.closest("[data-remove-filter]");
    if (chip) {
      event.preventDefault();
      clearControl(form, chip.dataset.removeFilter, chip.dataset.filterValue);
      send(form);
      return;
    }
    if (target.closest("[data-clear-filters]")) {
      event.preventDefault();
      ["q", "status", "intent", "type", "source", "score_min", "score_max", "tag", "list", "created_from", "created_to"]
        .forEach(function (name) { clearControl(form, name, ""); });
      const owner = form.querySelector("[data-owner-select]");
      if (owner && ["me", "unassigned", "any", ""].indexOf(owner.value) === -1) {
        owner.value = owner.options[0].value;
      }
      send(form);
      return;
    }
    const view = target.closest("[data-owner-view]");
    if (view) {
      const owner = form.querySelector("[data-owner-select]");
      if (!owner) return;
      event.preventDefault();
      owner.value = view.dataset.ownerView;
      send(form);
    }
  });
})();
