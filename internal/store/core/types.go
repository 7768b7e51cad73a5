package core

import (
	"database/sql"
	"errors"
	"time"

	"ward/internal/audit"
)

var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrBusy: the database is locked by another writer for longer than
	// the wait allows (SQLite's write lock during a large import). The
	// write was not made; it can be retried.
	ErrBusy = errors.New("the database is busy with another write; try again shortly")
	// ErrInvalid is a value the store refuses to hold whatever the
	// caller checked: a key with a NUL byte or another control
	// character, a record over its size limit.
	ErrInvalid = errors.New("refused by the store's bounds")
	// ErrNoChange reports a lifecycle step that is already in effect (an
	// account already disabled, a token already revoked): nothing was
	// written and nothing recorded.
	ErrNoChange = errors.New("already so: nothing changed")
)

// Roles an account can hold in an organization, weakest first. A member
// is a workforce member: it sees only its own tasks (the policies it must
// acknowledge, the trainings it must complete) and nothing else of the
// organization.
const (
	RoleMember  = "member"
	RoleViewer  = "viewer"
	RoleAuditor = "auditor"
	RoleEditor  = "editor"
	RoleAdmin   = "admin"
)

var Roles = []string{RoleMember, RoleViewer, RoleAuditor, RoleEditor, RoleAdmin}

type Org struct {
	ID      int64     `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Created      time.Time `json:"created"`
	Disabled     bool      `json:"disabled"`
}

// UserCols are the columns ScanUser reads, in its order.
const UserCols = "id, email, name, password_hash, created_at, disabled_at"

func ScanUser(r Scanner) (User, error) {
	var u User
	var created string
	var disabled sql.NullString
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &disabled); err != nil {
		return User{}, err
	}
	var err error
	u.Created, err = ParseTime(created)
	u.Disabled = disabled.Valid
	return u, err
}

type Membership struct {
	Org  Org    `json:"org"`
	Role string `json:"role"`
	// Head is the organization's audit head as read with the membership
	// (zero for an organization without an audit chain): what the MSP
	// overview keys its kept answers on, without a statement more.
	Head audit.Head `json:"-"`
}

// Session is a logged-in browser. Only the SHA-256 of the cookie value is
// stored, so a copy of the database does not hand out sessions.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string
	Created   time.Time
	LastSeen  time.Time
	Ended     time.Time
	EndedWhy  string
	// IP and Agent are the client's address and browser when the session
	// began, so a person can tell their sessions apart.
	IP    string
	Agent string
	// MFAEnrol marks a session of an account that an organization
	// requires to log in with a second step and that has none yet: it
	// may only enrol (the web app enforces it). Enrolling clears it.
	MFAEnrol bool
}

// SessionIDLen is how many hex digits of a session's token hash name it
// on the account pages: enough to tell sessions apart, and nothing a
// browser could log in with (the cookie is the hash's preimage).
const SessionIDLen = 16

// ID names the session on the account pages.
func (s Session) ID() string {
	if len(s.TokenHash) < SessionIDLen {
		return s.TokenHash
	}
	return s.TokenHash[:SessionIDLen]
}
