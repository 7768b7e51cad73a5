// Form helpers (issue 19 item 8), with no inline script so the CSP holds.
// The server is the source of truth for both; this only echoes it as one
// types:
//   - a date input (the "dateinput" partial) says which date it reads:
//     2026-12-01 or 12/01/2026 (month/day/year, the year in full), the
//     rule of date.ParseInput;
//   - a made id (record_form.html) shows the id the name makes, from the
//     rule of workspace.Slug and the page's list of taken ids (web/ids.go).
(function () {
  "use strict";
  var months = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];
  var days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var daysIn = function (y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); };
  var ymd = function (y, m, d) {
    if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) {
      return null;
    }
    return { y: y, m: m, d: d };
  };
  // parseDate mirrors date.ParseInput; null when it is no date.
  var parseDate = function (s) {
    s = s.trim();
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (m) {
      return ymd(+m[1], +m[2], +m[3]);
    }
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
    if (m) {
      return ymd(+m[3], +m[1], +m[2]);
    }
    return null;
  };
  var long = function (p) {
    var wd = new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay();
    return days[wd] + ", " + p.d + " " + months[p.m - 1] + " " + p.y;
  };
  var echo = function (input) {
    var out = input.nextElementSibling;
    if (!out || !out.classList.contains("date-read")) {
      return;
    }
    var v = input.value.trim();
    if (v === "") {
      out.textContent = "";
      return;
    }
    var p = parseDate(v);
    out.textContent = p ? "read as " + long(p) : "not a date: write 2026-12-01 or 12/01/2026";
  };
  document.querySelectorAll("input[data-date]").forEach(function (input) {
    input.addEventListener("input", function () { echo(input); });
    echo(input);
  });

  // slug mirrors workspace.Slug.
  var fold = { "à": "a", "á": "a", "â": "a", "ã": "a", "ä": "a", "å": "a", "æ": "ae", "ç": "c", "è": "e", "é": "e",
    "ê": "e", "ë": "e", "ì": "i", "í": "i", "î": "i", "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o",
    "ö": "o", "ø": "o", "œ": "oe", "ù": "u", "ú": "u", "û": "u", "ü": "u", "ý": "y", "ÿ": "y", "ß": "ss" };
  var slug = function (name) {
    var out = "", hyphen = false;
    Array.from(name.toLowerCase()).forEach(function (c) {
      if (c === "'" || c === "\u2019") {
        return;
      }
      var add = /^[a-z0-9]$/.test(c) ? c : fold[c];
      if (!add) {
        hyphen = true;
        return;
      }
      if (hyphen && out !== "") {
        out += "-";
      }
      hyphen = false;
      out += add;
    });
    return out;
  };
  var maxMade = 60;
  document.querySelectorAll("input[data-id-from]").forEach(function (idInput) {
    var form = idInput.form;
    var preview = form.querySelector("[data-id-preview]");
    var taken = {};
    (idInput.getAttribute("data-taken") || "").split(" ").forEach(function (t) { if (t) { taken[t] = true; } });
    var from = idInput.getAttribute("data-id-from").split(" ");
    var prefix = idInput.getAttribute("data-id-prefix") || "";
    var made = function () {
      var parts = prefix ? [prefix] : [], some = false;
      from.forEach(function (name) {
        var el = form.elements[name];
        if (!el) {
          return;
        }
        var v = (el.value || "").trim();
        var p = v !== "" && parseDate(v);
        var s = slug(p ? String(p.y) : v);
        if (s) {
          parts.push(s);
          some = true;
        }
      });
      if (!some) {
        return "";
      }
      var base = parts.join("-");
      if (base.length > maxMade) {
        base = base.slice(0, maxMade).replace(/-+$/, "");
      }
      if (!taken[base]) {
        return base;
      }
      for (var n = 2; ; n++) {
        if (!taken[base + "-" + n]) {
          return base + "-" + n;
        }
      }
    };
    var update = function () {
      if (!preview) {
        return;
      }
      if (idInput.value.trim() !== "") {
        preview.textContent = "";
        return;
      }
      var id = made();
      preview.textContent = id ? "(" + id + ")" : "";
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });

  // Drafts of the long forms (web/drafts.go): a form marked
  // data-draft="ITS ADDRESS" is saved on the server as one types and
  // brought back on the next visit (after a log-off too). Hidden fields
  // (the session's token, the record's version) are neither saved nor
  // brought back.
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var drafts = [];
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = form.getAttribute("data-draft");
    var org = key.split("/")[2];
    var api = "/api/v1/orgs/" + encodeURIComponent(org) + "/drafts";
    var q = "?form=" + encodeURIComponent(key);
    var dirty = false, timer = null, sending = false;
    var fields = function () {
      var out = new URLSearchParams();
      Array.from(form.elements).forEach(function (el) {
        if (!el.name || el.disabled || el.type === "hidden" || el.type === "file" || el.type === "submit" || el.type === "button") {
          return;
        }
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) {
          return;
        }
        if (el.type === "select-multiple") {
          Array.from(el.options).forEach(function (o) { if (o.selected) { out.append(el.name, o.value); } });
          return;
        }
        out.append(el.name, el.value);
      });
      return out.toString();
    };
    var save = function (keepalive) {
      clearTimeout(timer);
      if (!dirty || sending) {
        return;
      }
      dirty = false;
      fetch(api + q, { method: "POST", credentials: "same-origin", keepalive: !!keepalive,
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf }, body: fields() })
        .then(function (resp) { if (!resp.ok) { dirty = true; } })
        .catch(function () { dirty = true; });
    };
    var changed = function (e) {
      if (!e.isTrusted || sending) {
        return;
      }
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 1000);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      // The save removes the draft on the server; nothing is sent after.
      sending = true;
      clearTimeout(timer);
    });
    window.addEventListener("pagehide", function () { save(true); });
    drafts.push({ flush: function () { save(false); } });

    var restore = function (d) {
      var values = {};
      d.fields.forEach(function (kv) { (values[kv[0]] = values[kv[0]] || []).push(kv[1]); });
      var used = {};
      Array.from(form.elements).forEach(function (el) {
        if (!el.name || el.type === "hidden" || el.type === "file" || el.type === "submit" || el.type === "button" || !(el.name in values)) {
          return;
        }
        var vs = values[el.name];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = vs.indexOf(el.value) >= 0;
        } else if (el.type === "select-multiple") {
          Array.from(el.options).forEach(function (o) { o.selected = vs.indexOf(o.value) >= 0; });
        } else {
          var i = used[el.name] || 0;
          if (i < vs.length) {
            el.value = vs[i];
          }
          used[el.name] = i + 1;
        }
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      var note = document.createElement("p");
      note.className = "notice draft-restored";
      note.setAttribute("role", "status");
      note.appendChild(document.createTextNode("Your unsaved entries from " + new Date(d.saved).toLocaleString() +
        " are back: they were kept as a draft when you left or were signed out. Save the form to keep them."));
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "quiet draft-discard";
      discard.textContent = "Discard the draft";
      discard.addEventListener("click", function () {
        fetch(api + "/discard" + q, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
          .then(function () { window.location.reload(); });
      });
      note.appendChild(discard);
      form.parentNode.insertBefore(note, form);
    };
    fetch(api + q, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.status === 200 ? resp.json() : null; })
      .then(function (d) { if (d && d.fields && d.fields.length) { restore(d); } })
      .catch(function () {});
  });
  window.wardDrafts = { flush: function () { drafts.forEach(function (d) { d.flush(); }); } };
})();
