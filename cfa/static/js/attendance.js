// The attendance sheet: signature pads, the rotating self sign-in code, sign-ins arriving from phones.
// Without JavaScript the sheet still works as a plain form; these only add what a form cannot do.
(function () {
  "use strict";

  // --- Signature pads (signature_pad, vendored in static/vendor): smooth strokes whose width follows the speed,
  // drawn at the screen's pixel density so that a signature on a phone or a tablet stays sharp; sent as PNG.
  function pad(canvas) {
    var signaturePad = new window.SignaturePad(canvas, { penColor: "#1d2433", minWidth: 0.8, maxWidth: 2.8 });
    function resize() {
      var width = canvas.offsetWidth, height = canvas.offsetHeight;
      if (!width || !height) return;  // a closed dialog: sized when it opens
      var strokes = signaturePad.toData();
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = width * ratio;
      canvas.height = height * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      signaturePad.clear();
      signaturePad.fromData(strokes);  // turning a phone keeps what was drawn
    }
    resize();
    window.addEventListener("resize", resize);
    return {
      clear: function () { signaturePad.clear(); },
      resize: resize,
      value: function () { return signaturePad.isEmpty() ? "" : signaturePad.toDataURL("image/png"); }
    };
  }

  document.querySelectorAll("[data-signature-form]").forEach(function (form) {
    var canvas = form.querySelector("canvas");
    if (!canvas) return;
    var signature = pad(canvas);
    form.signaturePad = signature;
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", signature.clear);
    form.addEventListener("submit", function (event) {
      var value = signature.value();
      if (!value && form.hasAttribute("data-signature-optional")) return;
      // Signing without drawing: the typed button, or Enter in the password field with nothing drawn.
      var typed = form.querySelector("[data-typed-password]");
      if (!value && typed && (typed.value || (event.submitter && event.submitter.value === "typed"))) {
        if (!event.submitter || event.submitter.value !== "typed") {
          var method = document.createElement("input");
          method.type = "hidden"; method.name = "method"; method.value = "typed";
          form.appendChild(method);
        }
        return;
      }
      if (!value) { event.preventDefault(); window.alert("Signez dans le cadre avant de valider."); return; }
      form.querySelector("[data-signature-value]").value = value;
    });
  });

  // Closing: when a class signed the paper sheet, one tap gives every missing signature that reason.
  document.querySelectorAll("[data-unsigned-all]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      button.closest("fieldset").querySelectorAll("select").forEach(function (select) {
        if (!select.value) select.value = button.getAttribute("data-unsigned-all");
      });
    });
  });

  var dialog = document.querySelector("[data-signature-dialog]");
  document.querySelectorAll("[data-sign]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!dialog || !dialog.showModal) return;
      var form = dialog.querySelector("form");
      form.action = button.getAttribute("data-sign");
      dialog.querySelector("[data-signature-title]").textContent = "Signature de " + button.getAttribute("data-name");
      dialog.showModal();
      form.signaturePad.resize();
      form.signaturePad.clear();
    });
  });
  if (dialog) {
    dialog.querySelector("[data-dialog-close]").addEventListener("click", function () { dialog.close(); });
  }

  // --- Self sign-in: the code and its QR, renewed when they expire.
  var selfsign = document.querySelector("[data-code-url]");
  var codeTimer = null;
  var codeOpened = false;
  function refreshCode() {
    // The first request creates the sheet (a POST with the page's CSRF token); renewals only read.
    var options = { credentials: "same-origin" };
    if (!codeOpened) {
      var token = document.querySelector("input[name=csrf_token]");
      options.method = "POST";
      options.headers = { "X-CSRFToken": token ? token.value : "" };
    }
    fetch(selfsign.getAttribute("data-code-url"), options)
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { selfsign.querySelector("[data-code]").textContent = data.error; return; }
        codeOpened = true;
        selfsign.querySelector("[data-qr]").innerHTML = data.svg;
        selfsign.querySelector("[data-code]").textContent = data.code;
        codeTimer = window.setTimeout(refreshCode, data.expires_in * 1000 + 200);
      })
      .catch(function () { codeTimer = window.setTimeout(refreshCode, 5000); });
  }
  if (selfsign) {
    selfsign.addEventListener("toggle", function () {
      window.clearTimeout(codeTimer);
      if (selfsign.open) refreshCode();
    });
    // The trainer's home links here to show the code at once.
    if (window.location.hash === "#auto-emargement") selfsign.open = true;
  }

  // --- Sign-ins from phones appear on the trainer's sheet; rows the trainer touched are left alone.
  var sheet = document.querySelector("[data-state-url]");
  if (!sheet) return;
  var touched = {};
  sheet.addEventListener("change", function (event) {
    var row = event.target.closest("[data-enrolment]");
    if (row) touched[row.getAttribute("data-enrolment")] = true;
  });
  var version = sheet.getAttribute("data-version");
  function poll() {
    fetch(sheet.getAttribute("data-state-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (String(data.version) === version) return;
        version = String(data.version);
        Object.keys(data.marks).forEach(function (id) {
          var mark = data.marks[id];
          var row = sheet.querySelector('[data-enrolment="' + id + '"]');
          if (!row) return;
          if (mark.signed) {
            row.querySelector("[data-signed]").textContent = "✓ signé" + (mark.method ? " (" + mark.method + ")" : "");
            var button = row.querySelector("[data-sign]");
            if (button) button.remove();
            // A signed row changes only through a correction: the save would refuse it anyway.
            var marks = row.querySelector("fieldset.marks");
            if (marks) marks.disabled = true;
          }
          if (touched[id]) return;
          var radio = row.querySelector('input[type=radio][value="' + mark.status + '"]');
          if (radio) radio.checked = true;
          var seen = row.querySelector('input[name^="seen-"]');
          if (seen) seen.value = mark.status + ":" + mark.late + ":" + mark.early;
          var late = row.querySelector('input[name^="late-"]'), early = row.querySelector('input[name^="early-"]');
          if (late) late.value = mark.late || "";
          if (early) early.value = mark.early || "";
        });
      })
      .catch(function () {});
  }
  window.setInterval(poll, 5000);
})();
