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
	"ward/internal/bounds"
	"ward/internal/notify"
	"ward/internal/store"
	"ward/internal/web/kit"
)

// Invitations (issue 15 item 7). An organization's admin invites a
// colleague by e-mail with a role (/orgs/{org}/accounts/invitations).
// ward makes a single-use link that expires after InviteDays, keeps only
// its token's SHA-256, shows the link once for the admin to pass on, and,
// when ward sends e-mail (--smtp-url), queues it in the notifier's outbox.
//
// The link (/invite/{token}) is public: the token is the credential, and
// it also guards the form against cross-site posts, as the setup token
// does. Opened by someone without an account, it asks for a name and a
// password (the password policy of every other form) and logs them in
// with the role. When an account with the invited address exists, the
// rule is: that person logs in as it and then joins with one click (an
// admin of one organization cannot attach another organization's
// account without its owner, nor learn that the account exists: the
// admin's side is the same either way). A used, expired or withdrawn
// link is refused with a page that says which. Every step is on the
// organization's audit trail.

// InviteDays is how long an invitation link works.
const InviteDays = 7

func init() {
	for _, base := range []string{"/orgs/{org}/accounts/invitations", "/api/v1/orgs/{org}/accounts/invitations"} {
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: store.RoleAdmin, Handler: invitations},
			kit.Route{Method: "POST", Pattern: base, Role: store.RoleAdmin, Handler: invite},
			kit.Route{Method: "POST", Pattern: base + "/{id}/revoke", Role: store.RoleAdmin, Handler: revokeInvitation},
		)
	}
	for _, base := range []string{"/invite/{token}", "/api/v1/invite/{token}"} {
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: kit.Public, Handler: invitation},
			kit.Route{Method: "POST", Pattern: base, Role: kit.Public, Handler: acceptInvitation},
		)
	}
}

// InvitationView is one invitation as the pages and the API show it.
type InvitationView struct {
	store.Invitation
	Status string `json:"status"`
}

// InvitationsPage is the admin's page of an organization's invitations.
type InvitationsPage struct {
	Invitations []InvitationView `json:"invitations"`
	// Link is the link of the invitation just made: shown once, never
	// stored (only its hash is).
	Link    string `json:"link,omitempty"`
	Emailed bool   `json:"emailed"`
	// Created is the invitation just made.
	Created *InvitationView `json:"invitation,omitempty"`
	All     bool            `json:"-"`
	Roles   []string        `json:"-"`
	Email   string          `json:"-"`
	Role    string          `json:"-"`
	Error   string          `json:"-"`
	Done    string          `json:"-"`
	Days    int             `json:"-"`
	Mail    bool            `json:"-"`
}

func invitationsPage(s *kit.Server, r *http.Request) (InvitationsPage, error) {
	all := r.URL.Query().Get("all") == "1"
	p := InvitationsPage{All: all, Roles: store.Roles, Role: store.RoleViewer, Days: InviteDays, Mail: s.Config.Mail, Done: r.URL.Query().Get("done")}
	now := s.Now()
	invs, err := s.Org(r).Invitations(r.Context(), now, all)
	if err != nil {
		return p, err
	}
	p.Invitations = []InvitationView{}
	for _, i := range invs {
		p.Invitations = append(p.Invitations, InvitationView{i, i.Status(now)})
	}
	return p, nil
}

func invitations(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	p, err := invitationsPage(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, p)
		return
	}
	s.Render(w, r, "invitations.html", p)
}

