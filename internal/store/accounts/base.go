// Package accounts keeps ward's accounts and how they sign in: users,
// sessions, API tokens, the second step (authenticator app, recovery
// codes, passkeys), single sign-on, failed-login counting, the one
// statement that reads a request's caller, and the accounts' own audit
// trail, which every change here appends to in the same transaction.
//
// Package store embeds *Accounts in *store.Store, so every method here
// is a method of the store, and re-exports the types and values under its
// own names: callers outside internal/store import store, never accounts.
// Accounts are global, not an organization's; where a sign-in touches
// organizations (single sign-on sets roles on an organization's trail,
// reads its sso section) it asks through Orgs, which package store
// answers. This package must not import store; what both need is in
// package core.
package accounts

import (
	"context"
	"database/sql"
	"time"

	"ward/internal/store/core"
	"ward/internal/workspace"
)

// The types and errors accounts shares with the rest of the store.
type (
	Org        = core.Org
	User       = core.User
	Membership = core.Membership
	Session    = core.Session
)

var (
	ErrNotFound = core.ErrNotFound
	ErrConflict = core.ErrConflict
	ErrNoChange = core.ErrNoChange
)

// Orgs is what signing in asks of the organizations: package store
// answers it.
type Orgs interface {
	// SSOOrgs are the organizations whose workspace has an sso section.
	SSOOrgs(ctx context.Context) ([]SSOOrg, error)
	// OrgSSO is org's sso section (nil when it has none).
	OrgSSO(ctx context.Context, org Org) (*workspace.SSO, error)
	// SetRole grants userID role in org ("" revokes), on org's trail.
	SetRole(ctx context.Context, actor string, userID int64, org Org, role string) error
	// Record appends an event to org's trail.
	Record(ctx context.Context, org Org, actor, action, kind, key string, data any) error
}

// SSOOrg is an organization with an sso section.
type SSOOrg struct {
	Org Org
	SSO *workspace.SSO
}

// Accounts is the accounts of one database.
type Accounts struct {
	db   *sql.DB
	eng  core.Engine
	base *core.DB
	now  func() time.Time
	orgs Orgs
}

// New is the accounts of db; orgs answers what sign-in asks of the
// organizations.
func New(db *core.DB, orgs Orgs) *Accounts {
	return &Accounts{db: db.SQL, eng: db.Eng, base: db, now: db.Now, orgs: orgs}
}

func (a *Accounts) q(query string) string { return a.eng.Rebind(query) }

func (a *Accounts) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	return a.base.InTx(ctx, f)
}

func fmtTime(t time.Time) string                   { return core.FmtTime(t) }
func parseTime(s string) (time.Time, error)        { return core.ParseTime(s) }
func normEmail(email string) string                { return core.NormEmail(email) }
func mustAffect(res sql.Result, what string) error { return core.MustAffect(res, what) }
func affectedOr(res sql.Result, none error) error  { return core.AffectedOr(res, none) }
func scanUser(r core.Scanner) (User, error)        { return core.ScanUser(r) }

const userCols = core.UserCols

type scanner = core.Scanner
