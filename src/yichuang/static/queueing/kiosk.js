// Kiosk: print the ticket on the thermal roll after it arrives, reset the form,
// toggle the elders' mode, and return to the start screen after a while.
(function () {
  "use strict";
  var result = document.getElementById("k-result");
  // A kiosk has no right mouse button to offer: no context menu.
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  var timer = null;
  // Elders' mode speaks short prompts from the same offline fragments as the
  // hall display (voices.sh): a greeting, then "取号成功… 您前面还有 N 人…".
  var elderly = document.body.classList.contains("elderly");
  var voiceBase = document.body.dataset.voice || "";
  var speaking = [];
  function say(parts) {
    if (!elderly || !voiceBase) return;
    var idle = !speaking.length;
    speaking = speaking.concat(parts);
    if (idle) step();
  }
  function step() {
    if (!speaking.length) return;
    var a = new Audio(voiceBase + speaking[0] + ".wav");
    var done = false;
    function next() { if (!done) { done = true; speaking.shift(); step(); } }
    a.onended = next; a.onerror = next;
    var p = a.play();
    if (p && p.catch) p.catch(next);
    setTimeout(next, 4000);
  }
  function count(n) {  // a small count as Chinese speaks it: 十二, 二十一
    if (n < 10) return ["d" + n];
    if (n < 100) {
      var out = [], tens = Math.floor(n / 10), ones = n % 10;
      if (tens > 1) out.push("d" + tens);
      out.push("shi");
      if (ones) out.push("d" + ones);
      return out;
    }
    return String(n).split("").map(function (c) { return "d" + c; });
  }
  if (elderly) {
    // browsers let a page speak after the first touch; greet then
    document.body.addEventListener("pointerdown", function greet() {
      document.body.removeEventListener("pointerdown", greet);
      if (!result.innerHTML.trim()) say(["p_welcome"]);
    });
  }
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target !== result) return;
    var slip = result.querySelector(".ticket");
    if (slip) {
      document.getElementById("k-form").reset();
      setTimeout(function () { window.print(); }, 200);
      var ahead = Number(slip.dataset.ahead || 0);
      say(["chime", "p_taken", "p_ahead"].concat(count(ahead), ["p_ren", "p_wait"]));
    } else if (result.innerHTML.trim()) {
      say(["p_error"]);
    }
    clearTimeout(timer);
    timer = setTimeout(close, slip ? 20000 : 10000);
  });
  // The answer opens over the page; its button or a touch beside it closes it.
  function close() { clearTimeout(timer); result.innerHTML = ""; }
  result.addEventListener("click", function (e) {
    if (e.target === result || e.target.closest("[data-k-close]")) close();
  });
  // Every press carries an Idempotency-Key. A press whose answer never arrived
  // (the network dropped it) keeps its key, so pressing the same button again
  // prints the ticket already issued instead of issuing a second one.
  var pending = {}, inFlight = null;
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  document.body.addEventListener("htmx:configRequest", function (e) {
    var p = e.detail.parameters || {};
    var fields = ["queue", "priority", "id_number", "code"].map(function (k) {
      var v = p.get ? p.get(k) : p[k];
      return k + "=" + (v || "");
    });
    inFlight = e.detail.path + "?" + fields.join("&");
    pending[inFlight] = pending[inFlight] || newKey();
    e.detail.headers["Idempotency-Key"] = pending[inFlight];
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    // status 0: no answer came back; keep the key for the retry
    if (inFlight && e.detail.xhr && e.detail.xhr.status > 0) delete pending[inFlight];
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
