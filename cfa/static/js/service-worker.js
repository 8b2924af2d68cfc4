// Cadence's service worker (served as /sw.js): the app's own files and the trainer's sheets of the day stay on the
// device, so that a sheet opens in a room without network. Writes are not handled here: offline.js queues them.
// Only pages the signed-in trainer opened or asked for are kept, and they are forgotten at log-out (the server
// also sends Clear-Site-Data then) and whenever the log-in page shows.
"use strict";

var SHELL = "cadence-shell-v1";
var PAGES = "cadence-pages";
var SHELL_FILES = [
  "/static/css/cadence.css",
  "/static/js/cadence.js",
  "/static/js/attendance.js",
  "/static/js/offline.js",
  "/static/vendor/signature_pad/signature_pad.umd.min.js",
  "/static/favicon.svg",
  "/static/icons/cadence-192.png",
  "/manifest.webmanifest"
];
// The pages that may be kept: the day's list and a sheet, without query strings (another day is not kept).
var KEPT_PAGES = [/^\/emargement\/aujourdhui$/, /^\/emargement\/seances\/\d+$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== SHELL && name !== PAGES; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return !url.search && KEPT_PAGES.some(function (pattern) { return pattern.test(url.pathname); });
}

function keep(path, response) {
  // A redirect (to the log-in page) or an error page is never kept in place of the sheet.
  if (!response.ok || response.redirected || response.type !== "basic") return Promise.resolve(false);
  var headers = new Headers(response.headers);  // the page's security policy goes with its copy
  headers.delete("Content-Length");
  headers.set("X-Cadence-Copy", new Date().toISOString());
  return response.text().then(function (html) {
    // A one-time message ("Signature enregistrée") is not shown again each time the copy opens offline.
    var copy = new Response(html.replace(/<div class="flashes"[\s\S]*?<\/div>/, ""), { headers: headers });
    return caches.open(PAGES).then(function (cache) { return cache.put(path, copy); });
  }).then(function () { return true; });
}

function offlinePage() {
  var html = '<!doctype html><html lang="fr"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Hors ligne · Cadence</title>' +
    '<link rel="stylesheet" href="/static/css/cadence.css"></head><body><main class="container">' +
    "<h1>Hors ligne</h1><p>Cette page n'est pas disponible sans réseau. Les feuilles d'émargement du jour ouvertes " +
    "avec le réseau restent disponibles.</p><p><a class=\"btn\" href=\"/emargement/aujourdhui\">Séances du jour</a></p>" +
    "</main></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function fromNetworkFirst(request, url) {
  return fetch(request).then(function (response) {
    if (response.redirected && new URL(response.url).pathname === "/connexion") caches.delete(PAGES);
    else if (kept(url)) keep(url.pathname, response.clone());
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(url.pathname, { ignoreVary: true }); })
      .then(function (cached) { return cached || offlinePage(); });
  });
}

function fromShell(request) {
  // The app's files: the kept copy at once, refreshed in the background for the next visit.
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (cached) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (cached) { fresh.catch(function () {}); return cached; }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fromNetworkFirst(request, url));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = event.ports && event.ports[0];
  var done = function (value) { if (reply) reply.postMessage(value); };
  if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES).then(function () { done({ forgotten: true }); }));
  } else if (data.type === "keep" && Array.isArray(data.urls)) {
    // The day's sheets, asked for by the trainer's "Aujourd'hui" page while the network is there.
    var urls = data.urls.filter(function (path) { return kept(new URL(path, self.location.origin)); });
    event.waitUntil(Promise.all(urls.map(function (path) {
      return fetch(path, { credentials: "same-origin" }).then(function (response) { return keep(path, response); })
        .catch(function () { return false; });
    })).then(function (results) { done({ kept: results.filter(Boolean).length }); }));
  }
});
