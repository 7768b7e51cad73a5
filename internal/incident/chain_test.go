package incident

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/workspace"
)

// twoClinics is a business associate whose one breach touched two
// covered entities' patients, recorded per customer.
func twoClinics() (*workspace.Workspace, workspace.Incident) {
	ws := orgWith(workspace.RoleBusinessAssociate)
	inc := breach("inc-2027-009", "2027-05-02", 0, nil)
	inc.Customers = []string{"st-marys", "lakeside"}
	inc.Affected = []workspace.Affected{
		{Customer: "st-marys", Individuals: 600, States: map[string]int{"CA": 600}},
		{Customer: "lakeside", Individuals: 100, States: map[string]int{"CA": 60, "NV": 40}},
	}
	return ws, inc
}

// 164.410: a business associate owes the notice to each covered entity;
// what that notice sets in motion (164.404 individuals, 164.406 media of
// a state with more than 500 of its residents, 164.408 HHS) is the
// covered entity's, shown as information with each one's own figures,
// dated from when it learns of the breach, and raises no finding.
func TestCFR164_404_406_408_410_CoveredEntityChain(t *testing.T) {
	ws, inc := twoClinics()
	r := Deadlines(ws, inc, d("2027-05-02"))
	if len(r.Notifications) != 2 || r.Notifications[0].To != ToCoveredEntity || r.Notifications[1].To != ToCoveredEntity {
		t.Fatalf("our notices %+v, want one to each covered entity", r.Notifications)
	}
	var got []string
	for _, n := range r.CoveredEntityNotices {
		got = append(got, n.Customer+" "+n.To+" "+n.State+" "+n.Due.String())
	}
	// Not yet told: ward dates each clinic's clock from our notice's due
	// date (St. Mary's BAA: 10 days, 2027-05-12; Lakeside: 60 days,
	// 164.410(b), 2027-07-01), then 60 days; 600 residents of CA > 500
	// (164.406) and 600 >= 500 (164.408(b)) for St. Mary's; Lakeside's
	// 100 go in the annual log (164.408(c)), and no media.
	want := []string{
		"st-marys individuals  2027-07-11", "st-marys media CA 2027-07-11", "st-marys hhs  2027-07-11",
		"lakeside individuals  2027-08-30", "lakeside hhs-annual-log  2028-02-29",
	}
	if !slices.Equal(got, want) {
		t.Errorf("chain\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(r.StateLaw, "counsel") {
		t.Errorf("state-law note %q", r.StateLaw)
	}
	// Our notice to St. Mary's recorded as sent: its deadline clears
	// (ward check), and St. Mary's clock runs from that day.
	inc.NoticesSent = []workspace.NoticeSent{{To: ToCoveredEntity, Customer: "st-marys", Sent: d("2027-05-10"), Method: "email", Recipient: "privacy office"}}
	r = Deadlines(ws, inc, d("2027-06-30"))
	if n := r.Notifications[0]; n.Customer != "st-marys" || n.Sent != d("2027-05-10") || n.SentMethod != "email" || n.SentRecipient != "privacy office" {
		t.Errorf("st-marys notice %+v", n)
	}
	if n := r.Notifications[1]; !n.Sent.IsZero() {
		t.Errorf("lakeside's notice counts as sent: %+v", n)
	}
	if ce := r.CoveredEntityNotices[0]; ce.Due != d("2027-07-09") {
		t.Errorf("st-marys' notice to individuals due %s, want 2027-07-09 (60 days from our notice of 2027-05-10)", ce.Due)
	}
	ws.Incidents = []workspace.Incident{inc}
	fs := Check(ws, d("2027-06-30"))
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "lakeside") {
		t.Errorf("findings %+v, want only the notice to lakeside (the chain is information)", fs)
	}
}

