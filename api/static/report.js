// Progressive enhancement: the report form works without this; with it, the phone's location can
// be attached so the technician is sent to where the appliance really is.
(function () {
  var button = document.getElementById("use-location");
  if (!button || !("geolocation" in navigator)) return;
  var status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
      status.textContent = button.dataset.ok;
    }, function () {
      status.textContent = button.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();

// Photos: a file too large or too many files is said next to the field before anything is sent
// (the server checks the same, and decodes each photo, whatever the browser did).
(function () {
  var form = document.getElementById("report-form");
  if (!form || !window.FileList) return;
  var maxBytes = Number(form.dataset.maxBytes), maxPhotos = Number(form.dataset.maxPhotos);

  function problem(input) {
    var files = input.files || [];
    if (input.multiple && files.length > maxPhotos) return form.dataset.tooMany;
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > maxBytes) return form.dataset.tooLarge;
    }
    return "";
  }

  function show(input) {
    var message = document.getElementById(input.id + "-error"), text = problem(input);
    if (!message && !text) return true;
    if (!message) {
      message = document.createElement("p");
      message.className = "field-error";
      message.id = input.id + "-error";
      input.insertAdjacentElement("afterend", message);
      input.setAttribute("aria-describedby", message.id);
    }
    message.textContent = text;
    message.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    return !text;
  }

  var inputs = form.querySelectorAll("input[type=file]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { show(input); });
  });
  form.addEventListener("submit", function (event) {
    var fine = true;
    Array.prototype.forEach.call(inputs, function (input) { fine = show(input) && fine; });
    if (!fine) event.preventDefault();
  });
})();
