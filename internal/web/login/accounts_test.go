package login_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/login"
	"ward/internal/web/webtest"
)

// TestAccountsAdminPage: an organization's admin lists its accounts,
// changes roles, removes a membership, disables an account and revokes
// its tokens and sessions, each of which stops at once and is audited.
func TestAccountsAdminPage(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	admin := e.Users[store.RoleAdmin]
	editor := e.Users[store.RoleEditor]
	c, csrf := e.Login(admin)
	base := "/orgs/alpha/accounts"

	page := e.Get(c, base)
	if page.StatusCode != 200 {
		t.Fatalf("accounts page: %d", page.StatusCode)
	}
	for _, u := range e.Users {
		if !strings.Contains(page.Body, u.Email) {
			t.Errorf("accounts page lacks %s", u.Email)
		}
	}
	if strings.Contains(page.Body, e.Bravo.Email) {
		t.Error("alpha's accounts page shows bravo's admin")
	}
	if !strings.Contains(e.Get(c, "/orgs/alpha").Body, `href="/orgs/alpha/accounts"`) {
		t.Error("an admin's menu has no Accounts")
	}

	// Role change, on alpha's trail.
	r := e.PostForm(c, fmt.Sprintf("%s/%d/role", base, editor.ID), url.Values{"csrf": {csrf}, "role": {store.RoleViewer}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change: %d %s", r.StatusCode, r.Body)
	}
	if role, _ := e.Store.RoleIn(ctx, editor.ID, e.OrgA.ID); role != store.RoleViewer {
		t.Errorf("role after change = %q", role)
	}
	if done := e.Get(c, r.Header.Get("Location")); !strings.Contains(done.Body, "is now a viewer") {
		t.Errorf("the member page does not say what changed:\n%.600s", done.Body)
	}
	last, _ := e.Store.Org(e.OrgA).AuditLog(ctx, 1, 0)
	if len(last) != 1 || last[0].Action != "role.set" || last[0].Actor != admin.Email || last[0].Key != editor.Email {
		t.Errorf("alpha's last entry = %+v", last)
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/role", base, editor.ID), url.Values{"csrf": {csrf}, "role": {"owner"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown role: %d", r.StatusCode)
	}
	// The last admin cannot demote themselves.
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/role", base, admin.ID), url.Values{"csrf": {csrf}, "role": {store.RoleEditor}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "last admin") {
		t.Errorf("demoting the last admin: %d", r.StatusCode)
	}
	// An account of another organization is not found here.
	if r := e.Get(c, fmt.Sprintf("%s/%d", base, e.Bravo.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("bravo's admin from alpha's accounts: %d, want 404", r.StatusCode)
	}

	// Revoking a member's token and session stops them at once.
	tok, _ := auth.NewToken()
	tk, err := e.Store.CreateToken(ctx, "test", editor.ID, "ci", auth.TokenHash(tok), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ec, _ := e.Login(editor)
	detail := e.Get(c, fmt.Sprintf("%s/%d", base, editor.ID))
	sessions, _ := e.Store.Sessions(ctx, editor.ID)
	if len(sessions) == 0 || !strings.Contains(detail.Body, sessions[0].ID()) || !strings.Contains(detail.Body, ">ci<") {
		t.Fatalf("member page lacks the session or the token:\n%.2000s", detail.Body)
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/tokens/%d/revoke", base, editor.ID, tk.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("token revoke: %d %s", r.StatusCode, r.Body)
	}
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if r := e.Send(e.Client(), req); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", r.StatusCode)
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/sessions/%s/revoke", base, editor.ID, sessions[0].ID()), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("session revoke: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Get(ec, "/orgs/alpha"); r.StatusCode != http.StatusFound {
		t.Errorf("revoked session's next page: %d, want 302 to the login", r.StatusCode)
	}

	// Disable: the member's browser is logged out on its next request.
	ec, _ = e.Login(editor)
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/disable", base, editor.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Get(ec, "/orgs/alpha"); r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("disabled member's next page: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/disable", base, admin.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusConflict {
		t.Errorf("disabling oneself: %d, want 409", r.StatusCode)
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/enable", base, editor.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("enable: %d", r.StatusCode)
	}

	// An account that also belongs to bravo: alpha's admin may change its
	// role here, not disable it nor end its sessions.
	shared := e.AddUser("lee@msp.example", "Lee", e.OrgA, store.RoleEditor)
	if err := e.Store.SetRole(ctx, "test", shared.ID, e.OrgB, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/disable", base, shared.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Bravo Clinic") {
		t.Errorf("disabling an account of another organization: %d\n%.400s", r.StatusCode, r.Body)
	}
	if r := e.Get(c, fmt.Sprintf("%s/%d", base, shared.ID)); strings.Contains(r.Body, "Disable the account") {
		t.Error("the page offers to disable an account of another organization")
	}
	if r := e.PostForm(c, fmt.Sprintf("%s/%d/remove", base, shared.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("remove membership: %d", r.StatusCode)
	}
	if role, _ := e.Store.RoleIn(ctx, shared.ID, e.OrgB.ID); role != store.RoleEditor {
		t.Errorf("removing from alpha touched bravo: %q", role)
	}

	// The JSON twin.
	req, _ = http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs/alpha/accounts", nil)
	admTok, _ := auth.NewToken()
	e.Store.CreateToken(ctx, "test", admin.ID, "api", auth.TokenHash(admTok), time.Now().Add(time.Hour))
	req.Header.Set("Authorization", "Bearer "+admTok)
	var twin login.MembersView
	if r := e.Send(e.Client(), req); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &twin) != nil || len(twin.Members) != len(e.Users) {
		t.Errorf("GET /api/v1/orgs/alpha/accounts: %d %d members\n%.300s", r.StatusCode, len(twin.Members), r.Body)
	}
	req, _ = http.NewRequest("POST", e.HTTP.URL+fmt.Sprintf("/api/v1/orgs/alpha/accounts/%d/role", editor.ID), strings.NewReader(`{"role":"auditor","role":"admin"}`))
	req.Header.Set("Authorization", "Bearer "+admTok)
	req.Header.Set("Content-Type", "application/json")
	if r := e.Send(e.Client(), req); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "given twice") {
		t.Errorf("API role change with a duplicate key: %d %s", r.StatusCode, r.Body)
	}
	req, _ = http.NewRequest("POST", e.HTTP.URL+fmt.Sprintf("/api/v1/orgs/alpha/accounts/%d/role", editor.ID), strings.NewReader(`{"role":"auditor"}`))
	req.Header.Set("Authorization", "Bearer "+admTok)
	req.Header.Set("Content-Type", "application/json")
	if r := e.Send(e.Client(), req); r.StatusCode != 200 || !strings.Contains(r.Body, "now an auditor") {
		t.Errorf("API role change: %d %s", r.StatusCode, r.Body)
	}
	if err := e.Store.VerifyAccountAudit(ctx); err != nil {
		t.Error(err)
	}
}

