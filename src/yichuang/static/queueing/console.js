// Clerk console keyboard shortcuts: N call, R recall, S start, F finish,
// X no-show, P pause/resume, T focus the transfer list.
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
    var btn = document.querySelector('#desk button[data-key="' + key + '"]');
    if (btn) { e.preventDefault(); btn.click(); }
  });
})();
