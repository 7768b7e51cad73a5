package check

import (
	"fmt"

	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/privacy"
	"ward/internal/workspace"
)

// An OpenRule says why one record of its kind is still open, or "" when
// it is done with. ward apply never retires an open record the files
// leave out (issue 20): an incident under way, a breach notice still
// owed, a privacy request not yet answered are obligations, and dropping a
// line from a file must not end them.
type OpenRule func(ws *workspace.Workspace, key string, asOf date.Date) string

// openRules holds the rule of each record kind (the store's kind names)
// that has one. A kind without a rule is never open.
var openRules = map[string]OpenRule{
	"incident":        openIncident,
	"privacy_request": openPrivacyRequest,
	"complaint":       openComplaint,
}

// StillOpen says why the record kind/key of ws is still open as of asOf,
// or "" when it is not (or ws does not hold it).
func StillOpen(ws *workspace.Workspace, kind, key string, asOf date.Date) string {
	if rule := openRules[kind]; rule != nil {
		return rule(ws, key, asOf)
	}
	return ""
}

// openIncident: an incident not closed, or a closed breach with a notice
// owed and not recorded as given (the deadline is running, or past).
func openIncident(ws *workspace.Workspace, key string, asOf date.Date) string {
	inc := ws.Incident(key)
	if inc == nil {
		return ""
	}
	if inc.Status != "closed" {
		status := inc.Status
		if status == "" {
			status = "open"
		}
		return fmt.Sprintf("the incident is %s: close it (status: closed) first", status)
	}
	r := incident.Deadlines(ws, *inc, asOf)
	for _, n := range r.Notifications {
		if !n.Sent.IsZero() {
			continue
		}
		state := "running"
		if n.DaysLeft < 0 {
			state = "overdue"
		}
		noted := "notified:" + n.To
		if q := n.State + n.Customer; q != "" {
			noted += ":" + q
		}
		return fmt.Sprintf("a breach notice to %s is due %s (%s) and not recorded as given (timeline %q)",
			incident.Recipient(n), n.Due, state, noted)
	}
	return ""
}

// openPrivacyRequest: a Privacy Rule request (access, amendment,
// accounting) not yet acted on; its time limit is running or past.
func openPrivacyRequest(ws *workspace.Workspace, key string, asOf date.Date) string {
	for _, r := range ws.PrivacyRequests {
		if r.ID != key || r.Closed() {
			continue
		}
		c := privacy.RequestClock(r, asOf)
		state := "running"
		if c.DaysLeft < 0 {
			state = "overdue"
		}
		return fmt.Sprintf("the %s request is not acted on; it is due %s (%s, %s): record completed and outcome first", r.Kind, c.Deadline, state, c.Citation)
	}
	return ""
}

// openComplaint: a complaint without a resolution; 164.530(d)(2) has the
// covered entity document each complaint and its disposition.
func openComplaint(ws *workspace.Workspace, key string, _ date.Date) string {
	for _, c := range ws.Complaints {
		if c.ID == key && c.Resolved.IsZero() {
			return "the complaint is not resolved: record resolved, outcome and disposition first (164.530(d)(2))"
		}
	}
	return ""
}
