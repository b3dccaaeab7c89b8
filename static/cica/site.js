// Behaviour of the delegate pages that needs script. In a file, never inline:
// the Content-Security-Policy refuses inline scripts and event handlers.

// The language menu takes effect as soon as a language is chosen (without
// script, the form's own button does it).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// The header's menu on a phone: the Menu button (hidden without script, so
// the menu then stays open) folds and unfolds it. The stylesheet folds it only
// on narrow screens; on wide ones the button is not shown and the menu is open.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.menu-toggle[aria-controls]").forEach(function (button) {
    button.hidden = false;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });

  // A form page puts the cursor in its first field, or in the first one the
  // server refused (Django marks it aria-invalid). Only forms marked
  // data-autofocus: pages that are not forms keep the focus where it is.
  var form = document.querySelector("form[data-autofocus]");
  if (form) {
    var fields = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
    var target = form.querySelector("[aria-invalid=true]") || form.querySelector(fields);
    if (target && !document.querySelector("[autofocus]")) {
      target.focus();
    }
  }
});
