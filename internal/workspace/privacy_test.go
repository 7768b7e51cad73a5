package workspace

import (
	"reflect"
	"strings"
	"testing"

	"ward/internal/date"
)

// clinicHead is a covered entity with one person and one customer (for
// on_behalf_of), lines 1-9, so each case's own lines start at 10.
const clinicHead = `organization:
  name: Harbor Family Medicine
  roles: [covered-entity]
people:
  - email: lena@harbor.example
customers:
  - id: st-marys
    covered_entity: true
privacy_requests:
`

// An access request received 2027-01-16: day 30 is 2027-02-15, the last
// day an extension may be given (45 CFR 164.524(b)(2)(ii)).
func accessWithExtension(notified, until string) string {
	return clinicHead + `  - id: par-1
    kind: access
    received: 2027-01-16
    extension:
      notified: ` + notified + `
      reason: records archived off site
      until: ` + until + `
`
}

// 164.524(b)(2)(ii): the extension is given in writing within the 30
// days. On day 29 it is.
func TestCFR164_524b2ii_ExtensionOnDay29IsAccepted(t *testing.T) {
	l, err := loadIn(t, map[string]string{"ws.yaml": accessWithExtension("2027-02-14", "2027-03-17")}, "ws.yaml", Options{})
	if err != nil {
		t.Fatalf("an extension given on day 29 is refused:\n%v", err)
	}
	r := l.Workspace.PrivacyRequests[0]
	if got := r.Received.DaysUntil(r.Extension.Notified); got != 29 {
		t.Fatalf("notified on day %d, the case wants day 29", got)
	}
	if r.Due() != date.MustParse("2027-02-15") || r.Deadline() != date.MustParse("2027-03-17") {
		t.Errorf("due %s, deadline %s; want 2027-02-15 (30 days), 2027-03-17 (the extension's date)", r.Due(), r.Deadline())
	}
}

