// The customer's signature on the technician's completion form: strokes drawn with a finger, a pen or a
// mouse on a canvas, kept in the form as a PNG data URL after each stroke (the server checks that it is a
// PNG of bounded size with something drawn on it). Without scripts the form says what is missing.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("canvas.signature-pad"), function (canvas) {
    var input = document.getElementById(canvas.dataset.input);
    var clear = canvas.parentNode.querySelector(".signature-clear");
    // Sharp on a phone's dense screen, yet small enough to send: at most two pixels per CSS pixel.
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var context = canvas.getContext("2d");
    var drawing = false, last = null, inked = false;

    function prepare() {
      canvas.width = Math.round(canvas.clientWidth * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = context.fillStyle = "#111";
      inked = false;
      input.value = "";
    }
    function at(event) {
      var box = canvas.getBoundingClientRect();
      return {x: event.clientX - box.left, y: event.clientY - box.top};
    }
    function keep() {
      if (inked) input.value = canvas.toDataURL("image/png");
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = at(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      context.fill();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var point = at(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(point.x, point.y);
      context.stroke();
      last = point;
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      keep();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    if (clear) clear.addEventListener("click", prepare);
    prepare();
  });
})();
