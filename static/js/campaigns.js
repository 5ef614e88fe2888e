// A campaign's lists: drag a row (SortableJS) to change the priorities. The new order is
// posted to the same endpoint a form would use; the page then reloads so the stats and the
// queue show the moves. Without JS the arrow buttons (plain forms) do the same.
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function renumber(body) {
    body.querySelectorAll("tr[data-link-id] .priority").forEach(function (cell, index) {
      cell.textContent = String(index + 1);
    });
  }

  function save(body) {
    const form = new FormData();
    body.querySelectorAll("tr[data-link-id]").forEach(function (row) {
      form.append("link", row.dataset.linkId);
    });
    return fetch(body.dataset.orderUrl, {
      method: "POST",
      body: form,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      window.location.reload();
    });
  }

  function init() {
    const body = document.getElementById("campaign-lists");
    if (!body || !window.Sortable || !body.dataset.orderUrl || body.dataset.sortable) return;
    body.dataset.sortable = "1";
    window.Sortable.create(body, {
      handle: ".drag-handle",
      draggable: "tr[data-link-id]",
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 120,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        renumber(body);
        save(body).catch(function () {
          if (window.leadkeeper) window.leadkeeper.toast("The new order was not saved. Reload and try again.", "error");
        });
      },
    });
    body.classList.add("is-sortable");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
