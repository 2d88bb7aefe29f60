// The rating pad at each window: shows the ticket just finished, posts the
// citizen's rating, and returns to idle (feedback/pad.html).
(function () {
  var pad = document.getElementById("pad");
  var stateUrl = pad.dataset.stateUrl, rateUrl = pad.dataset.rateUrl, csrf = pad.dataset.csrf;
  var views = {idle: document.getElementById("idle"), rate: document.getElementById("rate"), thanks: document.getElementById("thanks")};
  var reasonsBox = document.getElementById("reasons"), hint = document.getElementById("hint"), submit = document.getElementById("submit");
  var current = null, level = null, busy = false, idleTimer = null, shown = "idle";
  function show(name) { shown = name; Object.keys(views).forEach(function (k) { views[k].hidden = k !== name; }); }
  function reset() {
    level = null; hint.textContent = ""; submit.disabled = true; reasonsBox.hidden = true;
    document.querySelectorAll(".lv").forEach(function (b) { b.classList.remove("on"); b.setAttribute("aria-checked", "false"); });
    document.querySelectorAll(".rs").forEach(function (b) { b.classList.remove("on"); b.setAttribute("aria-pressed", "false"); });
  }
  function toIdle() { current = null; reset(); show("idle"); }
  function armIdle(ms) { clearTimeout(idleTimer); idleTimer = setTimeout(toIdle, ms); }
  function chosenReasons() { return Array.prototype.map.call(document.querySelectorAll(".rs.on"), function (b) { return b.dataset.reason; }); }
  function refresh() {
    var bad = level !== null && level <= 2;
    reasonsBox.hidden = !bad;
    views.rate.classList.toggle("bad", bad);  // a compact layout leaves room for the reasons
    submit.disabled = level === null || (bad && chosenReasons().length === 0);
    hint.textContent = bad && chosenReasons().length === 0 ? pad.dataset.needReason : "";
  }
  document.querySelectorAll(".lv").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".lv").forEach(function (o) { o.classList.remove("on"); o.setAttribute("aria-checked", "false"); });
      b.classList.add("on"); b.setAttribute("aria-checked", "true"); level = parseInt(b.dataset.level, 10); refresh(); armIdle(90000);
    });
  });
  document.querySelectorAll(".rs").forEach(function (b) {
    b.addEventListener("click", function () { b.classList.toggle("on"); b.setAttribute("aria-pressed", b.classList.contains("on")); refresh(); armIdle(90000); });
  });
  submit.addEventListener("click", function () {
    if (!current || level === null || busy) return;
    busy = true; submit.disabled = true;
    var body = new URLSearchParams(); body.append("code", current.code); body.append("level", level);
    chosenReasons().forEach(function (r) { body.append("reasons", r); });
    fetch(rateUrl, {method: "POST", body: body, headers: {"X-CSRFToken": csrf}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, j: j}; }); })
      .then(function (res) {
        busy = false;
        if (res.ok || res.status === 409) { reset(); show("thanks"); armIdle(5000); current = null; }
        else { hint.textContent = res.j.message || pad.dataset.failed; refresh(); }
      })
      .catch(function () { busy = false; hint.textContent = pad.dataset.offline; refresh(); });
  });
  function poll() {
    fetch(stateUrl, {credentials: "same-origin", cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.clerk) {
        document.getElementById("clerk-name").textContent = s.clerk.name;
        document.getElementById("clerk-initial").textContent = s.clerk.name.charAt(0);
      }
      if (s.state === "rate" && shown === "idle" && (!current || current.code !== s.ticket.code)) {
        current = s.ticket; reset();
        document.getElementById("svc-number").textContent = s.ticket.number;
        document.getElementById("svc-name").textContent = s.ticket.service;
        document.getElementById("svc-time").textContent = s.ticket.finished_at;
        show("rate"); armIdle(120000);
      } else if (s.state === "idle" && shown === "rate" && !busy && level === null) {
        toIdle();
      }
    }).catch(function () {}).finally(function () { setTimeout(poll, 2000); });
  }
  show("idle"); poll();
})();
