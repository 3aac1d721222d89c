// The technician's pages offline: the agenda registers the service worker (static/field-sw.js, on Workbox,
// served at /tech/sw.js for its scope) that keeps the day's job pages and the pages the phone opened; any
// field page opened without a connection says that it is the kept copy; signing out tells the worker to
// forget the day.
(function () {
  "use strict";
  var script = document.currentScript;
  var notice = document.getElementById("offline-copy");
  if (notice && !navigator.onLine) notice.hidden = false;
  window.addEventListener("offline", function () { if (notice) notice.hidden = false; });
  window.addEventListener("online", function () { if (notice) notice.hidden = true; });
  if (!("serviceWorker" in navigator)) return;
  if (script && script.dataset.worker) {
    var uncontrolled = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register(script.dataset.worker, {scope: script.dataset.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!registration.active || !navigator.onLine) return;
      // This page, if it came before the worker, first (with its styles and scripts): the job pages link
      // from it. Then the day's job pages, read now while there is a connection.
      var pages = [];
      if (uncontrolled) {
        pages.push(location.pathname + location.search);
        Array.prototype.forEach.call(document.querySelectorAll("script[src], link[rel=stylesheet]"), function (file) {
          pages.push(file.getAttribute("src") || file.getAttribute("href"));
        });
      }
      Array.prototype.forEach.call(document.querySelectorAll("[data-keep-offline]"), function (link) {
        pages.push(link.getAttribute("href"));
      });
      if (pages.length) registration.active.postMessage({keep: pages});
    }).catch(function () {
      // Without a worker the pages still work online; nothing to tell the technician.
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.action && /\/logout$/.test(form.action) && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("forget");
    }
  });
})();
