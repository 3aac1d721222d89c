// While the job on this page is on the way, the phone tells the office where it is, so the customer's
// tracking page can show a live arrival time. Throttled (one report per interval at most, and only when
// the phone moved or the last report is getting old); it stops when the page is left or the job moves on.
(function () {
  "use strict";
  var box = document.getElementById("position-sharing");
  if (!box || !("geolocation" in navigator) || !window.fetch) return;
  var url = box.dataset.url, token = box.dataset.csrf;
  var EVERY_MS = parseInt(box.dataset.everyMs || "30000", 10);
  var KEEPALIVE_MS = 4 * EVERY_MS;
  var MIN_MOVE_M = 50;
  var last = null, lastSent = 0, pending = null, timer = null, watch = null;

  function metres(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371000 * Math.asin(Math.sqrt(h));
  }
  function say(text) { var out = box.querySelector("[data-state]"); if (out) out.textContent = text; }

  function send() {
    timer = null;
    if (!pending) return;
    var fix = pending;
    pending = null;
    lastSent = Date.now();
    last = fix;
    fetch(url, {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
                // No observed_at: a watched fix is seconds old, and the server's clock is the one that counts.
                body: JSON.stringify({latitude: fix.lat, longitude: fix.lon, accuracy: fix.accuracy})})
      .then(function (response) {
        if (response.status === 409 && watch !== null) {  // the job is no longer on the way
          navigator.geolocation.clearWatch(watch);
          watch = null;
        }
        say(response.ok ? box.dataset.shared : box.dataset.failed);
      })
      .catch(function () { say(box.dataset.failed); });
  }

  function seen(position) {
    var fix = {lat: Number(position.coords.latitude.toFixed(6)), lon: Number(position.coords.longitude.toFixed(6)),
               accuracy: Math.min(Math.round(position.coords.accuracy || 0), 5000)};
    var moved = !last || metres(last, fix) >= MIN_MOVE_M;
    if (!moved && Date.now() - lastSent < KEEPALIVE_MS) return;
    pending = fix;
    if (timer === null) timer = setTimeout(send, Math.max(0, lastSent + EVERY_MS - Date.now()));
  }

  watch = navigator.geolocation.watchPosition(seen, function () { say(box.dataset.denied); },
                                              {enableHighAccuracy: true, maximumAge: 15000, timeout: 30000});
  window.addEventListener("pagehide", function () {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
  });
})();
