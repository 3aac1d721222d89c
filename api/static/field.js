// The technician's offline queue. Pages work without this file (every button is a plain form post);
// with it, a status update that cannot be sent is kept on the phone (localStorage) and sent again
// until the server answers. Each update carries the client_id its form was rendered with, and the
// server applies an id only once, so a retry after a lost answer never applies the change twice.
(function () {
  "use strict";
  var KEY = "aftercare.field.queue.v1";
  var FIRST_DELAY = 2000, MAX_DELAY = 60000;
  var banner = document.getElementById("queue-status");
  var sending = false, timer = null, delay = FIRST_DELAY;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { window.localStorage.setItem(KEY, JSON.stringify(queue)); } catch (e) { /* storage full or off */ }
  }
  function without(id) {
    var queue = load().filter(function (u) { return u.id !== id; });
    save(queue);
    return queue;
  }

  function show(text, kind) {
    if (!banner) return;
    banner.hidden = !text;
    banner.textContent = text || "";
    banner.className = "queue-status" + (kind ? " " + kind : "");
  }
  function waiting(queue, extra) {
    var head = (banner ? banner.dataset.waiting : "{n} waiting").replace("{n}", queue.length);
    var labels = queue.map(function (u) { return u.label; }).join(", ");
    return head + ": " + labels + (extra ? " — " + extra : "");
  }

  // The phone's position, if it gives one quickly; an update is never held up for long by it.
  function position() {
    return new Promise(function (resolve) {
      if (!("geolocation" in navigator)) { resolve(null); return; }
      var settled = false;
      function finish(value) { if (!settled) { settled = true; resolve(value); } }
      setTimeout(function () { finish(null); }, 3000);
      navigator.geolocation.getCurrentPosition(function (p) {
        finish({latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6),
                observed_at: new Date(p.timestamp || Date.now()).toISOString()});
      }, function () { finish(null); }, {enableHighAccuracy: false, timeout: 2500, maximumAge: 120000});
    });
  }

  function retryLater(note) {
    var queue = load();
    show(waiting(queue, note), "pending");
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, MAX_DELAY);
  }

  function flush() {
    if (sending) return Promise.resolve();
    var queue = load();
    if (!queue.length) return Promise.resolve();
    sending = true;
    show(waiting(queue), "pending");
    var update = queue[0];
    return fetch(update.url, {method: "POST", body: new URLSearchParams(update.fields), credentials: "same-origin",
                              headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // Signed out meanwhile (the sign-in page came back): keep it until the person signs in.
          throw {note: banner ? banner.dataset.signin : "sign in again"};
        }
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      })
      .then(function (answer) {
        var status = answer.status, body = answer.body;
        // Server trouble or a conflict to retry; a refusal with reasons is final.
        if (status >= 500 || status === 408 || status === 429 || (status === 409 && !body.errors)) {
          throw {note: body.message};
        }
        sending = false;
        delay = FIRST_DELAY;
        var rest = without(update.id);
        if (status >= 400) {
          show(update.label + ": " + body.message, "error");
          return rest.length ? flush() : null;
        }
        if (rest.length) return flush();
        show("");
        window.location.assign(body.redirect || window.location.href);
      })
      .catch(function (problem) {
        sending = false;
        retryLater(problem && problem.note ? problem.note : (banner ? banner.dataset.offline : "offline"));
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("queued-update") || !window.fetch) return;
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") fields[name] = value; });
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    position().then(function (where) {
      if (where) { fields.latitude = where.latitude; fields.longitude = where.longitude; fields.observed_at = where.observed_at; }
      var queue = load();
      // The same form sent twice (a double tap) is one update.
      if (!queue.some(function (u) { return u.id === fields.client_id; })) {
        queue.push({id: fields.client_id, url: form.action, fields: fields, label: form.dataset.label || ""});
        save(queue);
      }
      flush();
    });
  });

  window.addEventListener("online", function () { delay = FIRST_DELAY; flush(); });
  window.fieldQueue = {flush: flush, pending: function () { return load().length; }};
  flush();
})();
