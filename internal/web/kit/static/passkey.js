// Passkeys (issue 15): the browser's half of the WebAuthn ceremonies of
// web/passkey.go, with no inline script so the CSP holds. The server
// makes the challenge (begin) and checks the answer (finish); this only
// carries them between it and navigator.credentials, turning base64url
// strings into bytes and back.
//   - form#passkey-register (on /account/mfa): registers a passkey under
//     the name typed, then reloads the page with the server's message;
//   - button#passkey-login (on /login/mfa): logs in with a passkey.
// Either shows what went wrong in the element #passkey-status.
(function () {
  "use strict";
  var status = document.getElementById("passkey-status");
  var say = function (msg) {
    if (status) {
      status.textContent = msg;
      status.hidden = !msg;
    }
  };
  if (!window.PublicKeyCredential || !navigator.credentials) {
    say("This browser cannot use passkeys.");
    return;
  }
  var toBytes = function (s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  };
  var toText = function (buf) {
    if (!buf) {
      return undefined;
    }
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  var ids = function (list) {
    return (list || []).map(function (c) {
      var d = { type: c.type, id: toBytes(c.id) };
      if (c.transports) {
        d.transports = c.transports;
      }
      return d;
    });
  };
  // post sends body as JSON with the CSRF token in its header, and gives
  // the parsed answer, or throws the server's message.
  var post = function (url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          throw new Error(j.error || ("The server answered " + r.status + "."));
        }
        return j;
      });
    });
  };
  var failed = function (e) {
    if (e && e.name === "NotAllowedError") {
      return "The passkey was not used (cancelled, or timed out).";
    }
    if (e && e.name === "InvalidStateError") {
      return "This device holds a passkey for your account already.";
    }
    return (e && e.message) || "The passkey did not work.";
  };

  var form = document.getElementById("passkey-register");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var meta = document.querySelector('meta[name="csrf-token"]');
      var token = meta ? meta.content : "";
      var name = form.querySelector('input[name="name"]').value;
      var button = form.querySelector("button");
      button.disabled = true;
      say("");
      post("/api/v1/account/mfa/passkeys/begin", token).then(function (start) {
        var o = start.publicKey;
        o.challenge = toBytes(o.challenge);
        o.user.id = toBytes(o.user.id);
        o.excludeCredentials = ids(o.excludeCredentials);
        return navigator.credentials.create({ publicKey: o }).then(function (cred) {
          var resp = {
            clientDataJSON: toText(cred.response.clientDataJSON),
            attestationObject: toText(cred.response.attestationObject)
          };
          if (cred.response.getTransports) {
            resp.transports = cred.response.getTransports();
          }
          return post("/api/v1/account/mfa/passkeys/finish", token, {
            ceremony: start.ceremony,
            name: name,
            credential: {
              id: cred.id, rawId: toText(cred.rawId), type: cred.type,
              authenticatorAttachment: cred.authenticatorAttachment || undefined,
              clientExtensionResults: cred.getClientExtensionResults(),
              response: resp
            }
          });
        });
      }).then(function (view) {
        window.location.assign("/account/mfa?done=" + encodeURIComponent(view.done || "Passkey added."));
      }).catch(function (e) {
        button.disabled = false;
        say(failed(e));
      });
    });
  }

  var login = document.getElementById("passkey-login");
  if (login) {
    login.addEventListener("click", function () {
      var token = login.form.querySelector('input[name="csrf"]').value;
      var next = login.form.querySelector('input[name="next"]');
      var q = next ? "?next=" + encodeURIComponent(next.value) : "";
      login.disabled = true;
      say("");
      post("/login/mfa/passkey/begin", token).then(function (start) {
        var o = start.publicKey;
        o.challenge = toBytes(o.challenge);
        o.allowCredentials = ids(o.allowCredentials);
        return navigator.credentials.get({ publicKey: o }).then(function (cred) {
          return post("/login/mfa/passkey/finish" + q, token, {
            ceremony: start.ceremony,
            credential: {
              id: cred.id, rawId: toText(cred.rawId), type: cred.type,
              authenticatorAttachment: cred.authenticatorAttachment || undefined,
              clientExtensionResults: cred.getClientExtensionResults(),
              response: {
                clientDataJSON: toText(cred.response.clientDataJSON),
                authenticatorData: toText(cred.response.authenticatorData),
                signature: toText(cred.response.signature),
                userHandle: toText(cred.response.userHandle)
              }
            }
          });
        });
      }).then(function (done) {
        window.location.assign(done.next || "/");
      }).catch(function (e) {
        login.disabled = false;
        say(failed(e));
      });
    });
  }
})();