func invite(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	in, err := actionParams(r, api)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return
	}
	email := strings.ToLower(strings.TrimSpace(in["email"]))
	role := strings.TrimSpace(in["role"])
	refuse := func(status int, msg string) {
		if api {
			s.Fail(w, r, api, status, msg)
			return
		}
		p, err := invitationsPage(s, r)
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		p.Email, p.Role, p.Error = email, role, msg
		s.RenderStatus(w, r, status, "invitations.html", p)
	}
	if err := bounds.Email(email); err != nil {
		refuse(http.StatusUnprocessableEntity, "email: give the address of the person to invite: "+err.Error())
		return
	}
	if !slices.Contains(store.Roles, role) {
		refuse(http.StatusUnprocessableEntity, fmt.Sprintf("role: %q is not one of %s", role, strings.Join(store.Roles, ", ")))
		return
	}
	ctx := r.Context()
	org := kit.CurrentOrg(r)
	// Already a member: change the role on the accounts page instead.
	ms, err := s.Store.Members(ctx, org)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	for _, m := range ms {
		if m.User.Email == email {
			refuse(http.StatusConflict, fmt.Sprintf("%s is %s of %s already: change the role on the accounts page", email, kit.Article(m.Role), org.Name))
			return
		}
	}
	now := s.Now()
	pending, err := s.Org(r).Invitations(ctx, now, false)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	for _, i := range pending {
		if i.Email == email {
			refuse(http.StatusConflict, fmt.Sprintf("%s has a pending invitation (as %s, until %s): withdraw it first to send another", email, i.Role, i.Expires.Format(time.DateOnly)))
			return
		}
	}
	tok, err := auth.NewToken()
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	actor := kit.CurrentUser(r).Email
	inv, err := s.Org(r).CreateInvitation(ctx, actor, email, role, auth.TokenHash(tok), now.Add(InviteDays*24*time.Hour))
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	link := s.LinkBase(r) + "/invite/" + tok
	emailed := false
	if s.Config.Mail {
		text := fmt.Sprintf("%s invites you to %s on ward, the compliance program, as %s.\n\nOpen this link to join (it works once, until %s UTC):\n\n%s\n\nIf you did not expect this, ignore this e-mail: nothing happens until the link is opened.\n",
			actor, org.Name, kit.Article(role), inv.Expires.Format("2006-01-02 15:04"), link)
		emailed, err = notify.QueueMail(ctx, s.Store, org.ID, "invite:"+strconv.FormatInt(inv.ID, 10), email, "invitation",
			"You are invited to "+org.Name+" on ward", text)
		if err != nil {
			// The invitation stands: the admin still has the link.
			s.Log.ErrorContext(ctx, "queue invitation mail", "invitation", inv.ID, "err", err)
		}
	}
	s.Log.InfoContext(ctx, "invitation created", "org", org.Slug, "invitation", inv.ID, "emailed", emailed)
	view := InvitationView{inv, inv.Status(now)}
	if api {
		kit.WriteJSON(w, http.StatusCreated, InvitationsPage{Created: &view, Link: link, Emailed: emailed})
		return
	}
	p, err := invitationsPage(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	p.Created, p.Link, p.Emailed = &view, link, emailed
	s.Render(w, r, "invitations.html", p)
}

func revokeInvitation(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.Fail(w, r, api, http.StatusNotFound, "no such invitation")
		return
	}
	inv, err := s.Org(r).RevokeInvitation(r.Context(), kit.CurrentUser(r).Email, id)
	var done string
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("no invitation %d in %s", id, kit.CurrentOrg(r).Name))
		return
	case errors.Is(err, store.ErrNoChange):
		done = "Nothing to change: " + err.Error()
	case err != nil:
		s.ServerError(w, r, api, err)
		return
	default:
		done = fmt.Sprintf("The invitation of %s is withdrawn: its link no longer works", inv.Email)
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, map[string]string{"done": done})
		return
	}
	http.Redirect(w, r, "/orgs/"+kit.CurrentOrg(r).Slug+"/accounts/invitations?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
}

// The person's side: /invite/{token}.

