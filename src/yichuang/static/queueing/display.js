// Hall display: follows the event feed by cursor (a reconnecting screen misses
// nothing and announces nothing twice), shows calls big and flashing, and
// speaks them offline from pre-generated Mandarin fragments, one at a time.
(function () {
  "use strict";
  var body = document.body;
  var api = body.dataset.api;
  var voiceBase = body.dataset.voice;
  var cursor = null;
  var recent = [];
  var speech = [];      // queue of phrases (arrays of fragment names)
  var speaking = false;
  // A screen set to speak on its own (?autoplay=1, docs/queueing.md) has its
  // voice on from the start; any screen asks the browser once on load and shows
  // the small "点击开启语音" button only if the browser refuses sound.
  var autoplay = body.dataset.autoplay === "1";
  var audioOk = autoplay;
  var cache = {};

  function $(id) { return document.getElementById(id); }

  function clock() {
    var d = new Date();
    $("d-clock").textContent = d.toLocaleTimeString("zh-CN", { hour12: false });
  }

  // "请 A012 号到 3 号窗口办理": the ticket number digit by digit, the window
  // number as a Chinese cardinal (十二, 二十一).
  function phrase(ticket, window) {
    var parts = ["chime", "qing"];
    ticket.split("").forEach(function (ch) {
      if (/[0-9]/.test(ch)) parts.push("d" + ch);
      else if (/[A-Z]/.test(ch)) parts.push("l" + ch);
    });
    parts.push("hao", "dao");
    var n = Number(window);
    if (n >= 10 && n < 100) {
      var tens = Math.floor(n / 10), ones = n % 10;
      if (tens > 1) parts.push("d" + tens);
      parts.push("shi");
      if (ones) parts.push("d" + ones);
    } else {
      String(window).split("").forEach(function (ch) { parts.push("d" + ch); });
    }
    parts.push("chuangkou", "banli");
    return parts;
  }

  function clip(name) {
    if (!cache[name]) { cache[name] = new Audio(voiceBase + name + ".wav"); cache[name].preload = "auto"; }
    return cache[name];
  }

  function playNext() {
    if (speaking || !speech.length) return;
    speaking = true;
    var parts = speech.shift();
    var i = 0;
    (function step() {
      if (i >= parts.length) { speaking = false; setTimeout(playNext, 600); return; }
      var a = clip(parts[i++]);
      var done = false;
      function next() { if (!done) { done = true; step(); } }
      a.onended = next; a.onerror = next;
      a.currentTime = 0;
      var p = a.play();
      if (p && p.catch) p.catch(function (err) { refused(err); next(); });
      setTimeout(next, 3000); // never stall on a broken fragment
    })();
  }

  function refused(err) {
    if (!err || err.name !== "NotAllowedError") return;
    audioOk = false; speech = [];
    $("d-start").hidden = false;
  }

  // The recent calls, newest first, each ticket at a window once (a recall
  // moves it to the top instead of listing it again).
  function remember(ticket, window) {
    var text = ticket + " → " + window + "号窗口";
    recent = [text].concat(recent.filter(function (t) { return t !== text; })).slice(0, 8);
    $("d-recent").innerHTML = recent.map(function (t) { return "<li>" + t + "</li>"; }).join("");
  }

  function showCurrent(ticket, window, flash) {
    var cur = $("d-current");
    cur.textContent = "请 " + ticket + " 号到 " + window + " 号窗口办理";
    cur.dataset.ticket = ticket;
    cur.classList.remove("flash");
    if (flash) { void cur.offsetWidth; cur.classList.add("flash"); }
  }

  function announce(e) {
    showCurrent(e.ticket_number, e.window_number, true);
    remember(e.ticket_number, e.window_number);
    body.dataset.lastCall = e.ticket_number + "@" + e.window_number;
    if (audioOk) { speech.push(phrase(e.ticket_number, e.window_number)); playNext(); }
  }

  function renderQueues(hall) {
    $("d-queues").innerHTML = hall.queues.map(function (q) {
      return "<tr><td>" + q.prefix + " " + q.name + "</td><td>" + q.waiting + " 人</td><td>约 " +
        q.estimated_wait_minutes + " 分钟</td></tr>";
    }).join("");
    if (!started) {
      // A (re)loaded screen starts from the hall's own list, quietly: the
      // feed announces only what happens after the page opened, and
      // "正在叫号" shows a ticket only while its window is still calling it.
      started = true;
      hall.recent_calls.slice().reverse().forEach(function (c) { remember(c.ticket_number, c.window_number); });
      var calling = {};
      hall.windows.forEach(function (w) { if (w.ticket_status === "called") calling[w.ticket + "@" + w.number] = true; });
      var last = hall.recent_calls.filter(function (c) { return calling[c.ticket_number + "@" + c.window_number]; })[0];
      if (last && $("d-current").dataset.ticket === undefined) showCurrent(last.ticket_number, last.window_number, false);
    }
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  // Event ids are taken when a transaction inserts the event, not when it
  // commits, so an event may become visible after a higher id was already
  // read. Each poll therefore asks again for the last OVERLAP (20) ids and skips
  // the ones already seen: a late commit is still announced, and nothing twice.
  // Ids up to the cursor the screen opened at belong to the hall's list above:
  // the overlap never replays them.
  var OVERLAP = 20, seen = {}, floor = null, started = false;
  var hallDue = 0;
  function poll() {
    var after = cursor === null ? null : Math.max(0, cursor - OVERLAP);
    var url = api + "/events" + (after === null ? "" : "?after=" + after + "&limit=300");
    get(url).then(function (data) {
      $("d-offline").hidden = true;
      var refresh = false, fresh = 0;
      data.events.forEach(function (e) {
        if (seen[e.id] || (floor !== null && e.id <= floor)) return;
        seen[e.id] = true; fresh++;
        if (e.type === "called" || e.type === "recalled") announce(e);
        if (e.type !== "recalled") refresh = true;
      });
      if (cursor === null) floor = data.cursor;
      if (cursor === null || data.cursor > cursor) cursor = data.cursor;
      for (var id in seen) { if (id < cursor - 4 * OVERLAP) delete seen[id]; }
      // the waiting counts follow the events, at most every 3 s
      if (refresh && Date.now() >= hallDue) { hallDue = Date.now() + 3000; loadHall(); }
      setTimeout(poll, fresh ? 200 : 800);
    }).catch(function () {
      $("d-offline").hidden = false;
      setTimeout(poll, 3000);
    });
  }

  function loadHall() { get(api + "/hall").then(renderQueues).catch(function () {}); }

  $("d-start").addEventListener("click", function () {
    audioOk = true;
    $("d-start").hidden = true;
    clip("chime").play().catch(function () {});
  });
  // Screens started with --autoplay-policy=no-user-gesture-required speak at once.
  clip("chime").play().then(function () { audioOk = true; $("d-start").hidden = true; })
    .catch(refused);

  clock(); setInterval(clock, 1000);
  loadHall(); setInterval(loadHall, 10000);
  poll();
})();
