// Behaviour every page shares. The Content-Security-Policy allows no inline script, so
// markup asks for it with data- attributes, and the listeners sit on the document:
// they keep working on whatever htmx swaps in.
(function () {
  "use strict";

  document.addEventListener("htmx:responseError", function (event) {
    alert("That did not work (HTTP " + event.detail.xhr.status + "). Reload the page and try again.");
  });

  // <form data-confirm="Question?">: asked before the form is sent; Cancel sends nothing.
  // With data-confirm-when="action=delete", only when that control holds that value.
  // In the capture phase, so a No stops htmx's own submit handler too.
  function asksFirst(form) {
    if (!form.dataset || !form.dataset.confirm) return false;
    if (!form.dataset.confirmWhen) return true;
    const [name, value] = form.dataset.confirmWhen.split("=");
    const control = form.elements.namedItem(name);
    return Boolean(control) && control.value === value;
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (asksFirst(form) && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

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