// InvitePage is the page the link opens.
type InvitePage struct {
	Org    string `json:"organization"`
	Slug   string `json:"-"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
	// Account: an account with the invited address exists, so the
	// person logs in as it and joins (no password is set here).
	Account bool `json:"account_exists"`
	// Me is who is logged in, if anyone.
	Me      string            `json:"-"`
	Token   string            `json:"-"`
	Name    string            `json:"-"`
	Problem string            `json:"-"`
	Errors  map[string]string `json:"-"`
	Minimum int               `json:"-"`
	Login   string            `json:"-"`
	// SSOOnly: the organization turned local passwords off and the
	// invited address is not on its break-glass list, so the new account
	// has no password: it signs in through single sign-on (Provider,
	// "" when this ward has none set up).
	SSOOnly  bool   `json:"single_sign_on"`
	Provider string `json:"provider,omitempty"`
	// Joined: the SSO-only account was made; the page says to sign in
	// with the provider.
	Joined bool `json:"-"`
}

// inviteProblem is the answer for a link that cannot be used.
func inviteProblem(err error) (int, string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "This invitation link is not known to ward. Check that the whole link was copied, or ask the person who invited you for a new one."
	case errors.Is(err, store.ErrInviteUsed):
		return http.StatusGone, "This invitation was used already: each link works once. If it was you, log in; otherwise ask the person who invited you for a new one."
	case errors.Is(err, store.ErrInviteExpired):
		return http.StatusGone, fmt.Sprintf("This invitation has expired (links work for %d days). Ask the person who invited you for a new one.", InviteDays)
	case errors.Is(err, store.ErrInviteRevoked):
		return http.StatusGone, "This invitation was withdrawn by an administrator of the organization. Ask them for a new one if you still need access."
	}
	return 0, ""
}

// loadInvite reads the link's invitation for the page; ok is false when
// the answer was written (a refusal).
func loadInvite(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (store.Invitation, InvitePage, bool) {
	tok := r.PathValue("token")
	inv, err := s.Store.CheckInvitation(r.Context(), auth.TokenHash(tok))
	if status, msg := inviteProblem(err); status != 0 {
		s.Log.WarnContext(r.Context(), "invitation link refused", "ip", s.ClientIP(r), "why", err.Error())
		if api {
			s.Fail(w, r, api, status, msg)
		} else {
			s.RenderStatus(w, r, status, "invite.html", InvitePage{Problem: msg, Status: strings.ToLower(http.StatusText(status))})
		}
		return inv, InvitePage{}, false
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return inv, InvitePage{}, false
	}
	p := InvitePage{Org: inv.Org.Name, Slug: inv.Org.Slug, Email: inv.Email, Role: inv.Role, Status: store.InvitePending,
		Token: tok, Me: kit.CurrentUser(r).Email, Errors: map[string]string{}, Minimum: auth.MinPasswordLen}
	_, err = s.Store.UserByEmail(r.Context(), inv.Email)
	switch {
	case err == nil:
		p.Account = true
	case !errors.Is(err, store.ErrNotFound):
		s.ServerError(w, r, api, err)
		return inv, p, false
	}
	p.Login = "/login?" + url.Values{"next": {"/invite/" + tok}}.Encode()
	conf, err := s.Store.OrgSSO(r.Context(), inv.Org)
	if err != nil {
		s.ServerError(w, r, api, err)
		return inv, p, false
	}
	if conf.LocalPasswordsOff() && !conf.IsBreakGlass(inv.Email) {
		p.SSOOnly = true
		if s.Config.SSO != nil {
			p.Provider = s.Config.SSO.ProviderName
		}
	}
	return inv, p, true
}

func invitation(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	_, p, ok := loadInvite(s, w, r, api)
	if !ok {
		return
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, p)
		return
	}
	s.Render(w, r, "invite.html", p)
}

func acceptInvitation(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	inv, p, ok := loadInvite(s, w, r, api)
	if !ok {
		return
	}
	in, err := actionParams(r, api)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	me := kit.CurrentUser(r)
	if p.Account {
		// Joining as an existing account: only that account, logged in,
		// with its session's form token.
		if me.ID == 0 {
			s.Fail(w, r, api, http.StatusUnauthorized, fmt.Sprintf("an account %s exists: log in as it first, then open the link again", inv.Email))
			return
		}
		if me.Email != inv.Email {
			s.Fail(w, r, api, http.StatusForbidden, fmt.Sprintf("this invitation is for %s; you are logged in as %s: log out and log in as %s", inv.Email, me.Email, inv.Email))
			return
		}
		// A browser session proves the form is ours with its token; a
		// bearer token needs none (a browser cannot be made to send it).
		if sess := kit.Info(r).Session; sess != nil {
			if ok, _ := kit.ValidCSRF(r, sess.CSRF, false); !ok {
				s.Fail(w, r, api, http.StatusForbidden, "the form's security token is missing or out of date: reload the page and try again")
				return
			}
		}
		_, _, err := s.Store.AcceptInvitation(ctx, auth.TokenHash(p.Token), nil, me.ID)
		if status, msg := inviteProblem(err); status != 0 {
			s.Fail(w, r, api, status, msg)
			return
		}
		if err != nil {
			s.ServerError(w, r, api, err)
			return
		}
		joined(s, w, r, api, inv, false)
		return
	}

	// A new account: a name and a password, or only a name when it will
	// sign in through single sign-on.
	p.Name = strings.TrimSpace(in["name"])
	password := in["password"]
	if err := bounds.Line(p.Name, bounds.MaxName); err != nil {
		p.Errors["name"] = err.Error()
	}
	if p.SSOOnly {
		acceptSSOOnly(s, w, r, api, inv, p)
		return
	}
	switch err := auth.CheckPolicy(password, inv.Email); {
	case err != nil:
		p.Errors["password"] = err.Error()
	case password != in["password2"]:
		p.Errors["password2"] = "the two passwords differ"
	}
	if len(p.Errors) > 0 {
		if api {
			var msgs []string
			for _, k := range []string{"name", "password", "password2"} {
				if m := p.Errors[k]; m != "" {
					msgs = append(msgs, k+": "+m)
				}
			}
			s.Fail(w, r, api, http.StatusUnprocessableEntity, strings.Join(msgs, "; "))
			return
		}
		p.Problem = "Some answers need another look: see the fields marked below."
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "invite.html", p)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	u, _, err := s.Store.AcceptInvitation(ctx, auth.TokenHash(p.Token), &store.NewAccount{Name: p.Name, PasswordHash: hash}, 0)
	if status, msg := inviteProblem(err); status != 0 {
		s.Fail(w, r, api, status, msg)
		return
	}
	if errors.Is(err, store.ErrConflict) {
		s.Fail(w, r, api, http.StatusConflict, fmt.Sprintf("an account %s was created meanwhile: log in as it, then open the link again", inv.Email))
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if api {
		// The API answers; it starts no browser session.
		joined(s, w, r, api, inv, true)
		return
	}
	required, err := mfaRequiredBy(s, r, u.ID)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	data := map[string]string{"ip": s.ClientIP(r), "via": "invitation"}
	if err := s.Store.RecordAccount(ctx, u.Email, store.EventLogin, u.Email, data); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if err := s.StartSession(w, r, u, len(required) > 0); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	s.Log.InfoContext(ctx, "invitation accepted", "org", inv.Org.Slug, "user_id", u.ID, "new_account", true)
	if len(required) > 0 {
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
	joined(s, w, r, api, inv, true)
}

// acceptSSOOnly makes the account of an invitation into an organization
// whose local passwords are off: no password (none is asked for), and the
// page then sends the person to the provider (/login/sso), where ward
// matches the account by its verified e-mail. Refused, making nothing,
// when this ward has no single sign-on set up: the account could not log
// in.
func acceptSSOOnly(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, inv store.Invitation, p InvitePage) {
	if s.Config.SSO == nil {
		s.Fail(w, r, api, http.StatusConflict, inv.Org.Name+" turned local passwords off, and this ward has no single sign-on set up (ward serve --oidc-issuer): ask an administrator")
		return
	}
	if msg := p.Errors["name"]; msg != "" {
		if api {
			s.Fail(w, r, api, http.StatusUnprocessableEntity, "name: "+msg)
			return
		}
		p.Problem = "Some answers need another look: see the fields marked below."
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "invite.html", p)
		return
	}
	u, _, err := s.Store.AcceptInvitation(r.Context(), auth.TokenHash(p.Token), &store.NewAccount{Name: p.Name, SSOOnly: true}, 0)
	if status, msg := inviteProblem(err); status != 0 {
		s.Fail(w, r, api, status, msg)
		return
	}
	if errors.Is(err, store.ErrConflict) {
		s.Fail(w, r, api, http.StatusConflict, fmt.Sprintf("an account %s was created meanwhile: log in as it, then open the link again", inv.Email))
		return
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	s.Log.InfoContext(r.Context(), "invitation accepted", "org", inv.Org.Slug, "user_id", u.ID, "new_account", true, "sign_in", "sso")
	if api {
		joined(s, w, r, api, inv, true)
		return
	}
	p.Joined, p.Problem = true, ""
	p.Login = "/login/sso?" + url.Values{"next": {"/orgs/" + inv.Org.Slug}}.Encode()
	s.Render(w, r, "invite.html", p)
}

// joined answers an accepted invitation: the organization's home.
func joined(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, inv store.Invitation, created bool) {
	if api {
		kit.WriteJSON(w, http.StatusOK, map[string]any{"organization": inv.Org.Slug, "role": inv.Role, "email": inv.Email, "account_created": created})
		return
	}
	kit.SetFlash(w, fmt.Sprintf("Welcome to %s: you are %s here.", inv.Org.Name, kit.Article(inv.Role)))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(inv.Org.Slug), http.StatusSeeOther)
}
