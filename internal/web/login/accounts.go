package login

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
)

// The accounts pages: an organization's admins manage who holds a role
// there (/orgs/{org}/accounts), and everyone manages their own sessions,
// tokens and password (/account). Every change goes on a trail: a role
// on the organization's, everything about the account itself on the
// accounts' trail (store/accounts/trail.go).
//
// Accounts are global, so an admin of one organization may change only
// what concerns that organization (the role held there, the membership)
// unless they are an admin of every organization the account belongs to:
// disabling an account, or revoking its sessions and tokens, reaches into
// all of them. Issue 15 adds invitations and single sign-on to these
// pages: they go in as further actions of the same tables.

func init() {
	for _, base := range []string{"/orgs/{org}/accounts", "/api/v1/orgs/{org}/accounts"} {
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: store.RoleAdmin, Handler: members},
			kit.Route{Method: "GET", Pattern: base + "/{id}", Role: store.RoleAdmin, Handler: member},
		)
		for _, a := range memberActions {
			kit.Register(kit.Route{Method: "POST", Pattern: base + "/{id}/" + a.path, Role: store.RoleAdmin, Handler: a.handler()})
		}
	}
	for _, base := range []string{"/account", "/api/v1/account"} {
		kit.Register(kit.Route{Method: "GET", Pattern: base, Role: kit.AnyUser, Handler: myAccount})
		for _, a := range selfActions {
			kit.Register(kit.Route{Method: "POST", Pattern: base + "/" + a.path, Role: kit.AnyUser, Handler: a.handler()})
		}
	}
}

// accountAction is one change on an accounts page, served on the page
// (form, then back to the page) and in the API (JSON in, JSON out).
type accountAction struct {
	path string
	// do makes the change and says what it did, or returns an
	// actionError (shown to the person) or another error (500).
	do func(s *kit.Server, r *http.Request, p map[string]string) (string, error)
	// member: the page of the account {id} in {org}; else /account.
	member bool
}

type actionError struct {
	status int
	msg    string
}

func (e actionError) Error() string { return e.msg }

func refuse(status int, format string, args ...any) error {
	return actionError{status, fmt.Sprintf(format, args...)}
}

func (a accountAction) handler() kit.HandlerFunc {
	return func(s *kit.Server, w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/")
		p, err := actionParams(r, api)
		if err != nil {
			s.Fail(w, r, api, http.StatusBadRequest, err.Error())
			return
		}
		done, err := a.do(s, r, p)
		var ae actionError
		switch {
		case errors.As(err, &ae):
			s.Fail(w, r, api, ae.status, ae.msg)
			return
		case errors.Is(err, store.ErrNoChange):
			done = "Nothing to change: " + err.Error()
		case err != nil:
			s.ServerError(w, r, api, err)
			return
		}
		if api {
			kit.WriteJSON(w, http.StatusOK, map[string]string{"done": done})
			return
		}
		back := "/account"
		if a.member {
			back = "/orgs/" + kit.CurrentOrg(r).Slug + "/accounts/" + r.PathValue("id")
		}
		http.Redirect(w, r, back+"?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
	}
}

// actionParams are a form's fields, or a JSON object of strings.
func actionParams(r *http.Request, api bool) (map[string]string, error) {
	p := map[string]string{}
	if api && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := strictjson.Decode(r.Body, 64<<10, &p); err != nil {
			return nil, fmt.Errorf("the body must be a JSON object of strings: %v", err)
		}
		return p, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("the form could not be read: %v", err)
	}
	for k := range r.PostForm {
		if k != kit.CSRFField {
			p[k] = r.PostForm.Get(k)
		}
	}
	return p, nil
}

