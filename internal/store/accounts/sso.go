package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ward/internal/bounds"
	"ward/internal/workspace"
)

// Single sign-on (OpenID Connect). The web app runs the flow with the
// provider; the store keeps what must outlive one request (the logins
// under way, the identities linked to accounts, the ID token of each
// single sign-on session) and applies each organization's role mapping
// (workspace organization.sso) at every login, on the audit trails.

// SSOActor is the actor of the role changes single sign-on makes.
const SSOActor = "sso"

// Account events of single sign-on, on the accounts' trail.
const (
	EventSSOLogin   = "login.sso"
	EventSSORefused = "login.sso_refused"
	EventSSOLink    = "user.sso_link"
	// EventBreakGlass is a password login of a break-glass account in an
	// organization whose local passwords are off; also on that
	// organization's trail.
	EventBreakGlass = "login.break_glass"
)

// SSOLoginTTL is how long a login begun at the provider may take to come
// back.
const SSOLoginTTL = 10 * time.Minute

// SSOLogin is a login under way: the hash of the state sent to the
// provider, the nonce the ID token must carry, the PKCE verifier, and
// where to go once logged in.
type SSOLogin struct {
	StateHash string
	Nonce     string
	Verifier  string
	Next      string
	Created   time.Time
}

// BeginSSOLogin keeps a login under way, and deletes those begun more
// than SSOLoginTTL before it: a login under way is transient protocol
// state (a state, a nonce, a PKCE verifier), not a user record, and past
// its lifetime it can only be refused. Deleting it is not a hard delete
// of user data: the logins themselves, and their refusals, are on the
// accounts' trail.
func (a *Accounts) BeginSSOLogin(ctx context.Context, l SSOLogin) error {
	return a.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, a.q("DELETE FROM sso_logins WHERE created_at < ?"), fmtTime(l.Created.Add(-SSOLoginTTL))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, a.q("INSERT INTO sso_logins (state_hash, nonce, verifier, next, created_at) VALUES (?, ?, ?, ?, ?)"),
			l.StateHash, l.Nonce, l.Verifier, l.Next, fmtTime(l.Created))
		return err
	})
}

// TakeSSOLogin returns the login under way with this state's hash and
// marks it used, so that it serves once: ErrNotFound for a state that was
// never issued, already used, or older than SSOLoginTTL.
func (a *Accounts) TakeSSOLogin(ctx context.Context, stateHash string) (SSOLogin, error) {
	now := a.now()
	res, err := a.db.ExecContext(ctx, a.q("UPDATE sso_logins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL"), fmtTime(now), stateHash)
	if err != nil {
		return SSOLogin{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return SSOLogin{}, err
	} else if n != 1 {
		return SSOLogin{}, fmt.Errorf("single sign-on login: %w", ErrNotFound)
	}
	l := SSOLogin{StateHash: stateHash}
	var created string
	if err := a.db.QueryRowContext(ctx, a.q("SELECT nonce, verifier, next, created_at FROM sso_logins WHERE state_hash = ?"), stateHash).
		Scan(&l.Nonce, &l.Verifier, &l.Next, &created); err != nil {
		return SSOLogin{}, err
	}
	if l.Created, err = parseTime(created); err != nil {
		return SSOLogin{}, err
	}
	if now.Sub(l.Created) > SSOLoginTTL {
		return SSOLogin{}, fmt.Errorf("single sign-on login expired: %w", ErrNotFound)
	}
	return l, nil
}

// SSOIdentity is who the provider says signed in, from a verified ID
// token: the e-mail is verified (email_verified true).
type SSOIdentity struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
	Groups  []string
	// AMR are the authentication methods the ID token's amr claim
	// reports (RFC 8176): organization.sso.require_mfa reads them.
	AMR []string
}

// Authentication method values of RFC 8176, by the factor each shows.
var (
	amrKnowledge  = []string{"pwd", "pin", "kba"}
	amrPossession = []string{"hwk", "swk", "otp", "sms", "tel", "sc", "pop"}
	amrInherence  = []string{"fpt", "face", "iris", "retina", "vbm"}
)

