package check

import (
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/workspace"
)

func TestStillOpen(t *testing.T) {
	asOf := date.MustParse("2027-06-01")
	ba := workspace.Organization{Name: "Acme", Roles: []string{workspace.RoleBusinessAssociate}}
	breach := workspace.Incident{ID: "inc-1", Discovered: date.MustParse("2027-05-20"), Summary: "laptop", PHIInvolved: true, Individuals: 40, Customers: []string{"st-marys"}}
	with := func(inc workspace.Incident) *workspace.Workspace {
		return &workspace.Workspace{Organization: ba, Customers: []workspace.Customer{{ID: "st-marys", CoveredEntity: true}}, Incidents: []workspace.Incident{inc}}
	}
	closed := func(inc workspace.Incident) workspace.Incident { inc.Status = "closed"; return inc }
	notified := closed(breach)
	notified.Timeline = []workspace.TimelineEntry{{Date: date.MustParse("2027-05-25"), Note: "notified:covered-entity:st-marys by e-mail"}}
	encrypted := closed(breach)
	// The safe harbor: encrypted, and the key not compromised with it
	// (HHS guidance; issue 14 item 10).
	notCompromised := false
	encrypted.Encrypted, encrypted.KeyCompromised = true, &notCompromised
	late := closed(breach)
	late.Discovered = date.MustParse("2027-01-02")
	tests := []struct {
		name string
		ws   *workspace.Workspace
		kind string
		key  string
		want string // a word of the reason; "" for not open
	}{
		{"no status is open", with(breach), "incident", "inc-1", "is open"},
		{"contained is open", with(func() workspace.Incident { i := breach; i.Status = "contained"; return i }()), "incident", "inc-1", "is contained"},
		// 164.410(b): a business associate tells the covered entity within 60 days of discovery.
		{"closed breach, notice owed, clock running", with(closed(breach)), "incident", "inc-1", "due 2027-07-19 (running)"},
		{"closed breach, notice owed, past due", with(late), "incident", "inc-1", "(overdue)"},
		{"closed breach, notice recorded", with(notified), "incident", "inc-1", ""},
		{"closed, safe harbor: no breach", with(encrypted), "incident", "inc-1", ""},
		{"unknown incident", with(breach), "incident", "inc-2", ""},
		{"a kind without a rule", with(breach), "vendor", "inc-1", ""},
		// 164.524(b)(2): act on a request for access within 30 days of receipt.
		{"privacy request not acted on", &workspace.Workspace{PrivacyRequests: []workspace.PrivacyRequest{{ID: "pr-1", Kind: "access", Received: date.MustParse("2027-05-20")}}}, "privacy_request", "pr-1", "due 2027-06-19 (running"},
		{"privacy request past its time limit", &workspace.Workspace{PrivacyRequests: []workspace.PrivacyRequest{{ID: "pr-1", Kind: "access", Received: date.MustParse("2027-03-01")}}}, "privacy_request", "pr-1", "(overdue"},
		{"privacy request acted on", &workspace.Workspace{PrivacyRequests: []workspace.PrivacyRequest{{ID: "pr-1", Kind: "access", Received: date.MustParse("2027-05-20"), Completed: date.MustParse("2027-05-28"), Outcome: "granted"}}}, "privacy_request", "pr-1", ""},
		{"complaint unresolved", &workspace.Workspace{Complaints: []workspace.Complaint{{ID: "c-1", Received: date.MustParse("2027-05-20"), Summary: "x"}}}, "complaint", "c-1", "not resolved"},
		{"complaint resolved", &workspace.Workspace{Complaints: []workspace.Complaint{{ID: "c-1", Received: date.MustParse("2027-05-20"), Summary: "x", Resolved: date.MustParse("2027-05-30")}}}, "complaint", "c-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StillOpen(tt.ws, tt.kind, tt.key, asOf)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("StillOpen = %q, want %q", got, tt.want)
			}
		})
	}
}