// TestMyAccountPage: a person sees and ends their own sessions and
// tokens, and changes their password under the policy.
func TestMyAccountPage(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	u := e.Users[store.RoleViewer]
	other, _ := e.Login(u) // a second browser
	c, csrf := e.Login(u)
	tok, _ := auth.NewToken()
	tk, _ := e.Store.CreateToken(ctx, "test", u.ID, "laptop script", auth.TokenHash(tok), time.Now().Add(time.Hour))

	page := e.Get(c, "/account")
	sessions, _ := e.Store.Sessions(ctx, u.ID)
	if page.StatusCode != 200 || len(sessions) != 2 || !strings.Contains(page.Body, "laptop script") || !strings.Contains(page.Body, "this one") {
		t.Fatalf("account page: %d, %d sessions\n%.2000s", page.StatusCode, len(sessions), page.Body)
	}
	if !strings.Contains(e.Get(c, "/orgs/alpha").Body, `href="/account"`) {
		t.Error("no link to the account page in the top bar")
	}
	var mine, theirs store.Session
	for _, se := range sessions {
		if strings.Contains(page.Body, se.ID()+"</code> <span class=\"badge\">this one") {
			mine = se
		} else {
			theirs = se
		}
	}
	if mine.TokenHash == "" {
		t.Fatal("the page does not mark the current session")
	}
	if r := e.PostForm(c, "/account/sessions/"+mine.ID()+"/revoke", url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusConflict {
		t.Errorf("ending this session from the page: %d, want 409 (log out instead)", r.StatusCode)
	}
	if r := e.PostForm(c, "/account/sessions/"+theirs.ID()+"/revoke", url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the other session: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Get(other, "/orgs/alpha"); r.StatusCode != http.StatusFound {
		t.Errorf("the ended session's next page: %d, want 302", r.StatusCode)
	}
	// Someone else's session or token is not found from here.
	es, _ := e.Session(e.Users[store.RoleEditor].User)
	if r := e.PostForm(c, "/account/sessions/"+auth.TokenHash(es)[:store.SessionIDLen]+"/revoke", url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("ending someone else's session: %d, want 404", r.StatusCode)
	}
	if r := e.PostForm(c, fmt.Sprintf("/account/tokens/%d/revoke", tk.ID), url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoking my token: %d", r.StatusCode)
	}
	if _, err := e.Store.UserByToken(ctx, auth.TokenHash(tok)); err == nil {
		t.Error("the token still works")
	}

	// Password: the current one is needed, the policy holds, the other
	// sessions end and this one goes on.
	other, _ = e.Login(u)
	for _, tt := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"current": {"wrong"}, "new": {"Quiet-Harbor-Lantern-47"}, "again": {"Quiet-Harbor-Lantern-47"}}, "current password is not right"},
		{url.Values{"current": {u.Password}, "new": {"Quiet-Harbor-Lantern-47"}, "again": {"Quiet-Harbor-Lantern-48"}}, "differ"},
		{url.Values{"current": {u.Password}, "new": {"aaaaaaaaaaaa"}, "again": {"aaaaaaaaaaaa"}}, "different characters"},
		{url.Values{"current": {u.Password}, "new": {"Password2026!"}, "again": {"Password2026!"}}, "commonly used"},
	} {
		tt.form.Set("csrf", csrf)
		if r := e.PostForm(c, "/account/password", tt.form); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, tt.says) {
			t.Errorf("password %v: %d, want 400 saying %q", tt.form, r.StatusCode, tt.says)
		}
	}
	r := e.PostForm(c, "/account/password", url.Values{"csrf": {csrf}, "current": {u.Password}, "new": {"Quiet-Harbor-Lantern-47"}, "again": {"Quiet-Harbor-Lantern-47"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Get(c, r.Header.Get("Location")); r.StatusCode != 200 || !strings.Contains(r.Body, "password is changed") {
		t.Errorf("this session after the change: %d", r.StatusCode)
	}
	if r := e.Get(other, "/orgs/alpha"); r.StatusCode != http.StatusFound {
		t.Errorf("another session after the change: %d, want logged out", r.StatusCode)
	}
	log, _ := e.Store.AccountLog(ctx, u.Email, 0, 0)
	var actions []string
	for _, en := range log {
		actions = append(actions, en.Action)
	}
	for _, want := range []string{"password.change", "token.revoke", "session.revoke", "login"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("accounts' trail lacks %s: %v", want, actions)
		}
	}
	// The JSON twin never carries the password hash.
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/account", nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	if r := e.Send(e.Client(), req); r.StatusCode != 200 || strings.Contains(r.Body, "argon2") || !strings.Contains(r.Body, `"sessions"`) {
		t.Errorf("GET /api/v1/account: %d\n%.300s", r.StatusCode, r.Body)
	}
}
