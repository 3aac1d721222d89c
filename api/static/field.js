// The technician's offline queue. Pages work without this file (every button is a plain form post);
// with it, a status update, a part asked for or a photo that cannot be sent is kept on the phone
// (IndexedDB, photos as Blobs) and sent again, oldest first, until the server answers. Each step carries
// a client_id, and the server does an id only once, so a retry after a lost answer never repeats it.
// Where IndexedDB cannot open, the queue lives in localStorage and photos go as plain posts.
(function () {
  "use strict";
  var LEGACY_KEY = "aftercare.field.queue.v1";  // the queue's earlier home, moved into IndexedDB once
  var DB_NAME = "aftercare-field", STORE = "queue";
  var FIRST_DELAY = 2000, MAX_DELAY = 60000;
  var banner = document.getElementById("queue-status");
  var sending = false, timer = null, delay = FIRST_DELAY, lastSeq = 0;
  var queue = [];  // the kept queue as last read or written, oldest first
  var blobsKept = false;  // known once IndexedDB is open: until then a photo goes as a plain post

  function bySeq(a, b) { return (a.seq || 0) - (b.seq || 0); }

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  var localStore = {
    all: function () {
      try { return Promise.resolve(JSON.parse(window.localStorage.getItem(LEGACY_KEY) || "[]")); }
      catch (e) { return Promise.resolve([]); }
    },
    write: function (items) {
      try { window.localStorage.setItem(LEGACY_KEY, JSON.stringify(items)); } catch (e) { /* storage full or off */ }
    },
    add: function (item) {
      return localStore.all().then(function (items) { items.push(item); localStore.write(items); });
    },
    remove: function (id) {
      return localStore.all().then(function (items) {
        localStore.write(items.filter(function (u) { return u.id !== id; }));
      });
    }
  };

  function indexedStore(database) {
    function run(mode, work) {
      var transaction = database.transaction(STORE, mode);
      var result = work(transaction.objectStore(STORE));
      return new Promise(function (resolve, reject) {
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    }
    return {
      all: function () {
        return request(database.transaction(STORE).objectStore(STORE).getAll()).then(function (items) {
          return items.sort(bySeq);
        });
      },
      add: function (item) { return run("readwrite", function (store) { store.put(item); }); },
      remove: function (id) { return run("readwrite", function (store) { store.delete(id); }); }
    };
  }

  function openStore() {
    if (!window.indexedDB) return Promise.resolve(localStore);
    var opening = window.indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = function () { opening.result.createObjectStore(STORE, {keyPath: "id"}); };
    return request(opening).then(function (database) {
      var store = indexedStore(database);
      // Updates queued before the queue moved here go first, in their order.
      return localStore.all().then(function (legacy) {
        if (!legacy.length) return store;
        return Promise.all(legacy.map(function (item, index) {
          item.seq = item.seq || index + 1;
          return store.add(item);
        })).then(function () { window.localStorage.removeItem(LEGACY_KEY); return store; });
      }).then(function (ready) { blobsKept = true; return ready; });
    }).catch(function () { return localStore; });
  }
  var kept = openStore();

  function load() {
    return kept.then(function (store) { return store.all(); }).then(function (items) { queue = items; return items; });
  }

  function show(text, kind) {
    if (!banner) return;
    banner.hidden = !text;
    banner.textContent = text || "";
    banner.className = "queue-status" + (kind ? " " + kind : "");
  }
  function waiting(items, extra) {
    var head = (banner ? banner.dataset.waiting : "{n} waiting").replace("{n}", items.length);
    var labels = items.map(function (u) { return u.label; }).join(", ");
    return head + ": " + labels + (extra ? " — " + extra : "");
  }

  // A client id for each step sent from a page: a page read back from the phone's copy may be submitted
  // more than once, and each time is a step of its own.
  function freshId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function renew(form) {
    var field = form.querySelector("input[name=client_id]");
    if (field && window.crypto && window.crypto.getRandomValues) field.value = freshId();
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
    show(waiting(queue, note), "pending");
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, MAX_DELAY);
  }

  function body(item) {
    if (!item.files || !item.files.length) return new URLSearchParams(item.fields);
    var form = new FormData();
    Object.keys(item.fields).forEach(function (name) { form.append(name, item.fields[name]); });
    item.files.forEach(function (file) { form.append(file.field, file.blob, file.name); });
    return form;
  }

  // The page after the last step, read anew: a target that differs from this page only in its #part
  // (a photo sends back to #photos) would only scroll.
  function go(target) {
    var next = new URL(target, window.location.href), here = window.location;
    if (next.pathname + next.search !== here.pathname + here.search) { window.location.assign(next.href); return; }
    window.history.replaceState(null, "", next.href);
    window.location.reload();
  }

  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    var update;
    return load().then(function (items) {
      if (!items.length) { sending = false; return null; }
      show(waiting(items), "pending");
      update = items[0];
      return fetch(update.url, {method: "POST", body: body(update), credentials: "same-origin",
                                headers: {"Accept": "application/json"}})
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) {
            if (response.redirected || response.status < 400 || response.status === 401 || response.status === 403) {
              // Signed out meanwhile (the sign-in page came back): keep it until the person signs in.
              throw {note: banner ? banner.dataset.signin : "sign in again"};
            }
            if (response.status < 500) {
              // A page refusing it (the job went to someone else, a form from before a new sign-in): it
              // never will go, and must not hold up the steps queued after it.
              return {status: response.status, body: {message: banner ? banner.dataset.refused : "refused", errors: {}}};
            }
            throw {note: ""};
          }
          return response.json().then(function (answer) { return {status: response.status, body: answer}; });
        })
        .then(function (answer) {
          var status = answer.status, reply = answer.body;
          // Server trouble or a conflict to retry; a refusal with reasons is final.
          if (status >= 500 || status === 408 || status === 429 || (status === 409 && !reply.errors)) {
            throw {note: reply.message};
          }
          return kept.then(function (store) { return store.remove(update.id); }).then(load).then(function (rest) {
            sending = false;
            delay = FIRST_DELAY;
            if (status >= 400) {
              show(update.label + ": " + reply.message, "error");
              return rest.length ? flush() : null;
            }
            if (rest.length) return flush();
            show("");
            go(reply.redirect || window.location.href);
          });
        });
    }).catch(function (problem) {
      sending = false;
      retryLater(problem && problem.note ? problem.note : (banner ? banner.dataset.offline : "offline"));
    });
  }

  function enqueue(form, fields, files) {
    var seq = Math.max(Date.now(), lastSeq + 1);
    lastSeq = seq;
    var item = {id: fields.client_id, seq: seq, url: form.action, fields: fields, files: files,
                label: form.dataset.label || ""};
    return load().then(function (items) {
      // The same form sent twice (a double tap) is one step.
      if (items.some(function (u) { return u.id === item.id; })) return null;
      return kept.then(function (store) { return store.add(item); }).then(load);
    });
  }

  // A photo the server would refuse for its size is refused here, before it takes room on the phone.
  function photoProblem(form, files) {
    var limit = Number(form.dataset.maxBytes || 0);
    if (!files.length || !files[0].blob.size) return form.dataset.missing || "";
    if (limit && files[0].blob.size > limit) return form.dataset.tooLarge || "";
    return null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("queued-update") || !window.fetch) return;
    var multipart = (form.getAttribute("enctype") || "").toLowerCase() === "multipart/form-data";
    if (multipart && !blobsKept) return;  // no place for the photo on the phone: a plain post
    event.preventDefault();
    var fields = {}, files = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") fields[name] = value;
      else if (value && value.size) files.push({field: name, name: value.name, blob: value});
    });
    if (multipart) {
      var problem = photoProblem(form, files);
      if (problem !== null) { show(form.dataset.label + ": " + problem, "error"); return; }
    }
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    var where = form.hasAttribute("data-no-position") ? Promise.resolve(null) : position();
    where.then(function (at) {
      if (at) { fields.latitude = at.latitude; fields.longitude = at.longitude; fields.observed_at = at.observed_at; }
      return enqueue(form, fields, files);
    }).then(function () {
      if (!form.hasAttribute("data-fresh-id")) return flush();
      // The form stays for the next part or photo while this one waits its turn: ready again once the
      // send is over (a tap meanwhile would be the same step twice).
      renew(form);
      if (multipart) form.reset();
      return flush().then(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("form.queued-update[data-fresh-id]"), renew);
  window.addEventListener("online", function () { delay = FIRST_DELAY; flush(); });
  window.fieldQueue = {flush: flush, pending: function () { return queue.length; }};
  flush();
})();
