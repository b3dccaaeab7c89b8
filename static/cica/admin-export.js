/* The export form's "Select all" (django-import-export binds it with an inline
   onchange attribute, which our CSP refuses): tick or untick every field. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var toggle = document.getElementById("select-all-toggle");
  if (!toggle) return;
  toggle.addEventListener("change", function () {
    document
      .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
      .forEach(function (box) { box.checked = toggle.checked; });
  });
});