// SecondFactor reports whether amr shows more than one factor: "mfa"
// (multiple factors) or "mca" (multiple channels) said outright, or
// methods of two kinds among knowledge (pwd, pin, kba), possession (hwk,
// swk, otp, sms, tel, sc, pop) and inherence (fpt, face, iris, retina,
// vbm). One kind alone is one factor, however many methods: a one-time
// code alone (otp), a security key without its PIN (hwk). Other values
// (user, geo, rba, wia) count for nothing.
func SecondFactor(amr []string) bool {
	kinds := 0
	for _, kind := range [][]string{amrKnowledge, amrPossession, amrInherence} {
		for _, m := range amr {
			if slices.Contains(kind, m) {
				kinds++
				break
			}
		}
	}
	return kinds >= 2 || slices.Contains(amr, "mfa") || slices.Contains(amr, "mca")
}

// SSOMFARefusal is a login that would give or keep a role in
// organizations requiring MFA (organization.sso.require_mfa), whose ID
// token shows no second factor: nothing was changed.
type SSOMFARefusal struct {
	Email string
	AMR   []string
	Orgs  []Org
}

func (e *SSOMFARefusal) Error() string {
	var names []string
	for _, o := range e.Orgs {
		names = append(names, o.Name)
	}
	return fmt.Sprintf("single sign-on: %s requires a second factor and the provider reported %s", strings.Join(names, ", "), amrText(e.AMR))
}

// amrText says what amr reported, for pages and the trail.
func amrText(amr []string) string {
	if len(amr) == 0 {
		return "no authentication methods (no amr claim)"
	}
	return "only " + strings.Join(amr, ", ")
}

// SSOGrant is an organization with single sign-on configured and the
// account's role there after the login.
type SSOGrant struct {
	Org    Org    `json:"org"`
	Before string `json:"before"`
	Role   string `json:"role"`
	// Matches are the groups and domain that gave the role.
	Matches []workspace.SSOMatch `json:"matches,omitempty"`
	// BreakGlass: the account is on the organization's break-glass list,
	// and single sign-on left its role alone.
	BreakGlass bool `json:"break_glass,omitempty"`
	// Invited: the account holds a role here that an invitation gave; it
	// is the organization's admins' to change, and single sign-on left
	// it alone (an invitation into an organization whose local passwords
	// are off makes an account that signs in this way).
	Invited bool `json:"invited,omitempty"`
}

// SSOResult is an accepted single sign-on login.
type SSOResult struct {
	User    User
	Created bool // the account was made by this login
	Linked  bool // an existing account was linked to the identity
	Grants  []SSOGrant
}

// SSORefusal is a login whose groups and e-mail map to no role in any
// organization: nothing was created.
type SSORefusal struct {
	Email  string
	Groups []string
}

func (e *SSORefusal) Error() string {
	return fmt.Sprintf("single sign-on: %s (groups %s) maps to no role in any organization", e.Email, strings.Join(e.Groups, ", "))
}

// ErrSSODisabled refuses a single sign-on login to a disabled account.
var ErrSSODisabled = errors.New("the account is disabled")

