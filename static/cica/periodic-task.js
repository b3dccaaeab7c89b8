/* django-celery-beat's periodic-task form (its inline script, which our CSP
   refuses): the crontab's help shows the chosen schedule in words. */
(function ($) {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var readable = data ? JSON.parse(data.textContent) : {};
  var help = $(".field-crontab .help");
  var original = help.text();
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var text = readable[$("#id_crontab").val()];
    help.text(original);
    if (text) help.append($("<br>"), document.createTextNode("Translation: " + text));
  });
})(django.jQuery);
