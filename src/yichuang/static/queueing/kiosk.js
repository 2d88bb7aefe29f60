// Kiosk: print the ticket on the thermal roll after it arrives, reset the form,
// toggle the elders' mode, and return to the start screen after a while.
(function () {
  "use strict";
  var result = document.getElementById("k-result");
  var timer = null;
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target !== result) return;
    if (result.querySelector(".ticket")) {
      document.getElementById("k-form").reset();
      setTimeout(function () { window.print(); }, 200);
    }
    clearTimeout(timer);
    timer = setTimeout(function () { result.innerHTML = ""; }, 20000);
  });
  // htmx does not swap 4xx answers by default; the kiosk shows them.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status >= 400 && e.detail.xhr.status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  var toggle = document.getElementById("mode-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var url = new URL(window.location.href);
    if (document.body.classList.contains("elderly")) url.searchParams.delete("mode");
    else url.searchParams.set("mode", "elderly");
    window.location.href = url.toString();
  });
  // Refresh waiting counts every minute when idle.
  setInterval(function () { if (!result.innerHTML.trim()) window.location.reload(); }, 60000);
})();
