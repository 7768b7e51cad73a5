// Package store persists ward's organizations, their workspace records,
// evidence blobs, accounts and the audit trail, on SQLite or PostgreSQL.
//
// One implementation of the SQL sits here, written against database/sql;
// the engines (sqlite/, postgres/) supply the driver, the dialect and the
// migrations behind the Engine interface, and storetest/ is the contract
// suite both must pass. Accounts and sign-in are a part of their own,
// accounts/, whose methods are the store's (Store embeds it) and whose
// types this package re-exports; so are imported scans, scans/, whose
// methods are an organization's (OrgStore embeds it), and backups,
// backup/, which Dump and Restore run. core/ is what the parts share.
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
	"ward/internal/audit"
	"ward/internal/store/core"
)

// The error values of every part of the store (the same values as
// package core's, so that errors.Is matches whichever part returned one).
var (
	ErrNotFound = core.ErrNotFound
	ErrConflict = core.ErrConflict
	// ErrBusy: the database is locked by another writer for longer than
	// the wait allows (SQLite's write lock during a large import). The
	// write was not made; it can be retried.
	ErrBusy = core.ErrBusy
	// ErrInvalid is a value the store refuses to hold whatever the
	// caller checked: a key with a NUL byte or another control
	// character, a record over its size limit.
	ErrInvalid = core.ErrInvalid
	// ErrNoChange reports a lifecycle step that is already in effect (an
	// account already disabled, a token already revoked): nothing was
	// written and nothing recorded.
	ErrNoChange = core.ErrNoChange
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
	RoleMember  = core.RoleMember
	RoleViewer  = core.RoleViewer
	RoleAuditor = core.RoleAuditor
	RoleEditor  = core.RoleEditor
	RoleAdmin   = core.RoleAdmin
)

var Roles = core.Roles

// Org, User, Membership and Session are shared by every part of the store
// (package core).
type (
	Org        = core.Org
	User       = core.User
	Membership = core.Membership
	Session    = core.Session
)

// SessionIDLen is how many hex digits of a session's token hash name it
// on the account pages (Session.ID).
const SessionIDLen = core.SessionIDLen

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
