// Evidence upload on the control page: drop files on the zone (or choose
// them), then send them with fetch to the JSON API, with the session's
// CSRF token in the X-CSRF-Token header. Without this script the same
// form posts as multipart/form-data and works the same.
(function () {
  "use strict";
  var form = document.querySelector("form.upload-form");
  if (!form) {
    return;
  }
  var zone = form.querySelector(".dropzone");
  var input = form.querySelector('input[type="file"]');
  var chosen = form.querySelector(".chosen");
  var errorBox = form.querySelector(".upload-error");
  var progress = form.querySelector(".progress");
  var meta = document.querySelector('meta[name="csrf-token"]');

  var size = function (n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return (n / 1024).toFixed(1) + " KiB";
    }
    return (n / 1024 / 1024).toFixed(1) + " MiB";
  };
  var list = function () {
    chosen.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " · " + size(f.size);
      chosen.appendChild(li);
    });
  };
  var showError = function (msg) {
    errorBox.textContent = msg;
    errorBox.hidden = !msg;
  };

  input.addEventListener("change", list);
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) {
      e.preventDefault();
      zone.classList.add("over");
    });
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("over");
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      list();
      showError("");
    }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    progress.textContent = "Uploading…";
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.getAttribute("content") : "", Accept: "application/json" }
    })
      .then(function (resp) {
        return resp.json().then(function (body) {
          if (!resp.ok) {
            throw new Error(body.error || "the upload failed (" + resp.status + ")");
          }
          return body;
        });
      })
      .then(function (body) {
        var q = new URLSearchParams(window.location.search);
        q.set("added", body.added.length);
        window.location.assign(window.location.pathname + "?" + q.toString() + "#evidence");
      })
      .catch(function (err) {
        button.disabled = false;
        progress.textContent = "";
        showError(err.message);
      });
  });
})();
