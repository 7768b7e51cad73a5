package privacy

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

func d(s string) date.Date { return date.MustParse(s) }

// clinic is a covered entity with a notice in effect, so that only the
// requests' own findings show.
func clinic(rs ...workspace.PrivacyRequest) *workspace.Workspace {
	return &workspace.Workspace{
		Organization:    workspace.Organization{Name: "Harbor Family Medicine", Roles: []string{workspace.RoleCoveredEntity}},
		PrivacyNotices:  []workspace.PrivacyNotice{{Version: "2026-1", Effective: d("2026-01-01"), Posted: []string{"waiting room"}}},
		PrivacyRequests: rs,
	}
}

func access(id, received string) workspace.PrivacyRequest {
	return workspace.PrivacyRequest{ID: id, Kind: workspace.RequestAccess, Received: d(received)}
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity+" "+f.Rule+" "+f.Subject)
	}
	return out
}

// 164.524(b)(2)(i): 30 calendar days, not "a month": received January 31,
// due March 2 (March 1 in a leap year); received November 20, due
// December 20.
func TestCFR164_524b2i_ThirtyDaysAcrossAMonthEnd(t *testing.T) {
	for _, tc := range []struct{ received, due string }{
		{"2027-01-31", "2027-03-02"},
		{"2028-01-31", "2028-03-01"},
		{"2026-11-20", "2026-12-20"},
		{"2026-12-15", "2027-01-14"},
	} {
		c := RequestClock(access("par-1", tc.received), d(tc.received))
		if c.Due != d(tc.due) || c.Deadline != d(tc.due) || c.Days != 30 {
			t.Errorf("received %s: due %s deadline %s (%d days), want %s (30 days)", tc.received, c.Due, c.Deadline, c.Days, tc.due)
		}
		if c.Citation != "45 CFR 164.524(b)(2)(i)" {
			t.Errorf("citation %q", c.Citation)
		}
	}
}

// 164.524(b)(2)(i): the deadline day itself is on time (a warning, due
// today); the day after, the request is overdue: an error naming it.
func TestCFR164_524b2i_OverdueOnTheDayAfterTheDeadline(t *testing.T) {
	ws := clinic(access("par-2027-014", "2027-01-31"))
	cases := []struct {
		asOf string
		want []string
		left int
	}{
		{"2027-02-24", nil, 6},
		{"2027-02-25", []string{"warning privacy.request-due par-2027-014"}, 5},
		{"2027-03-02", []string{"warning privacy.request-due par-2027-014"}, 0},
		{"2027-03-03", []string{"error privacy.request-overdue par-2027-014"}, -1},
	}
	for _, tc := range cases {
		fs := Check(ws, d(tc.asOf))
		if got := rules(fs); !slices.Equal(got, tc.want) {
			t.Errorf("as of %s: %q, want %q", tc.asOf, got, tc.want)
		}
		if c := RequestClock(ws.PrivacyRequests[0], d(tc.asOf)); c.DaysLeft != tc.left {
			t.Errorf("as of %s: %d days left, want %d", tc.asOf, c.DaysLeft, tc.left)
		}
	}
	fs := Check(ws, d("2027-03-03"))
	want := "Right of access request par-2027-014 was due 2027-03-02 (30 days from receipt on 2027-01-31, 45 CFR 164.524(b)(2)(i)) and is overdue by 1 day: act on it now, then record completed and outcome."
	if fs[0].Message != want {
		t.Errorf("message:\n%s\nwant:\n%s", fs[0].Message, want)
	}
	due := Check(ws, d("2027-02-26"))[0].Message
	if !strings.Contains(due, "4 days left") || !strings.Contains(due, "one extension of up to 30 days may be given in writing by 2027-03-02") {
		t.Errorf("due-soon message does not offer the extension: %s", due)
	}
	// Acted on, on the last day: no finding, done on time.
	ws.PrivacyRequests[0].Completed, ws.PrivacyRequests[0].Outcome = d("2027-03-02"), workspace.OutcomeGranted
	if fs := Check(ws, d("2027-04-01")); len(fs) != 0 {
		t.Errorf("acted on by the deadline: %q", rules(fs))
	}
	if c := RequestClock(ws.PrivacyRequests[0], d("2027-04-01")); c.Status != StatusDone || c.Day != 30 {
		t.Errorf("status %s day %d, want done on day 30", c.Status, c.Day)
	}
	// As of a date before it was acted on, it was still open.
	if c := RequestClock(ws.PrivacyRequests[0], d("2027-02-10")); c.Status != StatusOpen || c.Closed() {
		t.Errorf("as of 2027-02-10: %s, want open", c.Status)
	}
}