// 164.524(b)(2)(ii): an extension written on day 31 is no extension; the
// apply is refused, naming the file, the line and the field.
func TestCFR164_524b2ii_ExtensionAfterDay30IsRefused(t *testing.T) {
	_, err := loadIn(t, map[string]string{"ws.yaml": accessWithExtension("2027-02-16", "2027-03-17")}, "ws.yaml", Options{})
	got := errorLines(t, err)
	want := `ws.yaml:14: privacy_requests[0].extension.notified: 2027-02-16 is day 31 after the request (received 2027-01-16): an extension must be given in writing within the 30-day time limit, by 2027-02-15 (45 CFR 164.524(b)(2)(ii)); this request was overdue on 2027-02-16, not extended`
	if len(got) != 1 || got[0] != want {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	// Day 30 itself is still within the time limit.
	if _, err := loadIn(t, map[string]string{"ws.yaml": accessWithExtension("2027-02-15", "2027-03-17")}, "ws.yaml", Options{}); err != nil {
		t.Errorf("an extension given on day 30 is refused:\n%v", err)
	}
}

// 164.524(b)(2)(ii), 164.526(b)(2)(ii): the one extension is of no more
// than 30 days.
func TestCFR164_524b2ii_ExtensionOfMoreThan30DaysIsRefused(t *testing.T) {
	_, err := loadIn(t, map[string]string{"ws.yaml": accessWithExtension("2027-02-10", "2027-03-18")}, "ws.yaml", Options{})
	got := errorLines(t, err)
	if len(got) != 1 || !strings.Contains(got[0], "ws.yaml:16: privacy_requests[0].extension.until: 2027-03-18 is 31 days after the original deadline 2027-02-15: the one extension is at most 30 days, to 2027-03-17") {
		t.Errorf("errors: %v", got)
	}
	// An amendment's 60 days (164.526(b)(2)): day 61 is too late to extend.
	yaml := clinicHead + `  - id: amd-1
    kind: amendment
    received: 2027-01-01
    extension: {notified: 2027-03-03, reason: chart review, until: 2027-03-30}
`
	_, err = loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got = errorLines(t, err)
	if len(got) != 1 || !strings.Contains(got[0], "extension.notified: 2027-03-03 is day 61 after the request (received 2027-01-01): an extension must be given in writing within the 60-day time limit, by 2027-03-02 (45 CFR 164.526(b)(2)(ii))") {
		t.Errorf("amendment errors: %v", got)
	}
}

// 164.528(a)(1), (a)(3): an accounting covers the six years before the
// request, or a shorter period the individual asks for, never more.
func TestCFR164_528a1_AccountingWindowIsSixYearsBack(t *testing.T) {
	r := PrivacyRequest{Kind: RequestAccounting, Received: date.MustParse("2027-03-15")}
	from, to := r.AccountingWindow()
	if from != date.MustParse("2021-03-15") || to != date.MustParse("2027-03-14") {
		t.Errorf("window %s..%s, want 2021-03-15..2027-03-14 (the six years before the request)", from, to)
	}
	// Received on a leap day: six years back is February 28.
	r.Received = date.MustParse("2028-02-29")
	if from, _ := r.AccountingWindow(); from != date.MustParse("2022-02-28") {
		t.Errorf("from a leap day: %s, want 2022-02-28", from)
	}
	r.Received, r.Since = date.MustParse("2027-03-15"), date.MustParse("2025-01-01")
	if from, _ := r.AccountingWindow(); from != r.Since {
		t.Errorf("shorter period: from %s, want since %s", from, r.Since)
	}

	yaml := clinicHead + `  - id: acc-1
    kind: accounting
    received: 2027-03-15
    since: 2021-03-14
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := errorLines(t, err)
	if len(got) != 1 || !strings.Contains(got[0], "ws.yaml:13: privacy_requests[0].since: 2021-03-14 is more than 6 years before the request (received 2027-03-15): an accounting covers at most the 6 years before the date of the request, from 2021-03-15 (45 CFR 164.528(a)(1))") {
		t.Errorf("errors: %v", got)
	}
}

func TestLoadPrivacyErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"denied without a ground", `  - id: par-1
    kind: access
    received: 2027-01-04
    completed: 2027-01-20
    outcome: denied
`, []string{`ws.yaml:10: privacy_requests[0].denial: is missing: a access request that is denied needs the written denial's ground (45 CFR 164.524(d)(2))`}},
		{"a ground of the wrong kind", `  - id: amd-1
    kind: amendment
    received: 2027-01-04
    completed: 2027-01-20
    outcome: denied
    denial: {ground: endangerment, rights_stated: true}
`, []string{`ws.yaml:15: privacy_requests[0].denial.ground: "endangerment" is not a ground for denying a amendment request: one of not-created-by-us, not-in-record-set, not-available-for-access, accurate-and-complete`}},
		{"an accounting is not denied", `  - id: acc-1
    kind: accounting
    received: 2027-01-04
    completed: 2027-01-20
    outcome: denied
`, []string{`ws.yaml:14: privacy_requests[0].outcome: "denied": an accounting of disclosures is provided (granted) or withdrawn; disclosures it leaves out (164.528(a)(1) exceptions, a suspension under 164.528(a)(2)) go in notes`}},
		{"completed without an outcome, a bad fee, format on an amendment", `  - id: amd-1
    kind: amendment
    received: 2027-01-04
    completed: 2027-01-20
    fee: 6.5
    format_requested: PDF
`, []string{
			`ws.yaml:10: privacy_requests[0].outcome: is missing: completed says the request was acted on; say how: one of granted, partly-granted, denied, withdrawn`,
			`ws.yaml:14: privacy_requests[0].fee: "6.5" is not an amount in US dollars: write 6.50 or 25`,
			`ws.yaml:14: privacy_requests[0].fee: is only for access (164.524(c)(4)) and accounting (164.528(c)(2)) requests`,
			`ws.yaml:15: privacy_requests[0].format_requested: is only for kind: access (the form and format of 45 CFR 164.524(c)(2)); this is a request for amendment`,
		}},
		{"unknown customer and person", `  - id: par-1
    kind: access
    received: 2027-01-04
    on_behalf_of: st-mary
    handled_by: nobody@harbor.example
`, []string{
			`ws.yaml:13: privacy_requests[0].on_behalf_of: "st-mary" is not a customer id in this workspace (did you mean st-marys?)`,
			`ws.yaml:14: privacy_requests[0].handled_by: "nobody@harbor.example" is not the email of anyone listed under people`,
		}},
		{"complaint resolved without an outcome; duplicate notice versions", `  - id: par-1
    kind: access
    received: 2027-01-04
complaints:
  - id: cmp-1
    received: 2027-02-01
    summary: a diagnosis discussed at the front desk
    resolved: 2027-02-20
privacy_notices:
  - version: "2026-1"
    effective: 2026-03-01
  - version: "2026-1"
    effective: 2026-09-01
    url: harbor.example/privacy
`, []string{
			`ws.yaml:14: complaints[0].outcome: is missing: a resolved complaint records its outcome, one of substantiated, not-substantiated, withdrawn (45 CFR 164.530(d)(2))`,
			`ws.yaml:21: privacy_notices[1].version: "2026-1" is already the version of privacy_notices[0] (ws.yaml:19); each must be unique`,
			`ws.yaml:23: privacy_notices[1].url: "harbor.example/privacy" is not a web address (https://...)`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadIn(t, map[string]string{"ws.yaml": clinicHead + tc.yaml}, "ws.yaml", Options{})
			got := errorLines(t, err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// A business associate logs a request only on a covered-entity
// customer's behalf, and keeps no notice of privacy practices of its own
// (164.520(a) is a covered entity's duty).
func TestLoadPrivacyBusinessAssociate(t *testing.T) {
	yaml := `organization:
  name: Acme Health
  roles: [business-associate]
customers:
  - id: st-marys
    covered_entity: true
privacy_requests:
  - id: par-1
    kind: access
    received: 2027-01-04
  - id: par-2
    kind: access
    received: 2027-01-04
    on_behalf_of: st-marys
privacy_notices:
  - version: "1"
    effective: 2027-01-01
`
	_, err := loadIn(t, map[string]string{"ws.yaml": yaml}, "ws.yaml", Options{})
	got := errorLines(t, err)
	want := []string{
		`ws.yaml:8: privacy_requests[0].on_behalf_of: is missing: Acme Health is not a covered entity, so it handles this only on a covered-entity customer's behalf: name the customer (or add covered-entity to organization.roles)`,
		`ws.yaml:16: privacy_notices[0]: a notice of privacy practices is a covered entity's (45 CFR 164.520(a)), and Acme Health is not one: add covered-entity to organization.roles, or keep the notice with the covered entity`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Privacy records survive export and apply unchanged: Write then Load is
// the same workspace, and writing that again gives the same bytes.
func TestPrivacyRoundTrip(t *testing.T) {
	d := date.MustParse
	ws := &Workspace{
		Organization: Organization{Name: "Harbor Family Medicine", Roles: []string{RoleCoveredEntity}},
		People:       []Person{{Email: "lena@harbor.example"}},
		PrivacyRequests: []PrivacyRequest{
			{ID: "par-1", Kind: RequestAccess, Received: d("2027-01-16"), Reference: "log 2027-014", HandledBy: "lena@harbor.example",
				FormatRequested: "PDF by patient portal", FormatProvided: "PDF by patient portal", Fee: "6.50", FeeBasis: "flat fee for an electronic copy",
				Extension: &Extension{Notified: d("2027-02-14"), Reason: "records before 2019 are archived off site", Until: d("2027-03-17")},
				Completed: d("2027-03-01"), Outcome: OutcomePartlyGranted,
				Denial: &Denial{Ground: "psychotherapy-notes", Explanation: "notes kept apart", RightsStated: true}},
			{ID: "acc-1", Kind: RequestAccounting, Received: d("2027-03-15"), Since: d("2024-01-01"), Notes: "two lines\nof notes\n"},
		},
		Complaints: []Complaint{{ID: "cmp-1", Received: d("2027-02-01"), Summary: "front desk talk", Resolved: d("2027-02-20"),
			Outcome: "substantiated", Disposition: "retrained front desk staff"}},
		PrivacyNotices: []PrivacyNotice{{Version: "2026-1", Effective: d("2026-03-01"), Posted: []string{"waiting room", "patient portal"}, URL: "https://harbor.example/privacy"}},
	}
	if errs := Validate(ws, Options{}); len(errs) > 0 {
		t.Fatalf("the workspace is not valid: %v", errs)
	}
	out := t.TempDir()
	if err := Write(out, ws, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := Load(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"privacy_requests", l.Workspace.PrivacyRequests, ws.PrivacyRequests},
		{"complaints", l.Workspace.Complaints, ws.Complaints},
		{"privacy_notices", l.Workspace.PrivacyNotices, ws.PrivacyNotices},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s after the round trip:\n%+v\nwant\n%+v", f.name, f.got, f.want)
		}
	}
	out2 := t.TempDir()
	if err := Write(out2, l.Workspace, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	a, b := readTree(t, out), readTree(t, out2)
	for _, name := range []string{"privacy_requests.yaml", "complaints.yaml", "privacy_notices.yaml"} {
		if len(a[name]) == 0 || string(a[name]) != string(b[name]) {
			t.Errorf("%s: not written, or not the same bytes twice:\n%s\n---\n%s", name, a[name], b[name])
		}
	}
	if n := ws.NoticeInEffect(d("2026-02-28")); n != nil {
		t.Errorf("notice in effect before its effective date: %+v", n)
	}
	if n := ws.NoticeInEffect(d("2026-03-01")); n == nil || n.Version != "2026-1" {
		t.Errorf("notice in effect on its effective date: %+v", n)
	}
}
