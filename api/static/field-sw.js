// The technician's day offline: the agenda, the day's job pages and every job page the phone has opened
// are kept (network first, the kept copy when there is no connection), with the styles and scripts they
// use. Only pages and static files are read through here; every post (status updates, parts, photos,
// sign-out) goes straight to the network, and field.js queues the steps that cannot be sent.
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
  // Pages to keep now: the one that registered the worker (loaded before it ran, with its styles and
  // scripts) and the day's job pages, so that a job never opened is still there to read offline.
  if (event.data && event.data.keep) {
    var addresses = [].concat(event.data.keep).filter(function (address) {
      if (typeof address !== "string") return false;
      var url = new URL(address, self.location);
      return url.origin === self.location.origin && (PAGE.test(url.pathname) || url.pathname.indexOf("/static/") === 0);
    }).slice(0, 80);
    event.waitUntil(Promise.all(addresses.map(function (address) {
      var request = new Request(new URL(address, self.location).href, {credentials: "same-origin"});
      return fetch(request).then(function (response) {
        if (response.ok && !response.redirected) return keep(request, response);
      }).catch(function () { /* offline already: nothing to keep */ });
    })));
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
