// The check-in page: camera scanning where the browser has the BarcodeDetector API (no library, no CDN); typing always works.
(function () {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var box = document.getElementById("scanner"), video = document.getElementById("scan-video");
  box.hidden = false;
  document.getElementById("scan-start").addEventListener("click", async function () {
    var detector = new BarcodeDetector({formats: ["qr_code"]});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    video.srcObject = stream; video.hidden = false; await video.play();
    (async function tick() {
      var codes = await detector.detect(video).catch(function () { return []; });
      if (codes.length) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        document.getElementById("code").value = codes[0].rawValue;
        document.getElementById("check-in-form").submit();
      } else { requestAnimationFrame(tick); }
    })();
  });
})();
