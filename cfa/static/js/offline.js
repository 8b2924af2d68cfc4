// Attendance without network. The service worker (/sw.js) keeps the app and the day's sheets on the device; this
// script keeps the writes made offline (marks, signatures, closing) in IndexedDB, in order, and sends them when the
// network returns, to a route that applies the sheet's usual rules (services/attendance_sync.py). What the server
// could not apply as made (changed meanwhile on another device, sheet closed...) is shown until the trainer has
// read it. Without JavaScript, or with the network, the forms post as they always did.
(function () {
  "use strict";

  var user = document.body.getAttribute("data-user");
  var worker = navigator.serviceWorker;

  function tell(message) {
    // A message to the service worker, answered through a channel (resolves undefined without one).
    if (!worker) return Promise.resolve();
    return worker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  if (worker) worker.register("/sw.js", { scope: "/" }).catch(function () {});
  if (!user) {  // the log-in page, or any page without an account: nobody's sheets stay on this device
    if (worker && worker.controller) tell({ type: "forget" });
    return;
  }

  // --- The queue, in IndexedDB: "queue" holds writes not yet delivered, "outcomes" answers still to be read.
  var database = null;
  function open() {
    if (database) return database;
    database = new Promise(function (resolve, reject) {
      var request = indexedDB.open("cadence-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        request.result.createObjectStore("outcomes", { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return database;
  }
  function store(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var result = work(transaction.objectStore(name));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  function all(name) {
    return store(name, "readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.filter(function (item) { return item.user === user; });
    });
  }

  // --- What the page says: offline or not, how many changes wait, what needs a look.
  var banner = document.createElement("div");
  banner.className = "offline-banner";
  banner.setAttribute("role", "status");
  banner.setAttribute("aria-live", "polite");
  banner.hidden = true;
  var main = document.querySelector("main") || document.body;
  main.insertBefore(banner, main.firstChild);
  var pending = 0, blocked = "";

  function plural(n, word) { return n + " " + word + (n > 1 ? "s" : ""); }
  function showState() {
    return all("queue").then(function (queue) {
      pending = queue.length;
      var text = "";
      if (!navigator.onLine) {
        text = "Hors ligne — " + (pending ? plural(pending, "modification") + " en attente" : "aucune modification en attente") +
          ". Continuez : tout est gardé sur cet appareil et sera envoyé au retour du réseau.";
      } else if (blocked) {
        text = blocked;
      } else if (pending) {
        text = "Envoi de " + plural(pending, "modification") + " en attente…";
      }
      banner.textContent = text;
      banner.hidden = !text;
      banner.classList.toggle("offline-banner-offline", !navigator.onLine);
    });
  }

  // --- Sheet pages: which form is which write, and what the page shows once a write is queued.
  var sheetForm = document.querySelector("[data-sync-url]");
  var here = sheetForm ? sheetForm.getAttribute("data-sync-url") : null;
  var dirty = false;

  function kindOf(form) {
    if (!sheetForm) return null;
    return form.getAttribute("data-offline") || (form.closest("[data-signature-dialog]") ? "sign" : null);
  }

  function fieldsOf(form, submitter) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") fields[name] = value;
    });
    if (submitter && submitter.name) fields[submitter.name] = submitter.value;
    return fields;
  }

  function row(eid) { return sheetForm.querySelector('[data-enrolment="' + eid + '"]'); }

  function applyLocally(write) {
    // The page shows what the device holds, the queued writes included (they survive a reload offline).
    if (!sheetForm || write.url !== here) return;
    if (write.kind === "marks") {
      Object.keys(write.fields).forEach(function (name) {
        var match = /^status-(\d+)$/.exec(name);
        if (!match) return;
        var eid = match[1], line = row(eid);
        if (!line) return;
        var radio = line.querySelector('input[type=radio][value="' + write.fields[name] + '"]');
        if (radio) radio.checked = true;
        var late = write.fields["late-" + eid] || "", early = write.fields["early-" + eid] || "";
        var lateInput = line.querySelector('input[name="late-' + eid + '"]');
        var earlyInput = line.querySelector('input[name="early-' + eid + '"]');
        if (lateInput) lateInput.value = late;
        if (earlyInput) earlyInput.value = early;
        // The next write made here starts from what this device now shows.
        line.querySelector('input[name="seen-' + eid + '"]').value = write.fields[name] + ":" + (late || 0) + ":" + (early || 0);
      });
    } else if (write.kind === "all_present") {
      sheetForm.querySelectorAll("[data-enrolment]").forEach(function (line) {
        if (line.querySelector("input[type=radio]:checked")) return;
        var radio = line.querySelector('input[type=radio][value="present"]');
        if (radio) radio.checked = true;
        var seen = line.querySelector('input[name^="seen-"]');
        if (seen) seen.value = "present:0:0";
      });
    } else if (write.kind === "sign") {
      var line = row(write.enrolment_id);
      if (!line) return;
      line.querySelector("[data-signed]").textContent = "✓ signé (en attente d'envoi)";
      var button = line.querySelector("[data-sign]");
      if (button) button.remove();
    } else if (write.kind === "close") {
      var closing = document.querySelector('[data-offline="close"]');
      if (closing) {
        var note = document.createElement("p");
        note.className = "flash flash-info";
        note.textContent = "Feuille signée et close sur cet appareil : la clôture sera envoyée au retour du réseau.";
        closing.replaceWith(note);
      }
    }
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(16) + "-" + Math.random().toString(16).slice(2);
  }

  function queue(form, kind, submitter) {
    var fields = fieldsOf(form, submitter);
    var write = {
      id: newId(), user: user, url: here, kind: kind, fields: fields,
      version: parseInt(sheetForm.getAttribute("data-version"), 10) || 0,
      device_at: new Date().toISOString(),
      title: document.title.replace(/ · Cadence$/, "")
    };
    if (kind === "sign") {
      var match = /\/signer\/(\d+)$/.exec(form.getAttribute("action") || "");
      if (!match) return Promise.resolve();
      write.enrolment_id = parseInt(match[1], 10);
    }
    return store("queue", "readwrite", function (s) { return s.add(write); }).then(function () {
      applyLocally(write);
      dirty = false;
      var dialog = form.closest("dialog");
      if (dialog && dialog.open) dialog.close();
      return showState();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target, kind = kindOf(form);
    // A form whose own check refused it (an empty signature) is left alone; online with nothing waiting, it posts.
    if (!kind || event.defaultPrevented || (navigator.onLine && !pending)) return;
    event.preventDefault();
    queue(form, kind, event.submitter);
  });
  if (sheetForm) sheetForm.addEventListener("change", function () { dirty = true; });

  // --- Sending: one write at a time, in the order made; a network failure stops and waits for the next chance.
  var sending = false;
  function token() {
    return fetch("/emargement/jeton", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("session");
        return response.json();
      }).then(function (data) { return data.csrf_token; });
  }
  function deliver(write, csrf) {
    var body = {
      id: write.id, kind: write.kind, version: write.version, device_at: write.device_at,
      fields: write.fields, enrolment_id: write.enrolment_id === undefined ? null : write.enrolment_id
    };
    return fetch(write.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected) throw new Error("session");  // sent to the log-in page
      // A server or proxy in trouble is not an answer about the write: it stays queued for the next try.
      if (!json || response.status >= 500 || response.status === 429) throw new Error("later");
      return response.json().then(function (data) { data.http = response.status; return data; });
    });
  }
  function settle(write, answer) {
    // Every answer but a plain success is kept for the trainer to read: nothing they did disappears unseen.
    var worth = answer.status !== "saved" || answer.message;
    return store("queue", "readwrite", function (s) { s.delete(write.seq); }).then(function () {
      if (!worth) return null;
      var outcome = {
        id: write.id, user: user, url: write.url, title: write.title, label: answer.label || write.kind,
        status: answer.status || "refused", message: answer.message || "Refusé par le serveur.",
        device_at: write.device_at
      };
      return store("outcomes", "readwrite", function (s) { s.put(outcome); });
    });
  }
  function send() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    var touchedHere = false;
    return all("queue").then(function (writes) {
      if (!writes.length) return null;
      return token().then(function (csrf) {
        return writes.reduce(function (previous, write) {
          return previous.then(function () {
            return deliver(write, csrf).then(function (answer) {
              if (answer.http === 400 && /expiré|authentique/.test(answer.message || "")) {
                return token().then(function (fresh) { csrf = fresh; return deliver(write, csrf); });
              }
              return answer;
            }).then(function (answer) {
              if (write.url === here) touchedHere = true;
              return settle(write, answer);
            });
          });
        }, Promise.resolve());
      });
    }).then(function () {
      blocked = "";
    }, function (error) {
      blocked = error && error.message === "session"
        ? "Session expirée : reconnectez-vous pour envoyer " + plural(pending, "modification") + " en attente."
        : error && error.message === "later"
          ? "Le serveur ne répond pas : " + plural(pending, "modification") + " en attente, nouvel essai dans un instant."
          : "";
    }).then(function () {
      sending = false;
      return showState();
    }).then(function () {
      // The sheet as the server now holds it, unless the trainer is changing it right now.
      if (touchedHere && !pending && !dirty) window.location.reload();
      else return showOutcomes();
    });
  }

  // --- Answers to read: on the sheet they concern, until the trainer says they have seen them.
  function showOutcomes() {
    if (!sheetForm) return Promise.resolve();
    return all("outcomes").then(function (outcomes) {
      outcomes = outcomes.filter(function (o) { return o.url === here; });
      var panel = document.querySelector("[data-sync-outcomes]");
      if (panel) panel.remove();
      if (!outcomes.length) return;
      panel = document.createElement("section");
      panel.className = "card sync-outcomes";
      panel.setAttribute("data-sync-outcomes", "");
      panel.setAttribute("role", "alert");
      var title = document.createElement("h2");
      title.textContent = "Modifications faites hors ligne : à vérifier";
      panel.appendChild(title);
      var list = document.createElement("ul");
      outcomes.forEach(function (outcome) {
        var item = document.createElement("li");
        item.className = "sync-outcome sync-" + outcome.status;
        var when = new Date(outcome.device_at).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
        var head = document.createElement("strong");
        head.textContent = outcome.label + " (saisi à " + when + ") : " +
          { conflict: "en conflit", refused: "refusé", saved: "enregistré" }[outcome.status];
        var text = document.createElement("p");
        text.textContent = outcome.message;
        var seen = document.createElement("button");
        seen.type = "button";
        seen.className = "btn btn-small";
        seen.textContent = "J'ai vérifié";
        seen.addEventListener("click", function () {
          store("outcomes", "readwrite", function (s) { s.delete(outcome.id); }).then(showOutcomes);
        });
        item.append(head, text, seen);
        list.appendChild(item);
      });
      panel.appendChild(list);
      var heading = document.querySelector(".page-head");
      heading.parentNode.insertBefore(panel, heading.nextSibling);
    });
  }

  // --- The day's sheets kept for offline use, from the trainer's "Aujourd'hui" page.
  var day = document.querySelector("[data-offline-pages]");
  if (day && worker && navigator.onLine) {
    var urls = Array.prototype.map.call(day.querySelectorAll("[data-offline-page]"), function (link) {
      return link.getAttribute("href");
    });
    tell({ type: "keep", urls: [window.location.pathname].concat(urls) }).then(function (answer) {
      var note = document.querySelector("[data-offline-ready]");
      if (answer && note) {
        note.hidden = false;
        note.textContent = plural(urls.length, "feuille") + " du jour disponible" + (urls.length > 1 ? "s" : "") +
          " hors ligne sur cet appareil.";
      }
      document.documentElement.setAttribute("data-offline-kept", String(answer ? answer.kept : 0));
    });
  }

  // --- Leaving: the device forgets this account's pages; a write not yet sent is not dropped without a word.
  document.querySelectorAll('form[action="/deconnexion"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (pending && !window.confirm(plural(pending, "modification") + " faite(s) hors ligne n'ont pas encore été " +
          "envoyées et seront perdues. Se déconnecter quand même ?")) {
        event.preventDefault();
        return;
      }
      tell({ type: "forget" });
    });
  });

  window.addEventListener("online", send);
  // A write left waiting by a server that did not answer is tried again while the page stays open.
  window.setInterval(function () { if (pending && navigator.onLine) send(); }, 30000);
  window.addEventListener("offline", showState);
  var ready = store("queue", "readonly", function (s) { return s.getAll(); }).then(function (writes) {
    writes.filter(function (w) { return w.user === user; }).forEach(applyLocally);
  }).then(showState).then(showOutcomes).then(send);
  ready.catch(function () {});
})();
