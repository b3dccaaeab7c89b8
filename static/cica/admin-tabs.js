/* The language tabs of a translated register's form (modeltranslation, with
   jQuery UI's Tabs served from our static files): name the language switch it
   adds to the heading, so a screen reader says what it is (issue 16 item 4).
   Queued on the same jQuery "ready" as modeltranslation's script, after it. */
(function ($) {
  "use strict";
  $(function () {
    // The label, in the page's language, from templates/admin/base_site.html.
    var meta = document.querySelector("meta[name=cica-language-switch]");
    var label = meta ? meta.content : "Language";
    $("#modeltranslation-main-switch").attr("aria-label", label);
  });
})(django.jQuery);

/* jQuery UI makes each tab's <li> the focusable tab and keeps a link inside
   it: a control inside a control, which screen readers announce badly (axe's
   nested-interactive). The panels are found through aria-controls once the
   tabs exist, so the links lose their href and stay as the tabs' text; every
   panel is on the page, never fetched, which jQuery UI is told through
   _isLocal (it would otherwise take a link without href for a remote tab). */
(function ($) {
  "use strict";
  if ($.ui && $.ui.tabs) {
    $.ui.tabs.prototype._isLocal = function () { return true; };
  }
  $(function () {
    $(".ui-tabs-nav li[role=tab] > a.ui-tabs-anchor").removeAttr("href");
  });
})(django.jQuery);
