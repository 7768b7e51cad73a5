// Automatic logoff (HIPAA 164.312(a)(2)(iii)) for the screen, not only the
// server, without losing work (issue 19 item 11):
//   - typing, clicking and touching count as activity: at most every
//     ping seconds the script tells the server (POST
//     /api/v1/session/activity), which then counts the session as used;
//     only events a person makes count (isTrusted), never a timer;
//   - a minute before the log-off (half the idle time when that is
//     shorter) a warning says so, with "Stay signed in"; the long forms'
//     drafts are saved then (forms.js);
//   - when the idle time has passed, ask the server whether the session
//     is still alive (another tab may have used it; asking does not count
//     as activity) and otherwise replace this page, which may show PHI,
//     with the login form.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!(idle > 0)) {
    return;
  }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var lead = Math.min(60, Math.floor(idle / 2));
  var ping = Math.max(1, Math.min(30, Math.floor(idle / 4)));
  var lastPing = Date.now(); // loading the page was activity
  var deadline = 0;
  var warnTimer = null, endTimer = null, tick = null;
  var box = null;

  var flushDrafts = function () {
    if (window.wardDrafts) {
      window.wardDrafts.flush();
    }
  };
  var toLogin = function () {
    var next = window.location.pathname + window.location.search;
    window.location.replace("/login?reason=idle&next=" + encodeURIComponent(next));
  };
  var hideWarning = function () {
    clearInterval(tick);
    if (box) {
      box.hidden = true;
    }
  };
  var showWarning = function () {
    flushDrafts();
    if (!box) {
      box = document.createElement("div");
      box.className = "idle-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-live", "assertive");
      box.setAttribute("aria-label", "You are about to be signed out");
      var p = document.createElement("p");
      p.appendChild(document.createTextNode("For inactivity you will be signed out in "));
      var n = document.createElement("strong");
      n.className = "idle-seconds";
      p.appendChild(n);
      p.appendChild(document.createTextNode(" (automatic log-off). What you typed in a long form is kept as a draft and comes back after you sign in."));
      var b = document.createElement("button");
      b.type = "button";
      b.className = "primary idle-stay";
      b.textContent = "Stay signed in";
      b.addEventListener("click", function () { report(); });
      box.appendChild(p);
      box.appendChild(b);
      document.body.appendChild(box);
    }
    var count = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      box.querySelector(".idle-seconds").textContent = left === 1 ? "1 second" : left + " seconds";
    };
    count();
    clearInterval(tick);
    tick = setInterval(count, 1000);
    box.hidden = false;
    box.querySelector(".idle-stay").focus();
  };
  var schedule = function (seconds) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    hideWarning();
    deadline = Date.now() + seconds * 1000;
    warnTimer = setTimeout(showWarning, Math.max(0, seconds - lead) * 1000);
    // A little after the deadline, so the server agrees it has passed.
    endTimer = setTimeout(check, seconds * 1000 + 500);
  };
  var answer = function (resp) {
    if (!resp.ok) {
      throw new Error("session ended");
    }
    return resp.json();
  };
  var check = function () {
    flushDrafts();
    fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(answer)
      .then(function (s) {
        if (s.active && s.idle_seconds_left > 0) {
          schedule(s.idle_seconds_left);
        } else {
          toLogin();
        }
      })
      .catch(toLogin);
  };
  // report tells the server the person is here.
  var report = function () {
    lastPing = Date.now();
    fetch("/api/v1/session/activity", { method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf } })
      .then(answer)
      .then(function (s) { schedule(s.idle_seconds_left); })
      .catch(check);
  };
  var activity = function (e) {
    if (!e.isTrusted) {
      return;
    }
    var warned = box && !box.hidden;
    if (warned || Date.now() - lastPing >= ping * 1000) {
      report();
    }
  };
  ["keydown", "input", "pointerdown", "touchstart"].forEach(function (type) {
    document.addEventListener(type, activity, { capture: true, passive: true });
  });
  schedule(idle);
})();
