// Copies a notice draft's letter as plain text (the incident page's
// "Copy the letter" buttons). A static file, so the page's
// Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  function done(btn) {
    var card = btn.closest(".draft-card");
    var msg = card && card.querySelector(".copied");
    if (msg) {
      msg.hidden = false;
      setTimeout(function () { msg.hidden = true; }, 2500);
    }
  }
  function fallback(text, btn) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); done(btn); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(ta);
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-copy]");
    if (!btn) { return; }
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src) { return; }
    var text = src.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(btn); }, function () { fallback(text, btn); });
    } else {
      fallback(text, btn);
    }
  });
})();
