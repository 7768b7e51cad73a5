package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ward/internal/bounds"
	"ward/internal/store/accounts"
	"ward/internal/store/core"
)

// Invitations (migration 054): an organization's admin invites someone by
// e-mail with a role; the person opens the link and either sets a
// password (a new account) or, when an account with that address exists,
// logs in as it and joins. Either way the link works once, until it
// expires, unless an admin revoked it. Each step is on the
// organization's audit trail (invite.create, invite.revoke,
// invite.accept, and the role.set the acceptance makes); an account the
// acceptance creates is on the accounts' trail (user.create), in the
// same transaction.

// Invitation statuses (Invitation.Status).
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteExpired  = "expired"
	InviteRevoked  = "revoked"
)

// Why a link cannot be used (AcceptInvitation, CheckInvitation).
var (
	ErrInviteUsed    = errors.New("this invitation was used already: each link works once")
	ErrInviteExpired = errors.New("this invitation has expired")
	ErrInviteRevoked = errors.New("this invitation was withdrawn by an administrator")
)

// Invitation is one invitation to an organization.
type Invitation struct {
	ID        int64     `json:"id"`
	Org       Org       `json:"-"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedBy string    `json:"invited_by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Accepted  time.Time `json:"accepted,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Status is what became of the invitation at now.
func (i Invitation) Status(now time.Time) string {
	switch {
	case !i.Accepted.IsZero():
		return InviteAccepted
	case !i.Revoked.IsZero():
		return InviteRevoked
	case !now.Before(i.Expires):
		return InviteExpired
	}
	return InvitePending
}

// usable is nil when the link may still be used at now.
func (i Invitation) usable(now time.Time) error {
	switch i.Status(now) {
	case InviteAccepted:
		return ErrInviteUsed
	case InviteRevoked:
		return ErrInviteRevoked
	case InviteExpired:
		return ErrInviteExpired
	}
	return nil
}

const inviteCols = "i.id, i.email, i.role, i.created_by, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, i.revoked_by, o.id, o.slug, o.name, o.created_at"

func scanInvitation(r scanner) (Invitation, error) {
	var i Invitation
	var created, expires, orgCreated string
	var accepted, revoked sql.NullString
	if err := r.Scan(&i.ID, &i.Email, &i.Role, &i.CreatedBy, &created, &expires, &accepted, &revoked, &i.RevokedBy, &i.Org.ID, &i.Org.Slug, &i.Org.Name, &orgCreated); err != nil {
		return Invitation{}, err
	}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&i.Created, sql.NullString{String: created, Valid: true}}, {&i.Expires, sql.NullString{String: expires, Valid: true}},
		{&i.Accepted, accepted}, {&i.Revoked, revoked}, {&i.Org.Created, sql.NullString{String: orgCreated, Valid: true}}} {
		if t.src.Valid {
			if *t.dst, err = parseTime(t.src.String); err != nil {
				return Invitation{}, err
			}
		}
	}
	return i, nil
}

