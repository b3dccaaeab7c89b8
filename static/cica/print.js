// "Print" links on the printable report: a script file rather than an inline
// onclick, so the Content-Security-Policy can refuse every inline script.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-print]");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
