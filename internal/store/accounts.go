package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ward/internal/store/accounts"
	"ward/internal/workspace"
)

// Accounts and sign-in live in package accounts; *Store embeds its
// *accounts.Accounts, so its methods (CreateUser, SessionByHash,
// SignInSSO, ...) are the store's, and its types and values are
// re-exported here under the names callers use. What stays here is what
// writes an organization's trail: a role (SetRole), and what single
// sign-on asks of the organizations (orgSide).

type (
	Member          = accounts.Member
	Token           = accounts.Token
	Caller          = accounts.Caller
	MFAState        = accounts.MFAState
	MFAChallenge    = accounts.MFAChallenge
	Passkey         = accounts.Passkey
	PasskeyCeremony = accounts.PasskeyCeremony
	SSOLogin        = accounts.SSOLogin
	SSOIdentity     = accounts.SSOIdentity
	SSOMFARefusal   = accounts.SSOMFARefusal
	SSOGrant        = accounts.SSOGrant
	SSOResult       = accounts.SSOResult
	SSORefusal      = accounts.SSORefusal
)

// Why a session ended, kept on its row.
const (
	EndLogout   = accounts.EndLogout
	EndIdle     = accounts.EndIdle
	EndExpired  = accounts.EndExpired
	EndRevoked  = accounts.EndRevoked
	EndPassword = accounts.EndPassword
	EndDisabled = accounts.EndDisabled
	EndReplaced = accounts.EndReplaced
)

// The accounts' trail: its kind, and the events the web app records.
const (
	KindAccount = accounts.KindAccount

	EventLogin       = accounts.EventLogin
	EventLogout      = accounts.EventLogout
	EventLoginFailed = accounts.EventLoginFailed

	EventMFAStarted     = accounts.EventMFAStarted
	EventMFAEnrolled    = accounts.EventMFAEnrolled
	EventMFADisabled    = accounts.EventMFADisabled
	EventMFAReset       = accounts.EventMFAReset
	EventMFARecoveryNew = accounts.EventMFARecoveryNew
	EventMFARecoveryUse = accounts.EventMFARecoveryUse
	EventMFAChallenge   = accounts.EventMFAChallenge

	EventPasskeyRegistered = accounts.EventPasskeyRegistered
	EventPasskeyRefused    = accounts.EventPasskeyRefused
	EventPasskeyRetired    = accounts.EventPasskeyRetired
	EventPasskeyReset      = accounts.EventPasskeyReset
	EventPasskeyClone      = accounts.EventPasskeyClone

	EventSSOLogin   = accounts.EventSSOLogin
	EventSSORefused = accounts.EventSSORefused
	EventSSOLink    = accounts.EventSSOLink
	EventBreakGlass = accounts.EventBreakGlass
)

const (
	LegacyTokenLifetime = accounts.LegacyTokenLifetime
	PasskeyCeremonyTTL  = accounts.PasskeyCeremonyTTL
	SSOActor            = accounts.SSOActor
	SSOLoginTTL         = accounts.SSOLoginTTL
)

// ErrSSODisabled refuses a single sign-on login to a disabled account.
var ErrSSODisabled = accounts.ErrSSODisabled

// SecondFactor reports whether an ID token's amr claim shows more than
// one factor (accounts.SecondFactor).
func SecondFactor(amr []string) bool { return accounts.SecondFactor(amr) }

// SetRole grants userID role in org, replacing any role held; role ""
// revokes access (the membership row is kept with revoked_at). Audited in
// org's chain.
func (s *Store) SetRole(ctx context.Context, actor string, userID int64, org Org, role string) error {
	if role != "" && !slices.Contains(Roles, role) {
		return fmt.Errorf("role %q is not one of %s", role, strings.Join(Roles, ", "))
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.Org(org).write(ctx, actor, false, func(w *writer) error {
		return w.setRole(userID, u.Email, role)
	})
}

// setRole is SetRole within w's transaction, for the account userID
// whose e-mail is email.
func (w *writer) setRole(userID int64, email, role string) error {
	ctx, s, org := w.ctx, w.o.s, w.o.org
	var before string
	var revoked sql.NullString
	err := w.tx.QueryRowContext(ctx, s.q("SELECT role, revoked_at FROM memberships WHERE user_id = ? AND org_id = ?"), userID, org.ID).Scan(&before, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if role == "" {
			return nil
		}
		if err := w.exec("INSERT INTO memberships (user_id, org_id, role, updated_at) VALUES (?, ?, ?, ?)", userID, org.ID, role, w.now); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if revoked.Valid {
			before = ""
		}
		if before == role {
			return nil
		}
		if role == "" {
			err = w.exec("UPDATE memberships SET revoked_at = ?, updated_at = ? WHERE user_id = ? AND org_id = ?", w.now, w.now, userID, org.ID)
		} else {
			err = w.exec("UPDATE memberships SET role = ?, revoked_at = NULL, updated_at = ? WHERE user_id = ? AND org_id = ?", role, w.now, userID, org.ID)
		}
		if err != nil {
			return err
		}
	}
	return w.audit("role.set", "membership", email, map[string]string{"before": before, "after": role})
}

// OrgSSO is an organization's sso section (nil when it has none).
func (s *Store) OrgSSO(ctx context.Context, org Org) (*workspace.SSO, error) {
	var rec workspace.Organization
	err := s.Org(org).Get(ctx, KindOrganization, OrganizationKey, &rec)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return rec.SSO, err
}

// orgSide answers what package accounts asks of the organizations
// (accounts.Orgs), without adding methods to Store.
type orgSide struct{ s *Store }

func (o orgSide) SSOOrgs(ctx context.Context) ([]accounts.SSOOrg, error) {
	orgs, err := o.s.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []accounts.SSOOrg
	for _, org := range orgs {
		var rec workspace.Organization
		err := o.s.Org(org).Get(ctx, KindOrganization, OrganizationKey, &rec)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if rec.SSO != nil {
			out = append(out, accounts.SSOOrg{Org: org, SSO: rec.SSO})
		}
	}
	return out, nil
}

func (o orgSide) OrgSSO(ctx context.Context, org Org) (*workspace.SSO, error) {
	return o.s.OrgSSO(ctx, org)
}

func (o orgSide) SetRole(ctx context.Context, actor string, userID int64, org Org, role string) error {
	return o.s.SetRole(ctx, actor, userID, org, role)
}

func (o orgSide) Record(ctx context.Context, org Org, actor, action, kind, key string, data any) error {
	return o.s.Org(org).Record(ctx, actor, action, kind, key, data)
}