// 164.410(c)(1): each covered entity's notice identifies its own
// individuals; it states only its own figures, never the other's.
func TestCFR164_410c1_EachNoticeStatesOnlyItsOwnPeople(t *testing.T) {
	ws, inc := twoClinics()
	det := Determine(ws, inc)
	sm := CustomerNotice(ws, inc, det, "st-marys")
	if !strings.Contains(sm.Letter, "Number of your individuals affected: 600. Residents per state or jurisdiction: CA 600.") {
		t.Errorf("st-marys letter:\n%s", sm.Letter)
	}
	ls := CustomerNotice(ws, inc, det, "lakeside")
	if !strings.Contains(ls.Letter, "Number of your individuals affected: 100. Residents per state or jurisdiction: CA 60, NV 40.") {
		t.Errorf("lakeside letter:\n%s", ls.Letter)
	}
	for _, other := range []string{"600", "700", "St. Mary"} {
		if strings.Contains(ls.Letter, other) {
			t.Errorf("lakeside's letter states %q, another customer's or the total", other)
		}
	}
	if !slices.ContainsFunc(ls.Notes, func(n string) bool { return strings.Contains(n, "100 of the incident's 700 individuals") }) {
		t.Errorf("notes %q", ls.Notes)
	}
	// Without the split, a notice to one of several customers leaves its
	// head count as a placeholder rather than state the total.
	inc.Affected = nil
	inc.Individuals = 700
	x := CustomerNotice(ws, inc, det, "lakeside")
	if strings.Contains(x.Letter, "700") || !strings.Contains(x.Letter, "[[number of individuals affected for lakeside alone") {
		t.Errorf("letter without figures:\n%s", x.Letter)
	}
}

// A delegated HHS report (notifies_on_behalf) counts only that covered
// entity's individuals: 600 for one is 164.408(b), 100 for the other the
// annual log of 164.408(c).
func TestCFR164_408_DelegatedReportsCountEachEntitysOwn(t *testing.T) {
	ws, inc := twoClinics()
	for _, c := range []string{"st-marys", "lakeside"} {
		ws.Agreements = append(ws.Agreements, workspace.Agreement{ID: "baa-" + c, Kind: "baa", Counterparty: c, Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), NotifiesOnBehalf: true})
	}
	r := Deadlines(ws, inc, d("2027-05-02"))
	has := func(to, state, who string) bool {
		return slices.ContainsFunc(r.Notifications, func(n Notification) bool { return n.To == to && n.State == state && n.OnBehalfOf == who })
	}
	if !has(ToHHS, "", "st-marys") || !has(ToMedia, "CA", "st-marys") || !has(ToHHSAnnualLog, "", "lakeside") || has(ToMedia, "CA", "lakeside") || has(ToHHS, "", "lakeside") {
		t.Errorf("notifications %+v", r.Notifications)
	}
	if len(r.CoveredEntityNotices) != 0 {
		t.Errorf("delegated notices are ours, not information: %+v", r.CoveredEntityNotices)
	}
	hhs := HHSSummary(ws, inc, Determine(ws, inc), "lakeside")
	if !strings.Contains(hhs.Letter, "Approximate number of individuals affected: 100") || !strings.Contains(hhs.Letter, "Lakeside Pediatrics (covered entity)") || strings.Contains(hhs.Letter, "600") {
		t.Errorf("lakeside HHS:\n%s", hhs.Letter)
	}
}

// Never contradicting the incident: a breached system that is not
// encrypted at rest does not have encryption at rest among the safeguards
// in place (the HHS report, 164.408).
func TestCFR164_408_HHSSummaryDoesNotClaimEncryptionForUnencryptedAsset(t *testing.T) {
	ws, inc := stolenLaptop()
	ws.Controls = append(ws.Controls, workspace.Control{ID: "encryption-at-rest", Status: "implemented"})
	ws.Controls[1].Status = "implemented"
	text := HHSSummary(ws, inc, Determine(ws, inc), "").Letter
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "- Controls recorded as implemented") && strings.Contains(line, "encryption") {
			t.Errorf("%s", line)
		}
	}
	if !strings.Contains(text, "Not in place for the breached information: encryption-at-rest") || !strings.Contains(text, "Type of breach: theft") || !strings.Contains(text, "Location of breached information: laptop") {
		t.Errorf("HHS summary:\n%s", text)
	}
	inc.BreachType, inc.Locations = []string{"hacking"}, []string{"network-server"}
	text = HHSSummary(ws, inc, Determine(ws, inc), "").Letter
	if !strings.Contains(text, "Type of breach: hacking/IT incident") || !strings.Contains(text, "Location of breached information: network server") {
		t.Errorf("recorded type and location not used:\n%s", text)
	}
}