var memberActions = []accountAction{
	{path: "role", member: true, do: setMemberRole},
	{path: "remove", member: true, do: removeMember},
	{path: "disable", member: true, do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		return accountWide(s, r, "disable", func(u store.User) (string, error) {
			if u.ID == kit.CurrentUser(r).ID {
				return "", refuse(http.StatusConflict, "you cannot disable your own account")
			}
			return u.Email + " is disabled: its sessions ended and its tokens were revoked", s.Store.DisableUser(r.Context(), kit.CurrentUser(r).Email, u.ID)
		})
	}},
	{path: "enable", member: true, do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		return accountWide(s, r, "enable", func(u store.User) (string, error) {
			return u.Email + " is enabled", s.Store.EnableUser(r.Context(), kit.CurrentUser(r).Email, u.ID)
		})
	}},
	{path: "tokens/{token}/revoke", member: true, do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		return accountWide(s, r, "revoke the tokens of", func(u store.User) (string, error) {
			return revokeToken(s, r, u)
		})
	}},
	{path: "sessions/{session}/revoke", member: true, do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		return accountWide(s, r, "end the sessions of", func(u store.User) (string, error) {
			return revokeSession(s, r, u)
		})
	}},
}

var selfActions = []accountAction{
	{path: "password", do: changeOwnPassword},
	{path: "tokens/{token}/revoke", do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		return revokeToken(s, r, kit.CurrentUser(r))
	}},
	{path: "sessions/{session}/revoke", do: func(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
		if sess := kit.Info(r).Session; sess != nil && sess.ID() == r.PathValue("session") {
			return "", refuse(http.StatusConflict, "that is this session: log out instead")
		}
		return revokeSession(s, r, kit.CurrentUser(r))
	}},
}

func revokeToken(s *kit.Server, r *http.Request, u store.User) (string, error) {
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return "", refuse(http.StatusNotFound, "no such token")
	}
	err = s.Store.RevokeToken(r.Context(), kit.CurrentUser(r).Email, u.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", refuse(http.StatusNotFound, "%s has no token %d", u.Email, id)
	}
	return fmt.Sprintf("Token %d of %s is revoked: its next request is refused", id, u.Email), err
}

func revokeSession(s *kit.Server, r *http.Request, u store.User) (string, error) {
	id := r.PathValue("session")
	err := s.Store.RevokeSession(r.Context(), kit.CurrentUser(r).Email, u.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", refuse(http.StatusNotFound, "%s has no live session %s", u.Email, id)
	}
	return fmt.Sprintf("The session %s of %s has ended", id, u.Email), err
}

// memberOf is the account {id} when it holds a role in the current
// organization (else 404: an admin does not learn of other accounts).
func memberOf(s *kit.Server, r *http.Request) (store.User, string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.User{}, "", refuse(http.StatusNotFound, "no such account in %s", kit.CurrentOrg(r).Name)
	}
	u, err := s.Store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, "", refuse(http.StatusNotFound, "no such account in %s", kit.CurrentOrg(r).Name)
	}
	if err != nil {
		return store.User{}, "", err
	}
	role, err := s.Store.RoleIn(r.Context(), u.ID, kit.CurrentOrg(r).ID)
	if err != nil {
		return store.User{}, "", err
	}
	if role == "" {
		return store.User{}, "", refuse(http.StatusNotFound, "no such account in %s", kit.CurrentOrg(r).Name)
	}
	return u, role, nil
}

