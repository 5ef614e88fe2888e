// Behaviour of the record pages (lead, contact, account). No inline script (the
// Content-Security-Policy forbids it): markup asks with data- attributes.
(function () {
  "use strict";

  // <button data-dialog-open="dialog-id">: opens that <dialog> as a modal; a
  // [data-dialog-close] inside it closes it (Escape does too, natively).
  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : event.target.parentElement;
    const opener = target.closest("[data-dialog-open]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.dialogOpen);
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        const cancel = dialog.querySelector("[data-dialog-close]");
        if (cancel) cancel.focus();  // the safe choice first
      }
      return;
    }
    const closer = target.closest("[data-dialog-close]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });
})();
