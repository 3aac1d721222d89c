// The technician's day offline: the agenda and every job page the phone has opened are kept (network
// first, the kept copy when there is no connection), with the styles and scripts they use. Only pages
// and static files are read through here; every post (status updates, parts, photos, sign-out) goes
// straight to the network, and field.js queues the status updates that cannot be sent.
"use strict";
var CACHE = "aftercare-tech-day-v1";
var PAGE = /^\/tech(\/jobs\/[^\/]+)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("aftercare-tech-") === 0 && name !== CACHE; })
                            .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  var copy = response.clone();
  return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
}

self.addEventListener("message", function (event) {
  // Signing out forgets the day: the next person to pick up the phone must not read it.
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
  // The page that registered the worker was loaded before it ran: fetch it once more to keep it.
  if (event.data && typeof event.data.keep === "string" && PAGE.test(new URL(event.data.keep, self.location).pathname)) {
    var request = new Request(new URL(event.data.keep, self.location).href, {credentials: "same-origin"});
    event.waitUntil(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) return keep(request, response);
    }).catch(function () { /* offline already: nothing to keep */ }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && PAGE.test(url.pathname);
  if (!page && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (page && response.redirected) {
      // Sent to the sign-in page: the session is over, and so is the kept day.
      caches.delete(CACHE);
    } else if (response.ok && response.type === "basic") {
      event.waitUntil(keep(request, response));
    }
    return response;
  }).catch(function (error) {
    return caches.open(CACHE).then(function (cache) { return cache.match(request, {ignoreVary: true}); }).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  }));
});
