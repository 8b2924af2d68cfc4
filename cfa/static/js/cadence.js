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
  // Bring keyboard and screen-reader users to the error summary of a refused form.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
})();
