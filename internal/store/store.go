// Package store persists ward's organizations, their workspace records,
// evidence blobs, accounts and the audit trail, on SQLite or PostgreSQL.
//
// One implementation of the SQL sits here, written against database/sql;
// the engines (sqlite/, postgres/) supply the driver, the dialect and the
// migrations behind the Engine interface, and storetest/ is the contract
// suite both must pass.
//
// Organization isolation is structural: workspace records, evidence and
// audit entries are reachable only through an *OrgStore, whose every
// statement is bound to its organization id. There is no method that
// reads records without naming the organization.
//
// Nothing is hard-deleted. Records are retired with a timestamp and kept;
// every change appends to the organization's hash-chained audit trail in
// the same transaction as the change itself.
package store

import (
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
)

// Record kinds, in the order a workspace lists them. The kind names are
// stored in the database and in the audit trail: never rename one.
const (
	KindOrganization = "organization"
	KindPerson       = "person"
	KindSystem       = "system"
	KindFlow         = "flow"
	KindVendor       = "vendor"
	KindAgreement    = "agreement"
	KindCustomer     = "customer"
	KindThreat       = "threat"
	KindVuln         = "vulnerability"
	KindRiskAnalysis = "risk_analysis"
	KindRisk         = "risk"
	KindControl      = "control"
	KindEvidence     = "evidence"
	KindIncident     = "incident"
	// The Privacy Rule records of a covered entity.
	KindPrivacyRequest = "privacy_request"
	KindComplaint      = "complaint"
	KindPrivacyNotice  = "privacy_notice"
	KindPolicy         = "policy"
	KindTraining       = "training"
	// An acknowledgement's key is person|policy|version; a training
	// record's person|training|completed; a reminder's "DATE TITLE".
	KindAcknowledgement = "acknowledgement"
	KindTrainingRecord  = "training_record"
	KindReminder        = "security_reminder"
)

// Kinds lists every workspace record kind in workspace order.
var Kinds = []string{
	KindOrganization, KindPerson, KindSystem, KindFlow, KindVendor, KindAgreement,
	KindCustomer, KindThreat, KindVuln, KindRiskAnalysis, KindRisk, KindControl, KindEvidence, KindIncident,
	KindPrivacyRequest, KindComplaint, KindPrivacyNotice,
	KindPolicy, KindTraining, KindAcknowledgement, KindTrainingRecord, KindReminder,
}

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

// Change is one record created, changed or retired.
type Change struct {
	Kind   string   `json:"kind"`
	Key    string   `json:"key"`
	Action string   `json:"action"`           // create | update | retire | adopt (apply --adopt)
	Fields []string `json:"fields,omitempty"` // for update: the top-level fields that changed
	// Version is the record's version after the change (its ETag).
	Version int64 `json:"version,omitempty"`
}

// AuditEntry is one link of an organization's audit chain; its Data is
// {"before":..., "after":...} for a record change.
type AuditEntry = audit.Entry

type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Created      time.Time `json:"created"`
	Disabled     bool      `json:"disabled"`
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
