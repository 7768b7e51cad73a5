package login_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// passkeyAttempt runs, in the page of the login's second step, the
// passkey ceremony the way passkey.js does, except that the browser is
// told to use the credential of id allow (base64url) whatever the server
// offered: what a person with a wrong, unknown or removed passkey sends.
// It returns the finish's status and message.
const passkeyAttempt = `(async function (allow) {
  const b = s => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), c => c.charCodeAt(0)).buffer;
  const t = buf => buf ? btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : undefined;
  const token = document.querySelector('input[name="csrf"]').value;
  const post = (url, body) => fetch(url, {method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json", "X-CSRF-Token": token}, body: JSON.stringify(body || {})});
  const begin = await post("/login/mfa/passkey/begin");
  if (!begin.ok) { return {status: begin.status, error: (await begin.json()).error, stage: "begin"}; }
  const start = await begin.json();
  const o = start.publicKey;
  o.challenge = b(o.challenge);
  o.allowCredentials = [{type: "public-key", id: b(allow)}];
  const cred = await navigator.credentials.get({publicKey: o});
  const fin = await post("/login/mfa/passkey/finish", {ceremony: start.ceremony, credential: {
    id: cred.id, rawId: t(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(),
    response: {clientDataJSON: t(cred.response.clientDataJSON), authenticatorData: t(cred.response.authenticatorData),
      signature: t(cred.response.signature), userHandle: t(cred.response.userHandle)}}});
  return {status: fin.status, error: (await fin.json()).error, stage: "finish"};
})`

type attemptResult struct {
	Status int    `json:"status"`
	Error  string `json:"error"`
	Stage  string `json:"stage"`
}

