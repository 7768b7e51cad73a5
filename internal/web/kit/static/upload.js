// Evidence upload on the control page: drop files on the zone (or choose
// them), then send them with XMLHttpRequest to the JSON API, with the
// session's CSRF token in the X-CSRF-Token header, showing how much is
// sent. Without this script the same form posts as multipart/form-data
// and works the same.
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

  // The status line follows the upload: percent and bytes sent, so a
  // large file shows it is moving (fetch cannot report upload progress;
  // XMLHttpRequest can).
  var sending = function (loaded, total) {
    if (!total) {
      progress.textContent = "Uploading… " + size(loaded);
      return;
    }
    var pct = Math.floor((100 * loaded) / total);
    progress.textContent = loaded >= total ? "Uploaded " + size(total) + " (100%), saving…" : "Uploading… " + pct + "% (" + size(loaded) + " of " + size(total) + ")";
  };

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    progress.textContent = "Uploading…";
    var fail = function (msg) {
      button.disabled = false;
      progress.textContent = "";
      showError(msg);
    };
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-api"));
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", meta ? meta.getAttribute("content") : "");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (ev) {
      sending(ev.loaded, ev.lengthComputable ? ev.total : 0);
    });
    xhr.addEventListener("load", function () {
      var body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (err) {
        fail("the upload failed (" + xhr.status + ")");
        return;
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        fail(body.error || "the upload failed (" + xhr.status + ")");
        return;
      }
      var q = new URLSearchParams(window.location.search);
      q.set("added", body.added.length);
      window.location.assign(window.location.pathname + "?" + q.toString() + "#evidence");
    });
    xhr.addEventListener("error", function () {
      fail("the upload failed: the connection was lost");
    });
    xhr.send(new FormData(form));
  });
})();