// elsewhere lists the organizations u belongs to where the caller is not
// an admin: account-wide steps need none.
func elsewhere(s *kit.Server, r *http.Request, u store.User) ([]string, error) {
	theirs, err := s.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	mine, err := s.Store.Memberships(r.Context(), kit.CurrentUser(r).ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range theirs {
		if !slices.ContainsFunc(mine, func(x store.Membership) bool { return x.Org.ID == m.Org.ID && x.Role == store.RoleAdmin }) {
			out = append(out, m.Org.Name)
		}
	}
	return out, nil
}

// accountWide runs a step that reaches every organization of the member
// {id}, when the caller is an admin of them all.
func accountWide(s *kit.Server, r *http.Request, what string, f func(u store.User) (string, error)) (string, error) {
	u, _, err := memberOf(s, r)
	if err != nil {
		return "", err
	}
	others, err := elsewhere(s, r, u)
	if err != nil {
		return "", err
	}
	if len(others) > 0 {
		return "", refuse(http.StatusForbidden, "%s also belongs to %s, where you are not an admin: you can change their role or membership here; to %s the account, ask an admin of every organization it belongs to, or ward's operator (ward user)",
			u.Email, strings.Join(others, ", "), what)
	}
	return f(u)
}

func setMemberRole(s *kit.Server, r *http.Request, p map[string]string) (string, error) {
	u, before, err := memberOf(s, r)
	if err != nil {
		return "", err
	}
	role := p["role"]
	if !slices.Contains(store.Roles, role) {
		return "", refuse(http.StatusBadRequest, "role %q is not one of %s", role, strings.Join(store.Roles, ", "))
	}
	if role == before {
		return "", fmt.Errorf("%s is %s already: %w", u.Email, role, store.ErrNoChange)
	}
	if err := lastAdmin(s, r, u, before, role); err != nil {
		return "", err
	}
	if err := s.Store.SetRole(r.Context(), kit.CurrentUser(r).Email, u.ID, kit.CurrentOrg(r), role); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s is now %s (was %s)", u.Email, kit.Article(role), before), nil
}

func removeMember(s *kit.Server, r *http.Request, _ map[string]string) (string, error) {
	u, before, err := memberOf(s, r)
	if err != nil {
		return "", err
	}
	if err := lastAdmin(s, r, u, before, ""); err != nil {
		return "", err
	}
	if err := s.Store.SetRole(r.Context(), kit.CurrentUser(r).Email, u.ID, kit.CurrentOrg(r), ""); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s no longer has a role in %s (the account and its history are kept)", u.Email, kit.CurrentOrg(r).Name), nil
}

// lastAdmin refuses to leave the organization without an enabled admin.
func lastAdmin(s *kit.Server, r *http.Request, u store.User, before, after string) error {
	if before != store.RoleAdmin || after == store.RoleAdmin {
		return nil
	}
	ms, err := s.Store.Members(r.Context(), kit.CurrentOrg(r))
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Role == store.RoleAdmin && m.User.ID != u.ID && !m.User.Disabled {
			return nil
		}
	}
	return refuse(http.StatusConflict, "%s is the last admin of %s: make someone else an admin first", u.Email, kit.CurrentOrg(r).Name)
}

func changeOwnPassword(s *kit.Server, r *http.Request, p map[string]string) (string, error) {
	u := kit.CurrentUser(r)
	ok, err := auth.CheckPassword(p["current"], u.PasswordHash)
	if err != nil || !ok {
		return "", refuse(http.StatusBadRequest, "the current password is not right")
	}
	if p["new"] != p["again"] {
		return "", refuse(http.StatusBadRequest, "the new password and its repetition differ")
	}
	if err := auth.CheckPolicy(p["new"], u.Email); err != nil {
		return "", refuse(http.StatusBadRequest, "%v", err)
	}
	hash, err := auth.HashPassword(p["new"])
	if err != nil {
		return "", err
	}
	keep := ""
	if sess := kit.Info(r).Session; sess != nil {
		keep = sess.TokenHash
	}
	if err := s.Store.ChangePassword(r.Context(), u.Email, u.ID, hash, keep); err != nil {
		return "", err
	}
	return "Your password is changed; your other sessions have ended", nil
}

// Pages and their JSON twins.