// CreateInvitation records an invitation of email as role, whose link's
// token has the SHA-256 tokenHash, valid until expires. Audited as
// invite.create (the token is never on the trail).
func (o *OrgStore) CreateInvitation(ctx context.Context, actor, email, role, tokenHash string, expires time.Time) (Invitation, error) {
	email = normEmail(email)
	if err := bounds.Email(email); err != nil {
		return Invitation{}, fmt.Errorf("invitation e-mail: %w", err)
	}
	if !slices.Contains(Roles, role) {
		return Invitation{}, fmt.Errorf("role %q is not one of %s", role, strings.Join(Roles, ", "))
	}
	if tokenHash == "" || expires.IsZero() {
		return Invitation{}, errors.New("an invitation needs its token's hash and an expiry")
	}
	inv := Invitation{Org: o.org, Email: email, Role: role, CreatedBy: actor}
	err := o.write(ctx, actor, false, func(w *writer) error {
		err := w.tx.QueryRowContext(ctx, o.s.q(`INSERT INTO invitations (token_hash, org_id, email, role, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), tokenHash, o.org.ID, email, role, actor, w.now, fmtTime(expires)).Scan(&inv.ID)
		if o.s.eng.IsConflict(err) {
			return fmt.Errorf("invitation: %w", ErrConflict)
		}
		if err != nil {
			return err
		}
		if inv.Created, err = parseTime(w.now); err != nil {
			return err
		}
		inv.Expires, _ = parseTime(fmtTime(expires))
		return w.audit("invite.create", "invitation", email, map[string]any{"id": inv.ID, "role": role, "expires": fmtTime(expires)})
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// Invitations lists the organization's invitations, newest first: those
// still pending at now, or all when all is set.
func (o *OrgStore) Invitations(ctx context.Context, now time.Time, all bool) ([]Invitation, error) {
	rs, err := o.s.db.QueryContext(ctx, o.s.q("SELECT "+inviteCols+" FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.org_id = ? ORDER BY i.id DESC"), o.org.ID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := []Invitation{}
	for rs.Next() {
		i, err := scanInvitation(rs)
		if err != nil {
			return nil, err
		}
		if all || i.Status(now) == InvitePending {
			out = append(out, i)
		}
	}
	return out, rs.Err()
}

// RevokeInvitation withdraws a pending invitation: its link stops
// working. ErrNotFound for no such invitation here; ErrNoChange when it
// was used, revoked or has expired already. Audited as invite.revoke.
func (o *OrgStore) RevokeInvitation(ctx context.Context, actor string, id int64) (Invitation, error) {
	var inv Invitation
	err := o.write(ctx, actor, false, func(w *writer) error {
		var err error
		inv, err = scanInvitation(w.tx.QueryRowContext(ctx, o.s.q("SELECT "+inviteCols+" FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.id = ? AND i.org_id = ?"), id, o.org.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("invitation %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if st := inv.Status(o.s.now()); st != InvitePending {
			return fmt.Errorf("the invitation of %s is %s: %w", inv.Email, st, ErrNoChange)
		}
		res, err := w.tx.ExecContext(ctx, o.s.q("UPDATE invitations SET revoked_at = ?, revoked_by = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL"), w.now, actor, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("the invitation of %s was used meanwhile: %w", inv.Email, ErrNoChange)
		}
		inv.Revoked, _ = parseTime(w.now)
		inv.RevokedBy = actor
		return w.audit("invite.revoke", "invitation", inv.Email, map[string]any{"id": id, "role": inv.Role})
	})
	return inv, err
}

// InvitationByHash finds the invitation whose link's token has this
// SHA-256, whatever its status (ErrNotFound when there is none).
func (s *Store) InvitationByHash(ctx context.Context, tokenHash string) (Invitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, s.q("SELECT "+inviteCols+" FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.token_hash = ?"), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, fmt.Errorf("invitation: %w", ErrNotFound)
	}
	return inv, err
}

// CheckInvitation is the invitation of the link, or why it cannot be
// used: ErrNotFound, ErrInviteUsed, ErrInviteExpired, ErrInviteRevoked
// (with the invitation, for the page to say which organization).
func (s *Store) CheckInvitation(ctx context.Context, tokenHash string) (Invitation, error) {
	inv, err := s.InvitationByHash(ctx, tokenHash)
	if err != nil {
		return inv, err
	}
	return inv, inv.usable(s.now())
}

// NewAccount is the account an invitation creates: the person's name and
// the hash of the password they chose; or, with SSOOnly, no password: the
// account signs in through single sign-on (an organization whose local
// passwords are off), matched by its e-mail at its first login.
type NewAccount struct {
	Name         string
	PasswordHash string
	SSOOnly      bool
}

// AcceptInvitation uses the link: in one transaction it marks the
// invitation accepted (once: a second use, even a concurrent one, gets
// ErrInviteUsed), creates the account when acct is set (ErrConflict when
// the address has one already: that person logs in and accepts as it),
// else takes the existing account userID (which must have the invited
// address), and gives it the role in the organization. The actor on the
// trails is the invited person.
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash string, acct *NewAccount, userID int64) (User, Invitation, error) {
	inv, err := s.CheckInvitation(ctx, tokenHash)
	if err != nil {
		return User{}, inv, err
	}
	if acct != nil {
		if err := bounds.Line(acct.Name, bounds.MaxName); err != nil {
			return User{}, inv, fmt.Errorf("name %w", err)
		}
		if acct.SSOOnly != (acct.PasswordHash == "") {
			return User{}, inv, errors.New("an invited account has a password, or signs in through single sign-on: not both, not neither")
		}
	}
	var u User
	actor := inv.Email
	err = s.Org(inv.Org).write(ctx, actor, false, func(w *writer) error {
		// The link is taken first: whoever loses a race stops here.
		res, err := w.tx.ExecContext(ctx, s.q("UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL"), w.now, inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			again, err := scanInvitation(w.tx.QueryRowContext(ctx, s.q("SELECT "+inviteCols+" FROM invitations i JOIN orgs o ON o.id = i.org_id WHERE i.id = ?"), inv.ID))
			if err != nil {
				return err
			}
			if err := again.usable(s.now()); err != nil {
				return err
			}
			return ErrInviteUsed
		}
		if acct != nil {
			aw, err := accounts.WriterOn(s.Accounts, ctx, w.tx, actor)
			if err != nil {
				return err
			}
			u = User{Email: inv.Email, Name: acct.Name, PasswordHash: acct.PasswordHash}
			err = w.tx.QueryRowContext(ctx, s.q("INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
				inv.Email, acct.Name, acct.PasswordHash, w.now).Scan(&u.ID)
			if s.eng.IsConflict(err) {
				return fmt.Errorf("account %s: %w", inv.Email, ErrConflict)
			}
			if err != nil {
				return err
			}
			u.Created, _ = parseTime(w.now)
			data := map[string]any{"name": acct.Name, "invitation": inv.ID, "org": inv.Org.Slug, "invited_by": inv.CreatedBy}
			if acct.SSOOnly {
				data["sign_in"] = "single sign-on"
			}
			if err := aw.Audit("user.create", inv.Email, data); err != nil {
				return err
			}
			if err := aw.Save(); err != nil {
				return err
			}
		} else {
			u, err = core.ScanUser(w.tx.QueryRowContext(ctx, s.q("SELECT "+core.UserCols+" FROM users WHERE id = ?"), userID))
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("user %d: %w", userID, ErrNotFound)
			}
			if err != nil {
				return err
			}
			if u.Email != inv.Email {
				return fmt.Errorf("this invitation is for %s, not %s", inv.Email, u.Email)
			}
			if u.Disabled {
				return fmt.Errorf("account %s is disabled", u.Email)
			}
		}
		if err := w.exec("UPDATE invitations SET accepted_by = ? WHERE id = ?", u.ID, inv.ID); err != nil {
			return err
		}
		before := ""
		if err := w.tx.QueryRowContext(ctx, s.q("SELECT role FROM memberships WHERE user_id = ? AND org_id = ? AND revoked_at IS NULL"), u.ID, inv.Org.ID).Scan(&before); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// An invitation as viewer does not demote an editor who had
		// become one meanwhile: the stronger role stays.
		if roleRank(before) < roleRank(inv.Role) {
			if err := w.setRole(u.ID, u.Email, inv.Role); err != nil {
				return err
			}
		}
		data := map[string]any{"id": inv.ID, "role": inv.Role, "new_account": acct != nil}
		if acct != nil && acct.SSOOnly {
			data["sign_in"] = "single sign-on"
		}
		return w.audit("invite.accept", "invitation", inv.Email, data)
	})
	if err != nil {
		return User{}, inv, err
	}
	inv.Accepted = s.now()
	return u, inv, nil
}

// roleRank orders the roles, member lowest; 0 for none.
func roleRank(role string) int {
	switch role {
	case RoleMember:
		return 1
	case RoleViewer:
		return 2
	case RoleAuditor:
		return 3
	case RoleEditor:
		return 4
	case RoleAdmin:
		return 5
	}
	return 0
}
