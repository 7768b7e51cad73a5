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
})();