// 164.524(b)(2)(ii): an extension given in writing on day 29 moves the
// deadline to the date it states (at most 30 more days); the request is
// overdue only the day after that.
func TestCFR164_524b2ii_ExtensionGivenOnDay29(t *testing.T) {
	r := access("par-1", "2027-01-16")
	r.Extension = &workspace.Extension{Notified: d("2027-02-14"), Reason: "records archived off site", Until: d("2027-03-17")}
	ws := clinic(r)
	c := RequestClock(r, d("2027-02-16"))
	if c.Due != d("2027-02-15") || c.Deadline != d("2027-03-17") || c.Status != StatusOpen || !c.ExtendBy.IsZero() {
		t.Errorf("clock %+v", c)
	}
	if fs := Check(ws, d("2027-02-16")); len(fs) != 0 {
		t.Errorf("the day after the original deadline, extended: %q", rules(fs))
	}
	if got := rules(Check(ws, d("2027-03-18"))); !slices.Equal(got, []string{"error privacy.request-overdue par-1"}) {
		t.Errorf("the day after the extended deadline: %q", got)
	}
	msg := Check(ws, d("2027-03-18"))[0].Message
	if !strings.Contains(msg, "was due 2027-03-17 (the date the extension of 2027-02-14 gave, 45 CFR 164.524(b)(2)(ii))") {
		t.Errorf("message: %s", msg)
	}
	// The extension, as of a day before it was given, did not exist yet.
	if c := RequestClock(r, d("2027-02-10")); c.Deadline != d("2027-02-15") || c.ExtendBy != d("2027-02-15") {
		t.Errorf("as of 2027-02-10: deadline %s, extend by %s", c.Deadline, c.ExtendBy)
	}
	// The timeline shows each step, in order.
	var whats []string
	for _, e := range c.Events {
		whats = append(whats, e.Date.String()+" "+e.What)
	}
	want := []string{
		"2027-01-16 request received (day 0)",
		"2027-02-14 extension given in writing (day 29): records archived off site",
		"2027-02-15 30-day time limit (day 30)",
		"2027-03-17 extended deadline (30 days past the time limit)",
	}
	if !slices.Equal(whats, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(whats, "\n"), strings.Join(want, "\n"))
	}
}

// 164.526(b)(2) and 164.528(c)(1): amendments and accountings have 60
// days, with one extension of 30.
func TestCFR164_526b2_And_528c1_SixtyDays(t *testing.T) {
	for _, tc := range []struct {
		kind, cite string
	}{
		{workspace.RequestAmendment, "45 CFR 164.526(b)(2)(i)"},
		{workspace.RequestAccounting, "45 CFR 164.528(c)(1)"},
	} {
		r := workspace.PrivacyRequest{ID: "r1", Kind: tc.kind, Received: d("2027-01-01")}
		c := RequestClock(r, d("2027-01-01"))
		if c.Due != d("2027-03-02") || c.Days != 60 || c.Citation != tc.cite {
			t.Errorf("%s: due %s, %d days, %s", tc.kind, c.Due, c.Days, c.Citation)
		}
		if got := rules(Check(clinic(r), d("2027-03-03"))); !slices.Equal(got, []string{"error privacy.request-overdue r1"}) {
			t.Errorf("%s on day 61: %q", tc.kind, got)
		}
	}
}

// 164.528(a)(1): the accounting's window is the six years before the
// request, shown on its clock.
func TestCFR164_528a1_AccountingWindowOnTheClock(t *testing.T) {
	r := workspace.PrivacyRequest{ID: "acc-1", Kind: workspace.RequestAccounting, Received: d("2027-03-15")}
	c := RequestClock(r, d("2027-03-20"))
	if c.Window == nil || c.Window.From != d("2021-03-15") || c.Window.To != d("2027-03-14") || !c.Window.Full || c.Window.Citation != "45 CFR 164.528(a)(1)" {
		t.Errorf("window %+v, want 2021-03-15..2027-03-14, full, 164.528(a)(1)", c.Window)
	}
	r.Since = d("2026-01-01")
	if c := RequestClock(r, d("2027-03-20")); c.Window.From != d("2026-01-01") || c.Window.Full || c.Window.Citation != "45 CFR 164.528(a)(3)" {
		t.Errorf("shorter window %+v", c.Window)
	}
	if c := RequestClock(access("par-1", "2027-03-15"), d("2027-03-20")); c.Window != nil {
		t.Errorf("an access request has a window: %+v", c.Window)
	}
}

