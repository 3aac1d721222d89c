// The tracking page keeps itself current: every few seconds it asks for the job as the customer sees it
// and puts the new arrival time, status and next step in place. When more than those changed (a new
// status, a promise kept or missed, a new line in the history) it reloads the page. Without this file
// the page's <noscript> refresh does the same, more bluntly.
(function () {
  "use strict";
  var box = document.getElementById("tracking");
  if (!box || !window.fetch) return;
  var url = box.dataset.url, fingerprint = box.dataset.fingerprint;
  var every = Math.max(5, parseInt(box.dataset.refreshSeconds || "30", 10)) * 1000;
  var timer = null;

  function later(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }

  function poll() {
    if (document.hidden) return;  // asked again when the page is looked at
    fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store", credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (view) {
        if (!view) { later(every * 2); return; }
        if (view.fingerprint !== fingerprint) { window.location.reload(); return; }
        Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (element) {
          var value = view[element.dataset.live];
          if (typeof value === "string" && element.textContent !== value) element.textContent = value;
        });
        box.dataset.updatedAt = new Date().toISOString();
        later(every);
      })
      .catch(function () { later(every * 2); });
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) later(0); });
  later(every);
})();
