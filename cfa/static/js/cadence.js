// Small progressive enhancements: the pages work without JavaScript.
(function () {
  "use strict";
  // Only one menu of the top bar open at a time; a click elsewhere closes them.
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".mainnav details[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Ask before destructive actions (forms carrying data-confirm).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Copy buttons (calendar links): copy the target field's text and say so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () { button.textContent = "Lien copié"; };
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });
  // Bring keyboard and screen-reader users to the error summary of a refused form.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
})();