func TestRequestFindings(t *testing.T) {
	denied := access("par-2", "2027-01-04")
	denied.Completed, denied.Outcome = d("2027-01-20"), workspace.OutcomeDenied
	denied.Denial = &workspace.Denial{Ground: "endangerment"}
	fee := access("par-3", "2027-01-04")
	fee.Completed, fee.Outcome, fee.Fee = d("2027-01-10"), workspace.OutcomeGranted, "6.50"
	free := access("par-4", "2027-01-04")
	free.Completed, free.Outcome, free.Fee = d("2027-01-10"), workspace.OutcomeGranted, "0.00"
	late := access("par-5", "2027-01-04")
	late.Completed, late.Outcome = d("2027-02-10"), workspace.OutcomeGranted
	fs := Check(clinic(denied, fee, free, late), d("2027-03-01"))
	want := []string{"warning privacy.denial-incomplete par-2", "warning privacy.fee-basis-missing par-3"}
	if got := rules(fs); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
	if !strings.Contains(fs[0].Message, "the right to have the denial reviewed (45 CFR 164.524(a)(4), (d)(2)(ii))") {
		t.Errorf("a reviewable ground's denial does not name the review right: %s", fs[0].Message)
	}
	l := Evaluate(clinic(denied, fee, free, late), d("2027-03-01"))
	if l.Late != 1 || l.Open != 0 {
		t.Errorf("late %d open %d, want 1 late (acted on after its deadline), 0 open", l.Late, l.Open)
	}
	for _, c := range l.Requests {
		if c.ID == "par-5" && (c.Status != StatusLate || c.DaysLate != 7) {
			t.Errorf("par-5: %s, %d days late; want late by 7 (due 2027-02-03)", c.Status, c.DaysLate)
		}
	}
}

// 164.520: a covered entity with no notice in effect, or one posted
// nowhere, is warned; a business associate keeps no notice of its own.
func TestCFR164_520_NoticeInEffect(t *testing.T) {
	ws := clinic()
	if fs := Check(ws, d("2025-12-31")); !slices.Equal(rules(fs), []string{"warning privacy.notice-missing organization"}) {
		t.Errorf("before the notice took effect: %q", rules(fs))
	}
	if fs := Check(ws, d("2026-01-01")); len(fs) != 0 {
		t.Errorf("with the notice in effect: %q", rules(fs))
	}
	ws.PrivacyNotices[0].Posted = nil
	if fs := Check(ws, d("2026-01-01")); len(fs) != 1 || !strings.Contains(fs[0].Message, "posted nowhere") {
		t.Errorf("posted nowhere: %v", fs)
	}
	ba := &workspace.Workspace{Organization: workspace.Organization{Roles: []string{workspace.RoleBusinessAssociate}}}
	if fs := Check(ba, d("2026-01-01")); len(fs) != 0 {
		t.Errorf("a business associate: %q", rules(fs))
	}
}

// A business associate's request for a covered-entity customer runs on
// the customer's clock and says whose it is.
func TestRequestOnBehalfOfACustomer(t *testing.T) {
	r := access("par-1", "2027-01-04")
	r.OnBehalfOf = "st-marys"
	ws := &workspace.Workspace{Organization: workspace.Organization{Roles: []string{workspace.RoleBusinessAssociate}}, PrivacyRequests: []workspace.PrivacyRequest{r}}
	fs := Check(ws, d("2027-02-10"))
	if len(fs) != 1 || fs[0].Rule != RuleOverdue || !strings.Contains(fs[0].Message, "par-1 (for st-marys)") {
		t.Errorf("findings %v", fs)
	}
	if n := Overdue(ws, d("2027-02-10")); n != 1 {
		t.Errorf("overdue = %d", n)
	}
	if n := Overdue(ws, d("2027-02-03")); n != 0 {
		t.Errorf("overdue on the deadline = %d", n)
	}
}

func TestEvaluateOrderAndComplaints(t *testing.T) {
	a := access("par-a", "2027-01-20")
	b := access("par-b", "2027-01-05")
	c := access("par-c", "2027-01-01")
	c.Completed, c.Outcome = d("2027-01-10"), workspace.OutcomeGranted
	future := access("par-f", "2027-06-01")
	ws := clinic(a, c, b, future)
	ws.Complaints = []workspace.Complaint{
		{ID: "cmp-1", Received: d("2027-01-02"), Summary: "x", Resolved: d("2027-01-12"), Outcome: "substantiated", Disposition: "retrained"},
		{ID: "cmp-2", Received: d("2027-01-15"), Summary: "y"},
	}
	l := Evaluate(ws, d("2027-01-30"))
	var ids []string
	for _, r := range l.Requests {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"par-b", "par-a", "par-c"}) {
		t.Errorf("order %q: open by deadline first, then closed; a request received after as-of is left out", ids)
	}
	if len(l.Complaints) != 2 || l.Complaints[0].ID != "cmp-2" || !l.Complaints[0].Open || l.Complaints[1].DaysOpen != 10 {
		t.Errorf("complaints %+v", l.Complaints)
	}
	// As of before its resolution, the complaint was open, its outcome unknown.
	l = Evaluate(ws, d("2027-01-05"))
	if len(l.Complaints) != 1 || !l.Complaints[0].Open || l.Complaints[0].Outcome != "" {
		t.Errorf("as of 2027-01-05: %+v", l.Complaints)
	}
}