// Issue 15's passkeys in Chromium with a virtual authenticator (CTAP2,
// internal, resident keys, user verification), on http://localhost, the
// relying party ward derives without --base-url: register two passkeys
// on /account/mfa, log out, log in with the password and a passkey; a
// passkey ward never saw, a forged signature and a counter gone
// backwards are refused; a removed passkey no longer logs in while the
// other still does; every event is on the accounts' trail.
func TestPasskeyBrowser(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	base := strings.Replace(e.HTTP.URL, "127.0.0.1", "localhost", 1)
	u := e.Users[store.RoleEditor]
	ctx := context.Background()
	b := browsertest.New(t)
	cdp := func(what string, f func(ctx context.Context) error) {
		t.Helper()
		c, cancel := context.WithTimeout(b.Context(), 15*time.Second)
		defer cancel()
		if err := f(c); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	yes := true
	cdp("enable WebAuthn", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.Enable, webauthn.EnableParams{EnableUI: new(bool)})
		return err
	})
	addAuthenticator := func() webauthn.AuthenticatorID {
		var id webauthn.AuthenticatorID
		cdp("add a virtual authenticator", func(c context.Context) error {
			res, err := chromedp.Call(c, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
				// cdproto always sends generateCmtgKeyOnNextOperation when adding a
				// credential, which Chromium refuses unless the authenticator has it.
				HasCmtgKey: true,
			}})
			id = res.AuthenticatorID
			return err
		})
		return id
	}
	login := func() {
		t.Helper()
		b.Navigate(base + "/login")
		b.Fill(`input[name="email"]`, u.Email)
		b.Fill(`input[name="password"]`, u.Password)
		b.Click(`button[type="submit"]`)
	}
	logout := func() {
		t.Helper()
		// The MFA page has password fields of its own; wait for the
		// login form's, or the next navigation races the log out.
		e.BrowserLogout(b)
	}
	register := func(name string) {
		t.Helper()
		b.Navigate(base + "/account/mfa")
		b.Fill(`#passkey-register input[name="name"]`, name)
		b.Click(`#passkey-register button`)
		b.WaitText(".notice", "Passkey “"+name+"” added", 15*time.Second)
		if p := b.Problems(); len(p) > 0 {
			t.Errorf("registering %q: %v", name, p)
		}
	}
	attempt := func(allow string) attemptResult {
		t.Helper()
		var res attemptResult
		cdp("a forced passkey attempt", func(c context.Context) error {
			raw, err := chromedp.Run(c, chromedp.Evaluate[json.RawMessage](passkeyAttempt+"("+jsString(allow)+")", chromedp.EvalAwaitPromise))
			if err != nil {
				return err
			}
			return json.Unmarshal(raw, &res)
		})
		b.Problems() // the refused fetch is logged by the browser: expected
		return res
	}

	// Register "laptop" on one authenticator, keep its key, and move to
	// a second authenticator for "phone" (one authenticator cannot hold
	// two passkeys of one account: ward excludes the first); then the
	// second holds both, as a person's password manager might.
	auth1 := addAuthenticator()
	login()
	b.WaitVisible(".sidebar")
	b.Navigate(base + "/account/mfa")
	if got := b.Text("#passkeys"); !strings.Contains(got, "No passkey yet") || !strings.Contains(got, "localhost") {
		t.Errorf("the passkeys section before any: %q", got)
	}
	register("laptop")
	var laptopCred *webauthn.Credential
	cdp("read the laptop's key", func(c context.Context) error {
		res, err := chromedp.Call(c, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth1})
		if err == nil && len(res.Credentials) == 1 {
			laptopCred = res.Credentials[0]
		}
		return err
	})
	if laptopCred == nil {
		t.Fatal("the virtual authenticator holds no credential after the registration")
	}
	cdp("remove the first authenticator", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: auth1})
		return err
	})
	auth2 := addAuthenticator()
	register("phone")
	cdp("put the laptop's key beside the phone's", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: auth2, Credential: portable(laptopCred, false)})
		return err
	})
	keys, err := e.Store.Passkeys(ctx, u.ID)
	if err != nil || len(keys) != 2 || keys[0].Name != "laptop" || keys[1].Name != "phone" || keys[0].RPID != "localhost" {
		t.Fatalf("passkeys kept: %+v, %v", keys, err)
	}
	if keys[0].CredentialID != base64.RawURLEncoding.EncodeToString(laptopCred.CredentialID) {
		t.Errorf("the stored credential id %s is not the authenticator's %x", keys[0].CredentialID, laptopCred.CredentialID)
	}
	if rows := b.Count("#passkeys tbody tr"); rows != 2 {
		t.Errorf("the page lists %d passkeys, want 2", rows)
	}
	if used := b.Text(`#passkeys tbody tr:first-child .passkey-used`); used != "never" {
		t.Errorf("last used before any login: %q", used)
	}

	// Log out; password, then the passkey.
	logout()
	login()
	b.WaitVisible("#passkey-login")
	if !strings.HasPrefix(b.URL(), base+"/login/mfa") {
		t.Fatalf("after the password: %s, want the second step", b.URL())
	}
	b.Click("#passkey-login")
	b.WaitVisible(".sidebar")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("logging in with a passkey: %v", p)
	}
	keys, _ = e.Store.Passkeys(ctx, u.ID)
	used := 0
	for _, k := range keys {
		if !k.LastUsed.IsZero() {
			used++
		}
	}
	if used != 1 {
		t.Errorf("%d passkeys have a last use after one login, want 1: %+v", used, keys)
	}

	// Refused: a passkey ward never registered (for the same site, in the
	// same authenticator), and a real one with a forged signature.
	logout()
	login()
	b.WaitVisible("#passkey-login")
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	stranger := []byte("a-credential-ward-never-saw-0001")
	cdp("add an unregistered credential", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: auth2, Credential: &webauthn.Credential{
			CredentialID: stranger, IsResidentCredential: true, RpID: "localhost", PrivateKey: pkcs8, UserHandle: []byte("someone-else"), SignCount: 1,
		}})
		return err
	})
	if r := attempt(base64.RawURLEncoding.EncodeToString(stranger)); r.Status != 401 || r.Stage != "finish" {
		t.Errorf("an unknown passkey: %+v, want 401 at finish", r)
	}
	cdp("forge signatures", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth2, IsBogusSignature: &yes})
		return err
	})
	if r := attempt(keys[1].CredentialID); r.Status != 401 || r.Stage != "finish" {
		t.Errorf("a forged signature: %+v, want 401 at finish", r)
	}
	cdp("stop forging", func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth2, IsBogusSignature: new(bool)})
		return err
	})
	// Refusals count against the login's tries but leave it open.
	b.Click("#passkey-login")
	b.WaitVisible(".sidebar")

	// Remove the laptop's passkey on /account/mfa (with the password).
	laptop := keys[0]
	b.Navigate(base + "/account/mfa")
	row := `#passkeys tr[data-passkey="` + jsInt(laptop.ID) + `"]`
	b.Fill(row+` input[name="password"]`, u.Password)
	b.Click(row + ` button`)
	b.WaitText(".notice", "The passkey is removed", 15*time.Second)
	if rows := b.Count("#passkeys tbody tr"); rows != 1 || !strings.Contains(b.Text("#passkeys tbody"), "phone") {
		t.Errorf("after removing the laptop the page lists %d passkeys: %q", rows, b.Text("#passkeys"))
	}

	// The removed passkey no longer logs in; the phone's still does.
	logout()
	login()
	b.WaitVisible("#passkey-login")
	if r := attempt(laptop.CredentialID); r.Status != 401 || r.Stage != "finish" {
		t.Errorf("a removed passkey: %+v, want 401 at finish", r)
	}
	b.Click("#passkey-login")
	b.WaitVisible(".sidebar")

	// A counter gone backwards (a copy of the key used elsewhere): the
	// authenticator's counter is set below the one ward last saw.
	phoneID, _ := base64.RawURLEncoding.DecodeString(keys[1].CredentialID)
	var phone *webauthn.Credential
	cdp("read the phone's key", func(c context.Context) error {
		res, err := chromedp.Call(c, webauthn.GetCredential, webauthn.GetCredentialParams{AuthenticatorID: auth2, CredentialID: phoneID})
		phone = res.Credential
		return err
	})
	if phone.SignCount < 2 {
		t.Fatalf("the phone's counter is %v after two logins", phone.SignCount)
	}
	phone.SignCount = 0
	cdp("wind the phone's counter back", func(c context.Context) error {
		if _, err := chromedp.Call(c, webauthn.RemoveCredential, webauthn.RemoveCredentialParams{AuthenticatorID: auth2, CredentialID: phoneID}); err != nil {
			return err
		}
		_, err := chromedp.Call(c, webauthn.AddCredential, webauthn.AddCredentialParams{AuthenticatorID: auth2, Credential: portable(phone, true)})
		return err
	})
	logout()
	login()
	b.WaitVisible("#passkey-login")
	if r := attempt(keys[1].CredentialID); r.Status != 401 || !strings.Contains(r.Error, "counter went backwards") {
		t.Errorf("a counter gone backwards: %+v, want 401 naming the counter", r)
	}
	if r := attempt(keys[1].CredentialID); r.Status != 409 || r.Stage != "begin" {
		t.Errorf("after the clone warning the account has no usable passkey, yet: %+v", r)
	}

	// The trail has it all, and verifies.
	log, err := e.Store.AccountLog(ctx, u.Email, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var passkeyLogins, refusals int
	for _, en := range log {
		count[en.Action]++
		var d map[string]any
		_ = json.Unmarshal(en.Data, &d)
		if en.Action == store.EventLogin && d["second_step"] == "passkey" {
			passkeyLogins++
		}
		if r, _ := d["reason"].(string); en.Action == store.EventLoginFailed && strings.HasPrefix(r, "passkey refused") {
			refusals++
		}
	}
	if count[store.EventPasskeyRegistered] != 2 || count[store.EventPasskeyRetired] != 1 || count[store.EventPasskeyClone] != 1 {
		t.Errorf("the trail's passkey events: %v", count)
	}
	if passkeyLogins != 3 || refusals != 4 || count[store.EventMFAChallenge] != 4 {
		t.Errorf("the trail has %d logins with a passkey (want 3), %d refused passkeys (want 4), %d second steps begun (want 4)", passkeyLogins, refusals, count[store.EventMFAChallenge])
	}
	if err := e.Store.VerifyAccountAudit(ctx); err != nil {
		t.Error(err)
	}
}

// portable is the part of a credential read from one virtual
// authenticator that another accepts. An authenticator keeps one
// discoverable credential per site and account, so a second one of the
// same account goes in as not discoverable (resident false).
func portable(c *webauthn.Credential, resident bool) *webauthn.Credential {
	return &webauthn.Credential{
		CredentialID: c.CredentialID, IsResidentCredential: resident, RpID: c.RpID, PrivateKey: c.PrivateKey,
		UserHandle: c.UserHandle, SignCount: c.SignCount, BackupEligibility: c.BackupEligibility, BackupState: c.BackupState,
		UserName: c.UserName, UserDisplayName: c.UserDisplayName,
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
