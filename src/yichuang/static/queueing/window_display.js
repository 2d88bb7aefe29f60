// Window display: follows the hall's event feed (cursor-based, like the hall
// display) and shows this window's call, pause and close as they happen.
(function () {
  "use strict";
  var body = document.body;
  var feed = body.dataset.feed, mine = Number(body.dataset.window);
  var current = document.getElementById("w-current"), state = document.getElementById("w-state");
  var cursor = null;
  var STATES = { window_paused: "暂停服务", window_closed: "暂未开窗", window_opened: "", window_resumed: "" };
  function apply(e) {
    if (e.window_number !== mine) return;
    if (e.type === "called" || e.type === "recalled") {
      current.textContent = e.ticket_number;
      current.classList.remove("flash"); void current.offsetWidth; current.classList.add("flash");
      state.textContent = "";
    } else if (e.type === "finished" || e.type === "no_show" || e.type === "transferred") {
      current.textContent = "—";
    } else if (e.type in STATES) {
      state.textContent = STATES[e.type];
      if (e.type === "window_closed") current.textContent = "—";
    }
  }
  // Ask again for the last OVERLAP (20) ids and skip those seen: an event whose
  // transaction commits after a higher id was read is still shown (display.js).
  // Ids up to the cursor the page opened at are already in the page the
  // server rendered: the overlap never replays (and re-flashes) them.
  var OVERLAP = 20, seen = {}, floor = null;
  function poll() {
    var url = cursor === null ? feed : feed + "?after=" + Math.max(0, cursor - OVERLAP) + "&limit=300";
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      var fresh = 0;
      data.events.forEach(function (e) {
        if (seen[e.id] || (floor !== null && e.id <= floor)) return;
        seen[e.id] = true; fresh++;
        apply(e);
      });
      if (cursor === null) floor = data.cursor;
      if (cursor === null || data.cursor > cursor) cursor = data.cursor;
      for (var id in seen) { if (id < cursor - 4 * OVERLAP) delete seen[id]; }
      setTimeout(poll, fresh ? 200 : 800);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
