// Small progressive enhancements: the pages work without JavaScript.
(function () {
  "use strict";
  // The phone's menu button: the menu is shown while aria-expanded is true (CSS), so the two never disagree;
  // a closed menu is display:none, so none of its links is a hidden keyboard stop.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    });
  }
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
  // A table wider than its box scrolls sideways: its wrapper becomes a named region that the keyboard can reach
  // and scroll (arrow keys). Wrappers that fit are left out of the tab order. Checked again when the width changes.
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    // Else the nearest heading before it, in its own box or an enclosing one.
    for (var node = wrap; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-4]$/.test(prev.tagName)) return prev.textContent.trim();
      }
    }
    return "Tableau";
  }
  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", tableName(wrap) + " (tableau défilant)");
      } else if (wrap.hasAttribute("tabindex")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  markScrollingTables();
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(markScrollingTables);
  });
  // Bring keyboard and screen-reader users to the error summary of a refused form.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
})();
