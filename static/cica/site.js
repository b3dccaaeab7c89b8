// Behaviour of the delegate pages that needs script. In a file, never inline:
// the Content-Security-Policy refuses inline scripts and event handlers.

// The language menu takes effect as soon as a language is chosen (without
// script, the form's own button does it).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
