package privacy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// The edits `ward privacy` and the pages make: logging a request or a
// complaint, extending a request, closing one. Each checks the record
// with exactly the rules `ward apply` applies to files
// (workspace.Validate), so neither can store what the other refuses.

// Problem is one thing wrong with an edited record: the field (as in the
// workspace files, "extension.notified") and what to fix.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) Error() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// Problems is every problem of one edit.
type Problems []Problem

func (ps Problems) Error() string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Error())
	}
	return strings.Join(s, "; ")
}

// Fields is the problems by field, for a form.
func (ps Problems) Fields() map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		if _, dup := out[p.Field]; !dup {
			out[p.Field] = p.Message
		}
	}
	return out
}

// checkRecord validates ws with one record put in place (replacing the
// record of the same key, or added at the end) and returns the errors
// about that record only.
func checkRecord[T any](ws *workspace.Workspace, list *[]T, rec T, same func(T) bool, section string, opt workspace.Options) Problems {
	orig := *list
	defer func() { *list = orig }()
	next := slices.Clone(orig)
	i := slices.IndexFunc(next, same)
	if i < 0 {
		i = len(next)
		next = append(next, rec)
	} else {
		next[i] = rec
	}
	*list = next
	var out Problems
	prefix := fmt.Sprintf("%s[%d]", section, i)
	for _, e := range workspace.Validate(ws, opt) {
		rest, ok := strings.CutPrefix(e.Field, prefix)
		if !ok || (rest != "" && rest[0] != '.' && rest[0] != '[') {
			continue
		}
		out = append(out, Problem{Field: strings.TrimPrefix(rest, "."), Message: e.Msg})
	}
	return out
}

// CheckRequest checks a request as it would be stored in ws.
func CheckRequest(ws *workspace.Workspace, r workspace.PrivacyRequest) Problems {
	return checkRecord(ws, &ws.PrivacyRequests, r, func(x workspace.PrivacyRequest) bool { return x.ID == r.ID }, "privacy_requests", workspace.Options{})
}

// CheckComplaint checks a complaint as it would be stored in ws.
func CheckComplaint(ws *workspace.Workspace, c workspace.Complaint) Problems {
	return checkRecord(ws, &ws.Complaints, c, func(x workspace.Complaint) bool { return x.ID == c.ID }, "complaints", workspace.Options{})
}

// CheckNotice checks a notice version as it would be stored in ws.
func CheckNotice(ws *workspace.Workspace, n workspace.PrivacyNotice) Problems {
	return checkRecord(ws, &ws.PrivacyNotices, n, func(x workspace.PrivacyNotice) bool { return x.Version == n.Version }, "privacy_notices", workspace.Options{})
}

// idPrefix is the prefix of the ids NewRequestID proposes.
var idPrefix = map[string]string{
	workspace.RequestAccess:     "par",
	workspace.RequestAmendment:  "amd",
	workspace.RequestAccounting: "acc",
}

// NewRequestID proposes the next free id for a request of kind received
// on received: par-2027-001, amd-2027-002, acc-2027-001 (the year's
// count, per kind). retired lists ids retired records hold, which are
// never reused.
func NewRequestID(ws *workspace.Workspace, kind string, received date.Date, retired []string) string {
	var taken []string
	for _, r := range ws.PrivacyRequests {
		taken = append(taken, r.ID)
	}
	return nextID(cmpOr(idPrefix[kind], "req"), received, append(taken, retired...))
}

// NewComplaintID proposes the next free complaint id: cmp-2027-001.
func NewComplaintID(ws *workspace.Workspace, received date.Date, retired []string) string {
	var taken []string
	for _, c := range ws.Complaints {
		taken = append(taken, c.ID)
	}
	return nextID("cmp", received, append(taken, retired...))
}

func nextID(prefix string, d date.Date, taken []string) string {
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s-%d-%03d", prefix, d.Year(), n)
		if !slices.Contains(taken, id) {
			return id
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Errors of the edits that the record's validation cannot see.
var (
	ErrExtended = errors.New("already extended")
	ErrClosed   = errors.New("already closed")
)

// Extend gives r its one extension: the written statement given on
// notified, its reason, and the new date (zero: the longest the rule
// allows, 30 days past the original deadline). A second extension, or an
// extension of a request already acted on, is refused; whether notified
// is within the time limit is the record's own rule (CheckRequest).
func Extend(r workspace.PrivacyRequest, notified date.Date, reason string, until date.Date) (workspace.PrivacyRequest, error) {
	rule := r.Rule()
	if x := r.Extension; x != nil {
		return r, fmt.Errorf("%s was extended on %s to %s: a request may have only one extension (%s): %w", r.ID, x.Notified, x.Until, rule.Extension, ErrExtended)
	}
	if r.Closed() {
		return r, fmt.Errorf("%s was acted on on %s (%s): there is nothing left to extend: %w", r.ID, r.Completed, r.Outcome, ErrClosed)
	}
	if until.IsZero() && !r.Due().IsZero() {
		until = r.Due().AddDays(workspace.ExtensionDays)
	}
	r.Extension = &workspace.Extension{Notified: notified, Reason: strings.TrimSpace(reason), Until: until}
	return r, nil
}

// Close records that r was acted on, on completed, with outcome and, for
// a denial, its ground.
func Close(r workspace.PrivacyRequest, completed date.Date, outcome string, denial *workspace.Denial) (workspace.PrivacyRequest, error) {
	if r.Closed() {
		return r, fmt.Errorf("%s was already closed on %s (%s): %w", r.ID, r.Completed, r.Outcome, ErrClosed)
	}
	r.Completed, r.Outcome, r.Denial = completed, outcome, denial
	return r, nil
}
