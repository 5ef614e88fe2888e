// Behaviour every page shares. The Content-Security-Policy allows no inline script, so
// markup asks for it with data- attributes, and the listeners sit on the document:
// they keep working on whatever htmx swaps in.
(function () {
  "use strict";

  const leadkeeper = (window.leadkeeper = window.leadkeeper || {});

  // ---- toasts: leadkeeper.toast("Saved.", "success" | "error" | "info") ----
  const TOAST_MS = 5000;
  function dismissLater(toast) {
    if (toast.classList.contains("toast-error")) return; // an error stays until closed
    window.setTimeout(function () { toast.remove(); }, TOAST_MS);
  }
  leadkeeper.toast = function (message, kind) {
    const region = document.getElementById("toasts");
    if (!region) return;
    const toast = document.createElement("div");
    toast.className = "toast toast-" + (kind || "info");
    toast.setAttribute("role", kind === "error" ? "alert" : "status");
    const text = document.createElement("span");
    text.className = "toast-text";
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.dataset.toastClose = "";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.append(text, close);
    region.append(toast);
    dismissLater(toast);
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(dismissLater);
  });

  const HTTP_MESSAGES = {
    403: "You are not allowed to do that.",
    404: "That is no longer there. Reload the page.",
    409: "Someone changed this meanwhile. Reload the page and try again.",
    429: "Too many requests. Wait a moment and try again.",
  };
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    leadkeeper.toast(
      HTTP_MESSAGES[status] || "That did not work (HTTP " + status + "). Reload the page and try again.",
      "error"
    );
  });
  document.addEventListener("htmx:sendError", function () {
    leadkeeper.toast("The server could not be reached. Check the connection and try again.", "error");
  });

  // ---- confirm dialogs: leadkeeper.confirm(message) resolves true or false ----
  leadkeeper.confirm = function (message, okLabel) {
    const dialog = document.getElementById("confirm-dialog");
    if (!dialog || !dialog.showModal) return Promise.resolve(window.confirm(message));
    dialog.querySelector("#confirm-message").textContent = message;
    dialog.querySelector("#confirm-ok").textContent = okLabel || "Confirm";
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("#confirm-ok").focus();
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () { resolve(dialog.returnValue === "ok"); }, { once: true });
    });
  };

  // <form data-confirm="Question?">: asked before the form is sent; Cancel sends nothing.
  // With data-confirm-when="action=delete", only when that control holds that value.
  // In the capture phase, so the question stops htmx's own submit handler too.
  function asksFirst(form) {
    if (!form.dataset || !form.dataset.confirm) return false;
    if (!form.dataset.confirmWhen) return true;
    const [name, value] = form.dataset.confirmWhen.split("=");
    const control = form.elements.namedItem(name);
    return Boolean(control) && control.value === value;
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!asksFirst(form)) return;
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    leadkeeper.confirm(form.dataset.confirm, form.dataset.confirmOk).then(function (yes) {
      if (!yes) return;
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
  }, true);

  // ---- the shell: collapsible sidebar (remembered), overlay navigation on phones ----
  function setNavOpen(open) {
    document.documentElement.classList.toggle("nav-open", open);
    document.querySelectorAll("[data-nav-open]").forEach(function (button) {
      button.setAttribute("aria-expanded", String(open));
    });
    if (open) {
      const first = document.querySelector("#sidebar .nav-link");
      if (first) first.focus();
    }
  }
  function syncSidebarToggle() {
    const collapsed = document.documentElement.classList.contains("sidebar-collapsed");
    document.querySelectorAll("[data-sidebar-toggle]").forEach(function (button) {
      button.setAttribute("aria-expanded", String(!collapsed));
      button.title = collapsed ? "Expand the sidebar" : "Collapse the sidebar";
    });
  }
  document.addEventListener("DOMContentLoaded", syncSidebarToggle);

  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : event.target.parentElement;
    if (target.closest("[data-sidebar-toggle]")) {
      const collapsed = document.documentElement.classList.toggle("sidebar-collapsed");
      try {
        window.localStorage.setItem("leadkeeper.sidebar", collapsed ? "collapsed" : "open");
      } catch (e) { /* storage blocked: remembered for this page only */ }
      syncSidebarToggle();
      return;
    }
    if (target.closest("[data-nav-open]")) { setNavOpen(true); return; }
    if (target.closest("[data-nav-close]")) { setNavOpen(false); return; }
    const toastClose = target.closest("[data-toast-close]");
    if (toastClose) { toastClose.closest(".toast").remove(); return; }
    // A click outside an open popover closes it (and still reaches what it was on).
    document.querySelectorAll("details[data-popover][open]").forEach(function (popover) {
      if (!popover.contains(target)) popover.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (document.documentElement.classList.contains("nav-open")) setNavOpen(false);
    const open = document.querySelector("details[data-popover][open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });

  // Tabbing out of a popover closes it (a null relatedTarget is the window losing focus).
  document.addEventListener("focusout", function (event) {
    const popover = event.target.closest && event.target.closest("details[data-popover][open]");
    if (popover && event.relatedTarget && !popover.contains(event.relatedTarget)) {
      popover.open = false;
    }
  });

  // ---- small helpers asked for by markup ----
  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : event.target.parentElement;
    // A link inside a click-to-edit field opens the link, not the field's editor.
    if (target.closest("[data-no-edit]")) {
      event.stopPropagation();
      return;
    }
    // <button data-copy="element-id">: copies that element's value or text.
    const button = target.closest("[data-copy]");
    if (button) {
      const source = document.getElementById(button.dataset.copy);
      const text = "value" in source ? source.value : source.textContent;
      navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
    }
  }, true);

  // <select data-submit-on-change>: choosing sends its form.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) {
      event.target.form.requestSubmit();
    }
  });

  // Escape in an inline editor cancels it, as its Cancel link does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    const editor = event.target.closest(".editing");
    const cancel = editor && editor.querySelector("[data-cancel]");
    if (cancel) cancel.click();
  });

  // <input data-select-on-focus>: focusing it selects its text, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
      event.target.select();
    }
  });
})();
