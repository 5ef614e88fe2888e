// The data table component (templates/_data_table.html): selection count and bulk bar,
// the column picker's order, and the row keys (j/k move, Enter opens, x selects, / searches,
// ? lists the shortcuts). Listeners sit on the document, so they survive htmx swaps.
(function () {
  "use strict";

  function rowBoxes() {
    return Array.from(document.querySelectorAll(".data-table tbody input[type=checkbox]"));
  }

  // ---- selection and the bulk bar ----
  function showActionControls(bar) {
    const action = bar.querySelector("[data-bulk-action]");
    const chosen = action ? action.value : "";
    bar.querySelectorAll("[data-for-action]").forEach(function (group) {
      const shown = chosen !== "" && group.dataset.forAction.split(" ").indexOf(chosen) !== -1;
      group.classList.toggle("is-shown", shown);
      // A hidden control is not sent: the server sees only the chosen action's fields.
      group.querySelectorAll("input, select").forEach(function (control) { control.disabled = !shown; });
    });
  }

  function syncSelection() {
    const boxes = rowBoxes();
    const checked = boxes.filter(function (box) { return box.checked; });
    boxes.forEach(function (box) {
      const row = box.closest("tr");
      if (row) row.setAttribute("aria-selected", String(box.checked));
    });
    const all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    const bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    const total = document.getElementById("total");
    const totalLabel = total ? total.dataset.total : "";
    bar.querySelectorAll("[data-total-label]").forEach(function (label) { label.textContent = totalLabel; });
    const scopeAll = bar.querySelector("[data-scope-all]");
    const everything = scopeAll && scopeAll.checked;
    if (!checked.length && scopeAll) scopeAll.checked = false;
    bar.hidden = checked.length === 0;
    const count = bar.querySelector("[data-selection-count]");
    if (count) {
      count.textContent = everything && checked.length
        ? "All " + totalLabel + " matching"
        : checked.length + " selected";
    }
    showActionControls(bar);
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!target.matches) return;
    if (target.matches("[data-select-all]")) {
      rowBoxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all], .data-table tbody input[type=checkbox], [data-scope-all], [data-bulk-action]")) {
      syncSelection();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-clear-selection]")) return;
    rowBoxes().forEach(function (box) { box.checked = false; });
    syncSelection();
  });
  document.addEventListener("DOMContentLoaded", function () {
    // "Select all" ticked before this script ran (a fast click on a slow page) still selects.
    const all = document.querySelector("[data-select-all]");
    if (all && all.checked) rowBoxes().forEach(function (box) { box.checked = true; });
    syncSelection();
  });
  document.addEventListener("htmx:afterSettle", syncSelection);

  // ---- the column picker: arrows reorder, then the order is saved ----
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-move]");
    if (!button) return;
    const item = button.closest("li");
    const list = item.parentElement;
    if (button.dataset.move === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.dataset.move === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    button.focus();
    if (window.htmx) window.htmx.trigger(button.form, "reorder");
  });

  // ---- keyboard ----
  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
  }
  function rows() {
    return Array.from(document.querySelectorAll("[data-keyboard-rows] tbody tr:not(.empty-row)"));
  }
  function moveCurrent(step) {
    const all = rows();
    if (!all.length) return;
    const current = all.findIndex(function (row) { return row.classList.contains("is-current"); });
    const next = Math.min(all.length - 1, Math.max(0, current === -1 ? 0 : current + step));
    all.forEach(function (row) { row.classList.remove("is-current"); });
    all[next].classList.add("is-current");
    all[next].scrollIntoView({ block: "nearest" });
    const link = all[next].querySelector("td a[href]");
    if (link) link.focus({ preventScroll: true });
  }
  function currentRow() {
    return document.querySelector("[data-keyboard-rows] tbody tr.is-current");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (typing(event.target)) {
      if (event.key === "Escape" && event.target.matches("[data-search-shortcut]")) event.target.blur();
      return;
    }
    const search = document.querySelector("[data-search-shortcut]");
    switch (event.key) {
      case "/":
        if (!search) return;
        event.preventDefault();
        search.focus();
        search.select();
        return;
      case "j":
        if (!rows().length) return;
        moveCurrent(1);
        return;
      case "k":
        if (!rows().length) return;
        moveCurrent(-1);
        return;
      case "x": {
        const row = currentRow();
        const box = row && row.querySelector("input[type=checkbox]");
        if (!box) return;
        box.checked = !box.checked;
        syncSelection();
        return;
      }
      case "Enter": {
        const row = currentRow();
        const link = row && row.querySelector("td a[href]");
        if (!link || event.target === link) return; // a focused link opens by itself
        event.preventDefault();
        link.click();
        return;
      }
      case "?": {
        const dialog = document.getElementById("shortcuts-dialog");
        if (dialog) dialog.showModal();
        return;
      }
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-shortcuts-open]")) return;
    const dialog = document.getElementById("shortcuts-dialog");
    if (dialog) dialog.showModal();
  });
})();
