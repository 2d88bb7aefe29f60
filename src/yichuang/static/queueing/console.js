// Clerk console keyboard shortcuts: N call, R recall, S start, F finish,
// X no-show, P pause/resume, T focus the transfer list, C open a case for the
// current citizen (the cases desk's intake form, in a new tab).
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    var key = e.key.toLowerCase();
    if (key === "t") {
      var sel = document.getElementById("c-transfer-queue");
      if (sel) { sel.focus(); e.preventDefault(); }
      return;
    }
    var btn = document.querySelector('#desk [data-key="' + key + '"]');
    if (!btn) return;
    e.preventDefault();
    // A desk htmx has just swapped in is bound a moment later (when it
    // settles); bind it now so that a quick key press is never lost.
    if (window.htmx) window.htmx.process(btn);
    btn.click();
  });

  // The service timer: <time id="c-timer" data-since="ISO"> counts up as mm:ss
  // (h:mm:ss past an hour) from the call or the start of service.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var el = document.getElementById("c-timer");
    if (!el || !el.dataset.since) return;
    var since = Date.parse(el.dataset.since);
    if (isNaN(since)) return;
    var s = Math.max(0, Math.floor((Date.now() - since) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    el.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
