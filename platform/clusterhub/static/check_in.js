// The check-in page's camera scanner. Typing (or a handheld scanner, which types) always works; the camera
// is offered where the browser can open one. The QR code is read by the browser's own BarcodeDetector where
// it has one (Android, macOS) and otherwise by the vendored jsQR (static/vendor/jsqr), loaded only when the
// camera is started: it is a file of our own origin, so the Content-Security-Policy needs no exception.
// After a ticket read by the camera the page reloads with the result and the camera starts again by itself,
// so the next person's ticket can be held up at once; «Stop the camera» ends that.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var video = document.getElementById("scan-video");
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var status = document.getElementById("scan-status");
  var form = document.getElementById("check-in-form");
  var code = document.getElementById("code");
  var KEEP_ON = "clusterhub.check-in.camera";
  var stream = null;
  var running = false;

  function say(name) {
    status.textContent = box.getAttribute("data-msg-" + name) || "";
  }

  // The camera restarts after a reload only on the same page, and ignores the ticket it has just read
  // (still in front of it) until another one comes into view.
  function remember(text) {
    try {
      if (text) sessionStorage.setItem(KEEP_ON, JSON.stringify({page: location.pathname, last: text}));
      else sessionStorage.removeItem(KEEP_ON);
    } catch (e) { /* storage refused: the camera simply does not restart by itself */ }
  }

  function remembered() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(KEEP_ON) || "null");
      return kept && kept.page === location.pathname ? kept : null;
    } catch (e) { return null; }
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = box.getAttribute("data-decoder");
      script.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // A function that returns a promise of the text of a QR code in the current frame, or null.
  function makeReader() {
    if ("BarcodeDetector" in window && BarcodeDetector.getSupportedFormats) {
      return BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) return jsQRReader();
        var detector = new BarcodeDetector({formats: ["qr_code"]});
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }, jsQRReader);
    }
    return jsQRReader();
  }

  function jsQRReader() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", {willReadFrequently: true});
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        var scale = Math.min(1, 640 / Math.max(width, height)); // enough pixels for a ticket, and fast
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
        return Promise.resolve(found && found.data ? found.data : null);
      };
    });
  }

  function halt() {
    running = false;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function scan(read, ignore) {
    if (!running) return;
    read().then(function (text) {
      if (!running) return;
      if (text && text !== ignore) {
        halt();
        remember(text);
        say("found");
        code.value = text;
        form.submit();
      } else {
        setTimeout(function () { scan(read, ignore); }, 150);
      }
    }, function () {
      setTimeout(function () { scan(read, ignore); }, 300);
    });
  }

  function begin(ignore) {
    say("starting");
    start.hidden = true;
    Promise.all([
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}),
      makeReader()
    ]).then(function (ready) {
      stream = ready[0];
      running = true;
      video.srcObject = stream;
      video.hidden = false;
      stop.hidden = false;
      return video.play().then(function () {
        say("looking");
        scan(ready[1], ignore);
      });
    }).catch(function (error) {
      halt();
      remember(null);
      say(error && error.name === "NotAllowedError" ? "denied" : "failed");
    });
  }

  box.hidden = false;
  start.addEventListener("click", function () { begin(null); });
  stop.addEventListener("click", function () {
    halt();
    remember(null);
    say("stopped");
  });
  var kept = remembered();
  if (kept) begin(kept.last);
})();
