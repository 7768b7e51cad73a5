// Automatic logoff (HIPAA 164.312(a)(2)(iii)) for the screen, not only the
// server: when the idle time has passed, ask the server whether the
// session is still alive (another tab may have used it; asking does not
// count as activity) and otherwise replace this page, which may show PHI,
// with the login form.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!(idle > 0)) {
    return;
  }
  var toLogin = function () {
    var next = window.location.pathname + window.location.search;
    window.location.replace("/login?reason=idle&next=" + encodeURIComponent(next));
  };
  var check = function () {
    fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error("session ended");
        }
        return resp.json();
      })
      .then(function (s) {
        if (s.active && s.idle_seconds_left > 0) {
          schedule(s.idle_seconds_left);
        } else {
          toLogin();
        }
      })
      .catch(toLogin);
  };
  var timer = null;
  var schedule = function (seconds) {
    clearTimeout(timer);
    // A little after the deadline, so the server agrees it has passed.
    timer = setTimeout(check, seconds * 1000 + 500);
  };
  schedule(idle);
})();
