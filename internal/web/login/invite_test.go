package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/notify"
	"ward/internal/notify/notifytest"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

var inviteLinkRE = regexp.MustCompile(`https?://[^\s"<]+/invite/([A-Za-z0-9_-]+)`)

// inviteLink is the invitation link on a page or in a mail, and its path.
func inviteLink(t *testing.T, body string) (link, path string) {
	t.Helper()
	m := inviteLinkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no invitation link in:\n%.2000s", body)
	}
	u, err := url.Parse(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return m[0], u.Path
}

// TestInvitationNewAccount: alpha's admin invites a new colleague as
// editor; the link (queued by e-mail and delivered by a real SMTP server
// on loopback) lets them set a password that meets the policy and lands
// them in alpha as an editor, logged in. The link then refuses a second
// use; every step is on the trails. Refusals: an editor may not invite,
// a form without its CSRF token is refused, a bad role or address is
// named, a member or a pending invitation is not invited twice. On
// SQLite and PostgreSQL.
func TestInvitationNewAccount(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{Mail: true, BaseURL: "https://ward.example/"}, eng.URL(t))
			ctx := context.Background()
			admin := e.Users[store.RoleAdmin]
			c, csrf := e.Login(admin)
			base := "/orgs/alpha/accounts/invitations"
			if r := e.Get(c, base); r.StatusCode != 200 || !strings.Contains(r.Body, "None pending") {
				t.Fatalf("invitations page: %d\n%.500s", r.StatusCode, r.Body)
			}
			if r := e.Get(c, "/orgs/alpha/accounts"); !strings.Contains(r.Body, `href="/orgs/alpha/accounts/invitations"`) {
				t.Error("the accounts page does not lead to the invitations")
			}

			// Refusals first: nothing is created by any of them.
			ec, ecsrf := e.Login(e.Users[store.RoleEditor])
			if r := e.PostForm(ec, base, url.Values{"csrf": {ecsrf}, "email": {"kim@alpha.example"}, "role": {"viewer"}}); r.StatusCode != http.StatusForbidden {
				t.Errorf("an editor invites: %d, want 403", r.StatusCode)
			}
			if r := e.PostForm(c, base, url.Values{"email": {"kim@alpha.example"}, "role": {"viewer"}}); r.StatusCode != http.StatusForbidden {
				t.Errorf("no CSRF token: %d, want 403", r.StatusCode)
			}
			if r := e.PostForm(c, base, url.Values{"csrf": {csrf}, "email": {"kim@alpha.example"}, "role": {"owner"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "owner") {
				t.Errorf("unknown role: %d %.300s", r.StatusCode, r.Body)
			}
			if r := e.PostForm(c, base, url.Values{"csrf": {csrf}, "email": {"not an address"}, "role": {"viewer"}}); r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("bad address: %d", r.StatusCode)
			}
			if r := e.PostForm(c, base, url.Values{"csrf": {csrf}, "email": {"viewer@alpha.example"}, "role": {"editor"}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "already") {
				t.Errorf("inviting a member: %d %.300s", r.StatusCode, r.Body)
			}
			if invs, _ := e.Store.Org(e.OrgA).Invitations(ctx, time.Now(), true); len(invs) != 0 {
				t.Fatalf("refused invitations were stored: %+v", invs)
			}

			r := e.PostForm(c, base, url.Values{"csrf": {csrf}, "email": {"Kim@Alpha.example"}, "role": {"editor"}})
			if r.StatusCode != 200 || !strings.Contains(r.Body, "on its way by e-mail") {
				t.Fatalf("invite: %d\n%.1500s", r.StatusCode, r.Body)
			}
			shown, _ := inviteLink(t, r.Body)
			if !strings.HasPrefix(shown, "https://ward.example/invite/") {
				t.Errorf("link %q does not use the base URL", shown)
			}
			if !e.TrailHas("invite.create", "invitation", "kim@alpha.example", admin.Email) {
				t.Error("no invite.create on alpha's trail")
			}
			if r := e.PostForm(c, base, url.Values{"csrf": {csrf}, "email": {"kim@alpha.example"}, "role": {"viewer"}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "pending invitation") {
				t.Errorf("a second invitation: %d %.300s", r.StatusCode, r.Body)
			}
			list := e.Get(c, base)
			if !strings.Contains(list.Body, "kim@alpha.example") || strings.Contains(list.Body, shown) {
				t.Errorf("the list lacks the invitation, or shows its link again:\n%.2000s", list.Body)
			}

			// The mail, through the notifier's outbox and a real SMTP server.
			srv := notifytest.Start(t)
			m, err := notify.ParseSMTP(srv.URL(), "", "ward <ward@alpha.example>")
			if err != nil {
				t.Fatal(err)
			}
			run := &notify.Runner{Store: e.Store, Mail: m, ID: "t", Lease: time.Minute}
			if sent, failed, err := run.Deliver(ctx); err != nil || sent != 1 || failed != 0 {
				t.Fatalf("deliver: sent %d failed %d %v", sent, failed, err)
			}
			if sent, _, _ := run.Deliver(ctx); sent != 0 {
				t.Errorf("a second delivery sent %d", sent)
			}
			got := srv.Received()
			if len(got) != 1 || got[0].To != "kim@alpha.example" || got[0].Kind != "invitation" || !strings.Contains(got[0].Subject, "Alpha Health") {
				t.Fatalf("mails: %+v", got)
			}
			mailed, path := inviteLink(t, got[0].Body)
			if mailed != shown {
				t.Errorf("mailed link %q, shown %q", mailed, shown)
			}

			// The person opens the link, without an account.
			kc := e.Client()
			page := e.Get(kc, path)
			if page.StatusCode != 200 || !strings.Contains(page.Body, "Alpha Health") || !strings.Contains(page.Body, `name="password"`) {
				t.Fatalf("invitation page: %d\n%.1500s", page.StatusCode, page.Body)
			}
			if r := e.PostForm(kc, path, url.Values{"name": {"Kim Lee"}, "password": {"short"}, "password2": {"short"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at least") {
				t.Errorf("a short password: %d %.500s", r.StatusCode, r.Body)
			}
			pw := "kim's long passphrase for ward"
			if r := e.PostForm(kc, path, url.Values{"name": {"Kim Lee"}, "password": {pw}, "password2": {pw + "x"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "differ") {
				t.Errorf("passwords that differ: %d", r.StatusCode)
			}
			if _, err := e.Store.UserByEmail(ctx, "kim@alpha.example"); err == nil {
				t.Fatal("an account was created by a refused form")
			}
			r = e.PostForm(kc, path, url.Values{"name": {"Kim Lee"}, "password": {pw}, "password2": {pw}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha" {
				t.Fatalf("accept: %d %q\n%.500s", r.StatusCode, r.Header.Get("Location"), r.Body)
			}
			home := e.Get(kc, "/orgs/alpha")
			if home.StatusCode != 200 || !strings.Contains(home.Body, "you are an editor here") {
				t.Errorf("after joining: %d\n%.800s", home.StatusCode, home.Body)
			}
			u, err := e.Store.UserByEmail(ctx, "kim@alpha.example")
			if err != nil || u.Name != "Kim Lee" {
				t.Fatalf("account: %+v %v", u, err)
			}
			if ok, _ := auth.CheckPassword(pw, u.PasswordHash); !ok {
				t.Error("the stored password is not the one chosen")
			}
			if role, _ := e.Store.RoleIn(ctx, u.ID, e.OrgA.ID); role != store.RoleEditor {
				t.Errorf("role %q, want editor", role)
			}
			for _, want := range []string{"invite.accept/invitation", "role.set/membership"} {
				a, k, _ := strings.Cut(want, "/")
				if !e.TrailHas(a, k, "kim@alpha.example", "kim@alpha.example") {
					t.Errorf("no %s by kim on alpha's trail", want)
				}
			}
			acc, _ := e.Store.AccountLog(ctx, "kim@alpha.example", 0, 0)
			created := false
			for _, a := range acc {
				created = created || (a.Action == "user.create" && a.Actor == "kim@alpha.example")
			}
			if !created {
				t.Errorf("no user.create on the accounts' trail: %+v", acc)
			}
			if err := e.Store.VerifyAccountAudit(ctx); err != nil {
				t.Errorf("accounts' trail: %v", err)
			}

			// Used once: a second use is refused with a page that says so,
			// and creates nothing.
			again := e.PostForm(e.Client(), path, url.Values{"name": {"Mallory"}, "password": {pw}, "password2": {pw}})
			if again.StatusCode != http.StatusGone || !strings.Contains(again.Body, "used already") {
				t.Errorf("reused link: %d %.500s", again.StatusCode, again.Body)
			}
			if r := e.Get(e.Client(), path); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "each link works once") {
				t.Errorf("opening a used link: %d", r.StatusCode)
			}
			if r := e.Get(e.Client(), "/invite/not-a-token"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "not known") {
				t.Errorf("unknown link: %d", r.StatusCode)
			}
			all := e.Get(c, base+"?all=1")
			if !strings.Contains(all.Body, "accepted") {
				t.Errorf("the full list does not say the invitation was accepted:\n%.1500s", all.Body)
			}
		})
	}
}

// TestInvitationRefusals: an expired link and a withdrawn one are
// refused with a page that says which; withdrawing is audited, and
// withdrawing twice changes nothing. On SQLite and PostgreSQL.
func TestInvitationRefusals(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			admin := e.Users[store.RoleAdmin]
			c, csrf := e.Login(admin)

			// Expired: made a week ago by the store itself.
			tok, _ := auth.NewToken()
			if _, err := e.Store.Org(e.OrgA).CreateInvitation(ctx, admin.Email, "old@alpha.example", store.RoleViewer, auth.TokenHash(tok), time.Now().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			pw := "a long enough passphrase here"
			r := e.PostForm(e.Client(), "/invite/"+tok, url.Values{"name": {"Old"}, "password": {pw}, "password2": {pw}})
			if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "expired") {
				t.Errorf("expired link: %d %.400s", r.StatusCode, r.Body)
			}
			if _, err := e.Store.UserByEmail(ctx, "old@alpha.example"); err == nil {
				t.Error("an expired link created an account")
			}

			// Withdrawn.
			r = e.PostForm(c, "/orgs/alpha/accounts/invitations", url.Values{"csrf": {csrf}, "email": {"sam@alpha.example"}, "role": {"viewer"}})
			if r.StatusCode != 200 || !strings.Contains(r.Body, "ward sends no e-mail here") {
				t.Fatalf("invite: %d %.600s", r.StatusCode, r.Body)
			}
			_, path := inviteLink(t, r.Body)
			invs, _ := e.Store.Org(e.OrgA).Invitations(ctx, time.Now(), false)
			if len(invs) != 1 || invs[0].Email != "sam@alpha.example" {
				t.Fatalf("pending: %+v", invs)
			}
			revoke := fmt.Sprintf("/orgs/alpha/accounts/invitations/%d/revoke", invs[0].ID)
			if r := e.PostForm(c, revoke, url.Values{}); r.StatusCode != http.StatusForbidden {
				t.Errorf("withdraw without CSRF: %d", r.StatusCode)
			}
			bc, bcsrf := e.Login(e.Bravo)
			if r := e.PostForm(bc, revoke, url.Values{"csrf": {bcsrf}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("bravo's admin withdraws alpha's invitation: %d", r.StatusCode)
			}
			if r := e.PostForm(bc, fmt.Sprintf("/orgs/bravo/accounts/invitations/%d/revoke", invs[0].ID), url.Values{"csrf": {bcsrf}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("alpha's invitation through bravo's path: %d", r.StatusCode)
			}
			r = e.PostForm(c, revoke, url.Values{"csrf": {csrf}})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("withdraw: %d %.300s", r.StatusCode, r.Body)
			}
			if !strings.Contains(e.Get(c, r.Header.Get("Location")).Body, "no longer works") {
				t.Error("the page does not say the invitation is withdrawn")
			}
			e.WantAudit("invite.revoke", "invitation", "sam@alpha.example", admin.Email)
			if r := e.PostForm(c, revoke, url.Values{"csrf": {csrf}}); r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "Nothing+to+change") {
				t.Errorf("withdraw again: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
			r = e.Get(e.Client(), path)
			if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "withdrawn") {
				t.Errorf("withdrawn link: %d %.400s", r.StatusCode, r.Body)
			}
			if r := e.PostForm(e.Client(), path, url.Values{"name": {"Sam"}, "password": {pw}, "password2": {pw}}); r.StatusCode != http.StatusGone {
				t.Errorf("accepting a withdrawn link: %d", r.StatusCode)
			}
		})
	}
}

// TestInvitationExistingAccount: the rule for an address that has an
// account (bravo's admin, invited to alpha): the link asks them to log
// in; a post without a login, as someone else, or without the session's
// CSRF token is refused; logged in as the invited account it adds the
// membership and leaves the password alone.
func TestInvitationExistingAccount(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	c, csrf := e.Login(e.Users[store.RoleAdmin])
	r := e.PostForm(c, "/orgs/alpha/accounts/invitations", url.Values{"csrf": {csrf}, "email": {e.Bravo.Email}, "role": {store.RoleAuditor}})
	if r.StatusCode != 200 {
		t.Fatalf("invite: %d", r.StatusCode)
	}
	_, path := inviteLink(t, r.Body)
	page := e.Get(e.Client(), path)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "Log in to join") || strings.Contains(page.Body, `name="password"`) {
		t.Fatalf("page for an existing account: %d\n%.1500s", page.StatusCode, page.Body)
	}
	if r := e.PostForm(e.Client(), path, url.Values{"name": {"x"}, "password": {"a long enough passphrase"}, "password2": {"a long enough passphrase"}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous accept of an existing account's invitation: %d", r.StatusCode)
	}
	vc, vcsrf := e.Login(e.Users[store.RoleViewer])
	if r := e.PostForm(vc, path, url.Values{"csrf": {vcsrf}}); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "this invitation is for") {
		t.Errorf("someone else accepts: %d %.300s", r.StatusCode, r.Body)
	}
	bc, bcsrf := e.Login(e.Bravo)
	if !strings.Contains(e.Get(bc, path).Body, "Join Alpha Health") {
		t.Error("the logged-in invitee is not offered to join")
	}
	if r := e.PostForm(bc, path, url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("accept without the session's CSRF token: %d", r.StatusCode)
	}
	if role, _ := e.Store.RoleIn(ctx, e.Bravo.ID, e.OrgA.ID); role != "" {
		t.Fatalf("a refused accept gave the role %q", role)
	}
	r = e.PostForm(bc, path, url.Values{"csrf": {bcsrf}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/orgs/alpha" {
		t.Fatalf("accept: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if role, _ := e.Store.RoleIn(ctx, e.Bravo.ID, e.OrgA.ID); role != store.RoleAuditor {
		t.Errorf("role in alpha %q, want auditor", role)
	}
	if role, _ := e.Store.RoleIn(ctx, e.Bravo.ID, e.OrgB.ID); role != store.RoleAdmin {
		t.Errorf("role in bravo %q, want admin still", role)
	}
	u, _ := e.Store.UserByEmail(ctx, e.Bravo.Email)
	if ok, _ := auth.CheckPassword(e.Bravo.Password, u.PasswordHash); !ok {
		t.Error("joining changed the password")
	}
	if !e.TrailHas("invite.accept", "invitation", e.Bravo.Email, e.Bravo.Email) {
		t.Error("no invite.accept on alpha's trail")
	}
}

// TestInvitationAPI: the JSON twins: an admin's invitation (201 with the
// link), the list, the link's state, the acceptance with a new password,
// and the withdrawal. On SQLite and PostgreSQL.
func TestInvitationAPI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			admin := e.Users[store.RoleAdmin]
			r := e.APIPost(admin.User, "/api/v1/orgs/alpha/accounts/invitations", `{"email": "api@alpha.example", "role": "viewer"}`)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("invite: %d %s", r.StatusCode, r.Body)
			}
			var made struct {
				Link       string `json:"link"`
				Emailed    bool   `json:"emailed"`
				Invitation struct {
					ID     int64  `json:"id"`
					Email  string `json:"email"`
					Status string `json:"status"`
				} `json:"invitation"`
			}
			if err := json.Unmarshal([]byte(r.Body), &made); err != nil || made.Link == "" || made.Emailed || made.Invitation.Status != "pending" || made.Invitation.Email != "api@alpha.example" {
				t.Fatalf("answer %s (%v)", r.Body, err)
			}
			if r := e.APIPost(e.Users[store.RoleEditor].User, "/api/v1/orgs/alpha/accounts/invitations", `{"email": "x@alpha.example", "role": "viewer"}`); r.StatusCode != http.StatusForbidden {
				t.Errorf("editor: %d", r.StatusCode)
			}
			if r := e.APIPost(admin.User, "/api/v1/orgs/alpha/accounts/invitations", `{"email": "y@alpha.example", "role": "root"}`); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"error"`) {
				t.Errorf("bad role: %d %s", r.StatusCode, r.Body)
			}
			list := e.APIGet(admin.User, "/api/v1/orgs/alpha/accounts/invitations")
			if list.StatusCode != 200 || !strings.Contains(list.Body, `"api@alpha.example"`) || strings.Contains(list.Body, made.Link) {
				t.Errorf("list: %d %s", list.StatusCode, list.Body)
			}
			tok := made.Link[strings.LastIndex(made.Link, "/")+1:]
			state := e.Get(e.Client(), "/api/v1/invite/"+tok)
			if state.StatusCode != 200 || !strings.Contains(state.Body, `"account_exists": false`) || !strings.Contains(state.Body, `"role": "viewer"`) {
				t.Errorf("link state: %d %s", state.StatusCode, state.Body)
			}
			accept := func(body string) webtest.Response {
				req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/invite/"+tok, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				return e.Send(e.Client(), req)
			}
			if r := accept(`{"name": "Api", "password": "short", "password2": "short"}`); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "password") {
				t.Errorf("short password: %d %s", r.StatusCode, r.Body)
			}
			pw := "the api person's passphrase"
			r = accept(fmt.Sprintf(`{"name": "Api", "password": %q, "password2": %q}`, pw, pw))
			if r.StatusCode != 200 || !strings.Contains(r.Body, `"account_created": true`) {
				t.Fatalf("accept: %d %s", r.StatusCode, r.Body)
			}
			u, err := e.Store.UserByEmail(ctx, "api@alpha.example")
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := e.Store.RoleIn(ctx, u.ID, e.OrgA.ID); role != store.RoleViewer {
				t.Errorf("role %q", role)
			}
			if r := accept(fmt.Sprintf(`{"name": "Api", "password": %q, "password2": %q}`, pw, pw)); r.StatusCode != http.StatusGone {
				t.Errorf("second accept: %d %s", r.StatusCode, r.Body)
			}
			// Withdraw another through the API.
			r = e.APIPost(admin.User, "/api/v1/orgs/alpha/accounts/invitations", `{"email": "w@alpha.example", "role": "member"}`)
			if err := json.Unmarshal([]byte(r.Body), &made); err != nil {
				t.Fatal(err)
			}
			r = e.APIPost(admin.User, fmt.Sprintf("/api/v1/orgs/alpha/accounts/invitations/%d/revoke", made.Invitation.ID), `{}`)
			if r.StatusCode != 200 || !strings.Contains(r.Body, "withdrawn") {
				t.Errorf("withdraw: %d %s", r.StatusCode, r.Body)
			}
			if r := e.Get(e.Client(), "/api/v1/invite/"+made.Link[strings.LastIndex(made.Link, "/")+1:]); r.StatusCode != http.StatusGone {
				t.Errorf("withdrawn link's state: %d", r.StatusCode)
			}
		})
	}
}

// TestInvitationUsedOnceUnderRace: eight concurrent acceptances of one
// link, each with a new account: exactly one account is made and given
// the role; the others are told the link was used. On SQLite and
// PostgreSQL.
func TestInvitationUsedOnceUnderRace(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			ctx := context.Background()
			tok, _ := auth.NewToken()
			if _, err := e.Store.Org(e.OrgA).CreateInvitation(ctx, "admin@alpha.example", "race@alpha.example", store.RoleViewer, auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			const n = 8
			errs := make(chan error, n)
			for i := range n {
				go func() {
					_, _, err := e.Store.AcceptInvitation(ctx, auth.TokenHash(tok), &store.NewAccount{Name: fmt.Sprint("racer ", i), PasswordHash: "x"}, 0)
					errs <- err
				}()
			}
			ok := 0
			for range n {
				err := <-errs
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrInviteUsed):
				default:
					t.Errorf("acceptance: %v, want success or 'used already'", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d acceptances succeeded, want exactly 1", ok)
			}
			u, err := e.Store.UserByEmail(ctx, "race@alpha.example")
			if err != nil {
				t.Fatal(err)
			}
			if role, _ := e.Store.RoleIn(ctx, u.ID, e.OrgA.ID); role != store.RoleViewer {
				t.Errorf("role %q", role)
			}
			accepts := 0
			all, _ := e.Store.Org(e.OrgA).AuditAll(ctx)
			for _, a := range all {
				if a.Action == "invite.accept" {
					accepts++
				}
			}
			if accepts != 1 {
				t.Errorf("%d invite.accept entries, want 1", accepts)
			}
			if err := e.Store.Org(e.OrgA).VerifyAudit(ctx); err != nil {
				t.Errorf("trail: %v", err)
			}
		})
	}
}