// SignInSSO accepts a verified identity: it finds the account linked to
// it, else the account with its e-mail (and links it), else creates one
// with no password; then, in every organization with an sso section, it
// sets the role the mapping gives (removing it when none does), except
// for break-glass accounts. A login mapping to no role anywhere creates
// nothing, is recorded as login.sso_refused and returns *SSORefusal.
// Every change is audited: the account and the link on the accounts'
// trail, each role change on its organization's trail (role.set by sso).
func (a *Accounts) SignInSSO(ctx context.Context, id SSOIdentity) (SSOResult, error) {
	email := normEmail(id.Email)
	if err := bounds.Email(email); err != nil {
		return SSOResult{}, fmt.Errorf("single sign-on e-mail: %w", err)
	}
	name := strings.TrimSpace(id.Name)
	if bounds.Line(name, bounds.MaxName) != nil {
		name = ""
	}
	orgs, err := a.orgs.SSOOrgs(ctx)
	if err != nil {
		return SSOResult{}, err
	}
	invited, err := a.invitedRoles(ctx, email)
	if err != nil {
		return SSOResult{}, err
	}
	var grants []SSOGrant
	mapped := false
	for _, o := range orgs {
		role, matches := o.SSO.RoleFor(id.Groups, email)
		_, inv := invited[o.Org.ID]
		grants = append(grants, SSOGrant{Org: o.Org, Role: role, Matches: matches, BreakGlass: o.SSO.IsBreakGlass(email), Invited: inv})
		mapped = mapped || role != "" || inv
	}
	if !SecondFactor(id.AMR) {
		if err := a.requireMFA(ctx, id, email, orgs, grants, invited); err != nil {
			return SSOResult{}, err
		}
	}
	if !mapped {
		key := ""
		if _, err := a.UserByEmail(ctx, email); err == nil {
			key = email
		}
		data := map[string]any{"email": email, "issuer": id.Issuer, "groups": id.Groups, "reason": "no role mapped in any organization"}
		if err := a.RecordAccount(ctx, SSOActor, EventSSORefused, key, data); err != nil {
			return SSOResult{}, err
		}
		return SSOResult{}, &SSORefusal{Email: email, Groups: id.Groups}
	}

	var res SSOResult
	err = a.accountWrite(ctx, SSOActor, func(w *Writer) error {
		var userID int64
		err := w.tx.QueryRowContext(ctx, a.q("SELECT user_id FROM sso_identities WHERE issuer = ? AND subject = ?"), id.Issuer, id.Subject).Scan(&userID)
		switch {
		case err == nil:
			res.User, err = w.user(userID)
			if err != nil {
				return err
			}
			if res.User.Disabled {
				return ErrSSODisabled
			}
			return w.Exec("UPDATE sso_identities SET last_login = ?, email = ? WHERE issuer = ? AND subject = ?", w.now, email, id.Issuer, id.Subject)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res.User, err = scanUser(w.tx.QueryRowContext(ctx, a.q("SELECT "+userCols+" FROM users WHERE email = ?"), email))
		switch {
		case err == nil:
			res.Linked = true
		case errors.Is(err, sql.ErrNoRows):
			res.User = User{Email: email, Name: name}
			if err := w.tx.QueryRowContext(ctx, a.q("INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, '', ?) RETURNING id"),
				email, name, w.now).Scan(&res.User.ID); err != nil {
				if a.eng.IsConflict(err) {
					return fmt.Errorf("user %s: %w", email, ErrConflict)
				}
				return err
			}
			res.User.Created, _ = parseTime(w.now)
			res.Created = true
			if err := w.Audit("user.create", email, map[string]string{"name": name, "via": "single sign-on", "issuer": id.Issuer}); err != nil {
				return err
			}
		default:
			return err
		}
		if res.User.Disabled {
			return ErrSSODisabled
		}
		if err := w.Exec("INSERT INTO sso_identities (issuer, subject, user_id, email, created_at, last_login) VALUES (?, ?, ?, ?, ?, ?)",
			id.Issuer, id.Subject, res.User.ID, email, w.now, w.now); err != nil {
			return err
		}
		return w.Audit(EventSSOLink, email, map[string]string{"issuer": id.Issuer, "subject": id.Subject})
	})
	if errors.Is(err, ErrSSODisabled) {
		if rerr := a.RecordAccount(ctx, SSOActor, EventLoginFailed, email, map[string]string{"reason": "account disabled", "via": "single sign-on"}); rerr != nil {
			return SSOResult{}, rerr
		}
	}
	if err != nil {
		return SSOResult{}, err
	}
	for i := range grants {
		g := &grants[i]
		if g.Before, err = a.RoleIn(ctx, res.User.ID, g.Org.ID); err != nil {
			return SSOResult{}, err
		}
		if g.BreakGlass || g.Invited {
			g.Role = g.Before
			continue
		}
		if g.Before != g.Role {
			if err := a.orgs.SetRole(ctx, SSOActor, res.User.ID, g.Org, g.Role); err != nil {
				return SSOResult{}, err
			}
		}
	}
	res.Grants = grants
	return res, nil
}

// requireMFA refuses a login without a second factor that would give a
// role in an organization with sso.require_mfa, or leave one held there
// (break-glass, invited): *SSOMFARefusal, recorded as login.sso_refused
// on the accounts' trail and on each such organization's.
func (a *Accounts) requireMFA(ctx context.Context, id SSOIdentity, email string, orgs []SSOOrg, grants []SSOGrant, invited map[int64]string) error {
	held := map[int64]bool{}
	if u, err := a.UserByEmail(ctx, email); err == nil {
		ms, err := a.Memberships(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			held[m.Org.ID] = true
		}
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	ref := &SSOMFARefusal{Email: email, AMR: id.AMR}
	for i, o := range orgs {
		g := grants[i]
		keeps := (g.BreakGlass || invited[o.Org.ID] != "") && held[o.Org.ID]
		if o.SSO.RequireMFA && (g.Role != "" || keeps) {
			ref.Orgs = append(ref.Orgs, o.Org)
		}
	}
	if len(ref.Orgs) == 0 {
		return nil
	}
	reason := "no second factor reported: the provider reported " + amrText(id.AMR)
	key := ""
	if len(held) > 0 {
		key = email
	} else if _, err := a.UserByEmail(ctx, email); err == nil {
		key = email
	}
	amr := id.AMR
	if amr == nil {
		amr = []string{}
	}
	var slugs []string
	for _, o := range ref.Orgs {
		slugs = append(slugs, o.Slug)
	}
	data := map[string]any{"email": email, "issuer": id.Issuer, "amr": amr, "reason": reason, "require_mfa": slugs}
	if err := a.RecordAccount(ctx, SSOActor, EventSSORefused, key, data); err != nil {
		return err
	}
	for _, o := range ref.Orgs {
		if err := a.orgs.Record(ctx, o, SSOActor, EventSSORefused, "membership", email, map[string]any{"issuer": id.Issuer, "amr": amr, "reason": reason}); err != nil {
			return err
		}
	}
	return ref
}

// invitedRoles are the organizations (by id) where the account with this
// e-mail holds a role that an accepted invitation gave it: single sign-on
// leaves those roles alone. A role removed since (by an admin) is not
// held, and the mapping applies again.
func (a *Accounts) invitedRoles(ctx context.Context, email string) (map[int64]string, error) {
	rs, err := a.db.QueryContext(ctx, a.q(`SELECT DISTINCT m.org_id, m.role FROM invitations i
		JOIN users u ON u.id = i.accepted_by
		JOIN memberships m ON m.user_id = u.id AND m.org_id = i.org_id
		WHERE u.email = ? AND i.accepted_at IS NOT NULL AND m.revoked_at IS NULL`), email)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[int64]string{}
	for rs.Next() {
		var id int64
		var role string
		if err := rs.Scan(&id, &role); err != nil {
			return nil, err
		}
		out[id] = role
	}
	return out, rs.Err()
}

// SetSSOSession keeps the ID token of a session begun by single sign-on
// (tokenHash is the session's), for the provider's log out.
func (a *Accounts) SetSSOSession(ctx context.Context, tokenHash, idToken string) error {
	_, err := a.db.ExecContext(ctx, a.q("INSERT INTO sso_sessions (token_hash, id_token, created_at) VALUES (?, ?, ?)"), tokenHash, idToken, fmtTime(a.now()))
	return err
}

// SSOSession is the ID token of a single sign-on session; ErrNotFound for
// a session begun with a password.
func (a *Accounts) SSOSession(ctx context.Context, tokenHash string) (string, error) {
	var tok string
	err := a.db.QueryRowContext(ctx, a.q("SELECT id_token FROM sso_sessions WHERE token_hash = ?"), tokenHash).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("single sign-on session: %w", ErrNotFound)
	}
	return tok, err
}

// LocalPasswordCheck says whether userID may log in with a password:
// refused names the organizations whose local passwords are off and where
// the account is not on the break-glass list; breakGlass those where it
// is (the login is allowed, and must be audited as EventBreakGlass).
func (a *Accounts) LocalPasswordCheck(ctx context.Context, userID int64, email string) (refused, breakGlass []Org, err error) {
	ms, err := a.Memberships(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range ms {
		conf, err := a.orgs.OrgSSO(ctx, m.Org)
		if err != nil {
			return nil, nil, err
		}
		if !conf.LocalPasswordsOff() {
			continue
		}
		if conf.IsBreakGlass(email) {
			breakGlass = append(breakGlass, m.Org)
		} else {
			refused = append(refused, m.Org)
		}
	}
	return refused, breakGlass, nil
}
