// The technician's day offline, on Workbox (static/vendor/workbox, loaded from this server, never a CDN):
// the agenda, the day's job pages and every job page the phone has opened are kept (network first, the
// kept copy when there is no connection), with the styles and scripts they use. Only pages and static
// files are read through here; every post (status updates, parts, photos, sign-out) goes straight to the
// network, and field.js queues the steps that cannot be sent.
"use strict";
importScripts("/static/vendor/workbox/workbox-sw.js");
workbox.setConfig({modulePathPrefix: "/static/vendor/workbox/", debug: false});

var CACHE = "aftercare-tech-day-v1";
var PAGE = /^\/tech(\/jobs\/[^\/]+)?$/;
var FILES = "/static/";
var MOST_KEPT_AT_ONCE = 80;

// The pages carry customers' names, addresses and telephone numbers: a phone that is never signed out
// keeps the last few days of them, not every job it ever opened.
var expiry = new workbox.expiration.ExpirationPlugin({maxEntries: 200, maxAgeSeconds: 3 * 24 * 60 * 60});

// Each forgetting starts a new day: an answer fetched before it (a page being kept when the session
// ended) must not bring the forgotten day back when it arrives after it.
var generation = 0;

function forgetTheDay() {
  generation += 1;
  return Promise.all([caches.delete(CACHE), expiry.deleteCacheAndMetadata()]);
}

var sameDayOnly = {
  requestWillFetch: function (param) {
    param.state.generation = generation;
    return param.request;
  },
  cacheWillUpdate: function (param) {
    return param.state && param.state.generation === generation ? param.response : null;
  }
};

// Kept: only a whole answer of our own, never an error page nor a page reached through a redirect.
var ownAnswersOnly = {
  cacheWillUpdate: function (param) {
    var response = param.response;
    return response.ok && response.type === "basic" && !response.redirected ? response : null;
  }
};

// A page sent on to the sign-in page: the session is over, and so is the kept day.
var signedOut = {
  fetchDidSucceed: function (param) {
    var response = param.response;
    if (!response.redirected && response.type !== "opaqueredirect") return response;
    // Whether or not the forgetting went well, the answer goes on: a failure here would make the
    // strategy fall back to the kept page, the very day that must not be shown any more.
    var passOn = function () { return response; };
    return forgetTheDay().then(passOn, passOn);
  }
};

function keptFirstWhenOffline(plugins) {
  return new workbox.strategies.NetworkFirst({cacheName: CACHE, matchOptions: {ignoreVary: true}, plugins: plugins});
}

var pages = keptFirstWhenOffline([sameDayOnly, signedOut, ownAnswersOnly, expiry]);
var files = keptFirstWhenOffline([sameDayOnly, ownAnswersOnly, expiry]);

function isPage(url) { return url.origin === self.location.origin && PAGE.test(url.pathname); }
function isFile(url) { return url.origin === self.location.origin && url.pathname.indexOf(FILES) === 0; }

workbox.routing.registerRoute(function (match) { return match.request.mode === "navigate" && isPage(match.url); },
                              pages, "GET");
workbox.routing.registerRoute(function (match) { return isFile(match.url); }, files, "GET");

self.addEventListener("install", function () { self.skipWaiting(); });
workbox.core.clientsClaim();

// A new version of this worker keeps the day under a new name; what the earlier versions kept goes.
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("aftercare-tech-") === 0 && name !== CACHE; })
                            .map(function (name) { return caches.delete(name); }));
  }));
});

function ownAddress(address) {
  if (typeof address !== "string") return null;
  try {
    var url = new URL(address, self.location);
    return isPage(url) || isFile(url) ? url : null;
  } catch (error) {
    return null;
  }
}

self.addEventListener("message", function (event) {
  // Signing out forgets the day: the next person to pick up the phone must not read it.
  if (event.data === "forget") event.waitUntil(forgetTheDay());
  // Pages to keep now: the one that registered the worker (loaded before it ran, with its styles and
  // scripts) and the day's job pages, so that a job never opened is still there to read offline. That
  // page (the first address) and the files are kept first: the job pages are reached from it.
  if (event.data && event.data.keep) {
    var addresses = [].concat(event.data.keep).map(ownAddress).filter(Boolean).slice(0, MOST_KEPT_AT_ONCE);
    var keep = function (url) {
      var request = new Request(url.href, {credentials: "same-origin"});
      // Done when the copy is in the cache, not only when the answer came. Offline already, and never
      // kept before: nothing to keep.
      var answerAndDone = (isPage(url) ? pages : files).handleAll({event: event, request: request});
      answerAndDone[0].catch(function () {});
      return answerAndDone[1].catch(function () {});
    };
    var first = addresses.filter(function (url, index) { return index === 0 || isFile(url); });
    var rest = addresses.filter(function (url) { return first.indexOf(url) < 0; });
    event.waitUntil(Promise.all(first.map(keep)).then(function () { return Promise.all(rest.map(keep)); }));
  }
});