// AccountView is one account as the pages and the API show it.
type AccountView struct {
	User      store.User          `json:"account"`
	Role      string              `json:"role,omitempty"`
	LastLogin time.Time           `json:"last_login,omitzero"`
	Tokens    []TokenView         `json:"tokens"`
	Sessions  []SessionView       `json:"sessions"`
	Orgs      []kit.OrgMembership `json:"organizations,omitempty"`
	Trail     []store.AuditEntry  `json:"trail"`
	// Elsewhere names the organizations where the viewer is not an admin
	// (account-wide steps are then not offered).
	Elsewhere []string `json:"elsewhere,omitempty"`
	// MFA is the account's second login step.
	MFA  store.MFAState `json:"mfa"`
	Done string         `json:"-"`
}

type TokenView struct {
	store.Token
	Status string `json:"status"`
}

type SessionView struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	IP       string    `json:"ip"`
	Agent    string    `json:"agent"`
	Current  bool      `json:"current"`
}

// accountView gathers u's tokens, live sessions and trail.
func accountView(s *kit.Server, r *http.Request, u store.User) (AccountView, error) {
	ctx := r.Context()
	v := AccountView{User: u, Tokens: []TokenView{}, Sessions: []SessionView{}, Done: r.URL.Query().Get("done")}
	now := s.Now()
	toks, err := s.Store.Tokens(ctx, u.ID)
	if err != nil {
		return v, err
	}
	for _, t := range toks {
		v.Tokens = append(v.Tokens, TokenView{t, t.Status(now)})
	}
	sessions, err := s.Store.Sessions(ctx, u.ID)
	if err != nil {
		return v, err
	}
	for _, se := range sessions {
		// Idle or too old: ended at its next request; not worth listing.
		if now.Sub(se.LastSeen) > s.Config.IdleTimeout || now.Sub(se.Created) > kit.SessionLifetime {
			continue
		}
		cur := kit.Info(r).Session != nil && kit.Info(r).Session.TokenHash == se.TokenHash
		v.Sessions = append(v.Sessions, SessionView{ID: se.ID(), Created: se.Created, LastSeen: se.LastSeen, IP: se.IP, Agent: se.Agent, Current: cur})
	}
	if v.MFA, err = s.Store.MFA(ctx, u.ID); err != nil {
		return v, err
	}
	if v.Trail, err = s.Store.AccountLog(ctx, u.Email, 20, 0); err != nil {
		return v, err
	}
	if v.Trail == nil {
		v.Trail = []store.AuditEntry{}
	}
	for _, e := range v.Trail {
		if e.Action == store.EventLogin {
			v.LastLogin = e.At
			break
		}
	}
	return v, nil
}

// MembersView is an organization's accounts page.
type MembersView struct {
	Members []store.Member `json:"accounts"`
	Roles   []string       `json:"-"`
	Me      int64          `json:"-"`
}

func members(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	ms, err := s.Store.Members(r.Context(), kit.CurrentOrg(r))
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if ms == nil {
		ms = []store.Member{}
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, MembersView{Members: ms})
		return
	}
	s.Render(w, r, "accounts.html", MembersView{Members: ms, Roles: store.Roles, Me: kit.CurrentUser(r).ID})
}

func member(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	u, role, err := memberOf(s, r)
	var ae actionError
	if errors.As(err, &ae) {
		s.Fail(w, r, api, ae.status, ae.msg)
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	v, err := accountView(s, r, u)
	if err == nil {
		v.Elsewhere, err = elsewhere(s, r, u)
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	v.Role = role
	if api {
		kit.WriteJSON(w, http.StatusOK, v)
		return
	}
	s.Render(w, r, "account_member.html", struct {
		AccountView
		Roles []string
		Self  bool
	}{v, store.Roles, u.ID == kit.CurrentUser(r).ID})
}

func myAccount(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	u := kit.CurrentUser(r)
	v, err := accountView(s, r, u)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	ms, err := s.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	for _, m := range ms {
		v.Orgs = append(v.Orgs, kit.OrgMembership{Slug: m.Org.Slug, Name: m.Org.Name, Role: m.Role})
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, v)
		return
	}
	s.Render(w, r, "account.html", struct {
		AccountView
		MinPassword int
	}{v, auth.MinPasswordLen})
}
