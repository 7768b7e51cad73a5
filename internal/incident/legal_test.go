package incident

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ward/internal/finding"
	"ward/internal/workspace"
)

// The incidents of issue 14's regulatory audit, written from the CFR
// text, each with the organization that shows it.

// clinicGroup is Harborview Medical Group: a covered entity (it treats
// its own patients) that also runs the patient portal of another
// practice, Northside Pediatrics, as its business associate.
func clinicGroup() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Harborview Medical Group",
			Roles:    []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate},
			Officers: workspace.Officers{Privacy: "lee@harborview.example", Security: "lee@harborview.example"}},
		People: []workspace.Person{{Email: "lee@harborview.example", Name: "Lee Okafor"}},
		Systems: []workspace.System{
			{ID: "portal", Name: "Patient portal", Kind: "service", PHI: true, LivePHI: true},
		},
		Customers: []workspace.Customer{{ID: "northside", Name: "Northside Pediatrics", CoveredEntity: true, LivePHI: true, Contact: "privacy@northside.example"}},
		Agreements: []workspace.Agreement{
			{ID: "baa-northside", Kind: "baa", Counterparty: "northside", Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 15},
		},
	}
}

// portalBreach: 1,200 of Northside's patients' records, read by an
// unauthorized party through the portal Harborview runs for Northside.
func portalBreach() workspace.Incident {
	return workspace.Incident{ID: "inc-portal", Discovered: d("2027-03-01"), Summary: "portal session bug exposed other patients' records",
		Systems: []string{"portal"}, Customers: []string{"northside"}, PHIInvolved: true, PHITypes: []string{"names", "diagnoses"},
		Individuals: 1200, States: map[string]int{"WA": 1200}}
}

func tos(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		s := n.To + " " + n.Due.String()
		if n.Customer != "" {
			s += " " + n.Customer
		}
		if n.OnBehalfOf != "" {
			s += " for " + n.OnBehalfOf
		}
		out = append(out, s)
	}
	return out
}

// TestCFR164_410_DualRoleHoldingAClientsPHIOwesOnlyTheNoticeToTheClinic:
// a covered entity that is also a business associate, holding a client
// clinic's PHI, owes the notice to the clinic (164.410(b): here the BAA's
// 15 days) and nothing else: the notices to individuals, the media and
// HHS are the clinic's (164.404(a), 164.406(a), 164.408(a)). Its drafts
// say so. The same organization's own patients' breach is its own to
// notify.
func TestCFR164_410_DualRoleHoldingAClientsPHIOwesOnlyTheNoticeToTheClinic(t *testing.T) {
	ws := clinicGroup()
	inc := portalBreach()
	r := Deadlines(ws, inc, d("2027-03-01"))
	if got, want := tos(r.Notifications), []string{"covered-entity 2027-03-16 northside"}; !slices.Equal(got, want) {
		t.Fatalf("deadlines %v, want only %v (the notice to the clinic)", got, want)
	}
	if r.HeldAs != HeldAsBusinessAssociate {
		t.Errorf("held as %q", r.HeldAs)
	}
	det := Determine(ws, inc)
	for name, text := range map[string]string{"letter": DraftIndividualLetter(ws, inc, det), "hhs": DraftHHSSummary(ws, inc, det)} {
		if !strings.Contains(text, "not this organization's to give: it held the PHI as a business associate") {
			t.Errorf("%s draft does not say it is the clinic's notice", name)
		}
	}
	if text := DraftCoveredEntityNotice(ws, inc, det, "northside"); !strings.Contains(text, "Send by: 2027-03-16 (164.410(b); BAA baa-northside: 15 days)") {
		t.Errorf("the notice to the clinic lost its due date:\n%s", text)
	}

	// Recorded explicitly, the same answer; recorded as its own patients',
	// the covered entity's notices and no notice to the clinic.
	inc.HeldAs = HeldAsBusinessAssociate
	if got := tos(Deadlines(ws, inc, d("2027-03-01")).Notifications); len(got) != 1 {
		t.Errorf("held_as business-associate: %v", got)
	}
	inc.HeldAs, inc.Customers = HeldAsCoveredEntity, nil
	if got, want := tos(Deadlines(ws, inc, d("2027-03-01")).Notifications), []string{"individuals 2027-04-30", "media 2027-04-30", "hhs 2027-04-30"}; !slices.Equal(got, want) {
		t.Errorf("own patients: %v, want %v", got, want)
	}
}

// TestCFR164_404a_DelegatedNoticesAreGivenOnTheCoveredEntitysBehalf: when
// the BAA delegates the clinic's notices to us (notifies_on_behalf), the
// individuals', media and HHS deadlines are ours to meet, on the clinic's
// behalf and on its clock: from the day we notify it (we are not its
// agent), or, until that is recorded, from our own discovery, said as an
// assumption.
func TestCFR164_404a_DelegatedNoticesAreGivenOnTheCoveredEntitysBehalf(t *testing.T) {
	ws := clinicGroup()
	ws.Agreements[0].NotifiesOnBehalf = true
	inc := portalBreach()
	r := Deadlines(ws, inc, d("2027-03-01"))
	want := []string{"covered-entity 2027-03-16 northside", "individuals 2027-04-30 for northside", "media 2027-04-30 for northside", "hhs 2027-04-30 for northside"}
	if got := tos(r.Notifications); !slices.Equal(got, want) {
		t.Fatalf("deadlines %v, want %v", got, want)
	}
	for _, n := range r.Notifications[1:] {
		if !strings.Contains(n.Assumption, "not recorded as sent yet") || !strings.Contains(n.Citation, "BAA baa-northside delegates it") {
			t.Errorf("%s: assumption %q citation %q", n.To, n.Assumption, n.Citation)
		}
	}
	// Notified on March 5: the clinic's clock starts then.
	inc.Timeline = []workspace.TimelineEntry{{Date: d("2027-03-05"), Note: "notified:covered-entity:northside"}}
	r = Deadlines(ws, inc, d("2027-03-05"))
	want = []string{"covered-entity 2027-03-16 northside", "individuals 2027-05-04 for northside", "media 2027-05-04 for northside", "hhs 2027-05-04 for northside"}
	if got := tos(r.Notifications); !slices.Equal(got, want) {
		t.Errorf("after notifying the clinic: %v, want %v", got, want)
	}
	// The drafts are written on the clinic's behalf.
	det := Determine(ws, inc)
	letter := DraftIndividualLetter(ws, inc, det)
	if !strings.Contains(letter, "We are writing on behalf of Northside Pediatrics") || !strings.Contains(letter, "Send by: 2027-05-04") {
		t.Errorf("letter:\n%s", letter)
	}
	if hhs := DraftHHSSummary(ws, inc, det); !strings.Contains(hhs, "Northside Pediatrics (covered entity), reported by Harborview Medical Group, its business associate") {
		t.Errorf("HHS summary:\n%s", hhs)
	}
	// Recording a delegated notice as sent: notified:individuals:northside.
	inc.Timeline = append(inc.Timeline, workspace.TimelineEntry{Date: d("2027-03-20"), Note: "notified:individuals:northside letters mailed"})
	for _, n := range Deadlines(ws, inc, d("2027-03-20")).Notifications {
		if n.To == ToIndividuals && n.Sent != d("2027-03-20") {
			t.Errorf("individuals on behalf not recorded as sent: %+v", n)
		}
	}
}

// TestCFR164_404a2_AnAgentsDiscoveryStartsTheCoveredEntitysClock: under
// the federal common law of agency, a covered entity knows what its agent
// knows (164.404(a)(2)). A business associate that is the clinic's agent
// is warned that its discovery started the clinic's clock, and delegated
// notices run from it at once. A covered entity whose vendor is its agent
// runs its clocks from the day the vendor knew.
func TestCFR164_404a2_AnAgentsDiscoveryStartsTheCoveredEntitysClock(t *testing.T) {
	ws := clinicGroup()
	ws.Agreements[0].Agent = true
	inc := portalBreach()
	r := Deadlines(ws, inc, d("2027-03-01"))
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "you act as northside's agent") || !strings.Contains(r.Warnings[0], "due by 2027-04-30") {
		t.Errorf("warnings %q", r.Warnings)
	}
	// Agent and delegated: the clinic's clock is ours, no assumption.
	ws.Agreements[0].NotifiesOnBehalf = true
	r = Deadlines(ws, inc, d("2027-03-01"))
	for _, n := range r.Notifications[1:] {
		if n.Due != d("2027-04-30") || n.Assumption != "" {
			t.Errorf("%s due %s (%q), want 2027-04-30 from the agent's discovery", n.To, n.Due, n.Assumption)
		}
	}
	if text := DraftCoveredEntityNotice(ws, inc, Determine(ws, inc), "northside"); !strings.Contains(text, "makes you northside's agent: your discovery on 2027-03-01 started its own clock") {
		t.Errorf("the notice draft does not warn the agent:\n%s", text)
	}

	// A covered entity whose billing vendor is its agent: the vendor knew
	// on February 20, nine days before the clinic recorded discovery.
	ce := orgWith(workspace.RoleCoveredEntity)
	ce.Vendors = []workspace.Vendor{{ID: "billco", Name: "BillCo"}}
	ce.Agreements = []workspace.Agreement{{ID: "baa-billco", Kind: "baa", Counterparty: "billco", Direction: "downstream", Status: "executed", Effective: d("2026-01-01"), Agent: true}}
	own := breach("inc-billing", "2027-03-01", 40, nil)
	own.Timeline = []workspace.TimelineEntry{{Date: d("2027-02-20"), By: "billco", Note: "BillCo's engineer found the exposed bucket", Knew: true}}
	r = Deadlines(ce, own, d("2027-03-01"))
	if r.ClockStart != d("2027-02-20") || r.Notifications[0].Due != d("2027-04-21") {
		t.Errorf("clock from %s, individuals due %s; want 2027-02-20 and 2027-04-21", r.ClockStart, r.Notifications[0].Due)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "vendor billco, your agent under BAA baa-billco") {
		t.Errorf("warnings %q", r.Warnings)
	}
	// Not an agent: the vendor's knowledge is not the clinic's.
	ce.Agreements[0].Agent = false
	r = Deadlines(ce, own, d("2027-03-01"))
	if r.ClockStart != d("2027-03-01") || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "not recorded as your agent") {
		t.Errorf("non-agent vendor: clock %s, warnings %q", r.ClockStart, r.Warnings)
	}
}

// TestCFR164_404a2_EarlierKnowledgeOnTheTimelineStartsTheClock: discovery
// is the first day a workforce member knows of the breach
// (164.404(a)(2)). A timeline entry marked knew: true, dated before
// discovered, starts every clock, and ward warns naming the entry; an
// unmarked entry before discovered draws a warning only.
func TestCFR164_404a2_EarlierKnowledgeOnTheTimelineStartsTheClock(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("inc-late", "2027-05-20", 812, map[string]int{"CA": 640, "NV": 172})
	inc.Timeline = []workspace.TimelineEntry{
		{Date: d("2027-05-06"), By: "dana@acme.example", Note: "front desk told the privacy officer the files were gone", Knew: true},
		{Date: d("2027-05-20"), Note: "incident opened"},
	}
	r := Deadlines(ws, inc, d("2027-05-20"))
	if r.ClockStart != d("2027-05-06") {
		t.Fatalf("clock starts %s, want 2027-05-06", r.ClockStart)
	}
	for _, n := range r.Notifications {
		if n.Due != d("2027-07-05") { // 164.404(b): 60 days from 2027-05-06
			t.Errorf("%s due %s, want 2027-07-05", n.To, n.Due)
		}
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "timeline[0] (2027-05-06") || !strings.Contains(r.Warnings[0], "14 days before discovered") {
		t.Errorf("warnings %q", r.Warnings)
	}
	// Overdue on the real clock: ward check says so.
	ws.Incidents = []workspace.Incident{inc}
	fs := Check(ws, d("2027-07-06"))
	if len(fs) == 0 || fs[0].Severity != finding.Error || !strings.Contains(fs[0].Message, "was due 2027-07-05") {
		t.Errorf("findings %+v", fs)
	}
	// Unmarked: the clock stays, ward asks.
	inc.Timeline[0].Knew = false
	r = Deadlines(ws, inc, d("2027-05-20"))
	if r.ClockStart != d("2027-05-20") || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "mark the entry knew: true") {
		t.Errorf("unmarked: clock %s, warnings %q", r.ClockStart, r.Warnings)
	}
}

// TestCFR164_410_SubcontractorNotifiesTheBusinessAssociate: a
// subcontractor is a business associate of a business associate
// (160.103); its 164.410 notice goes to the business associate it serves,
// not to "the covered entity" (164.504(e)(5)), in the deadlines, the
// check message and the draft.
func TestCFR164_410_SubcontractorNotifiesTheBusinessAssociate(t *testing.T) {
	ws := &workspace.Workspace{
		Organization: workspace.Organization{Name: "Transcribe.ai", Roles: []string{workspace.RoleSubcontractor},
			Officers: workspace.Officers{Security: "kim@transcribe.example"}},
		Customers:  []workspace.Customer{{ID: "brightside", Name: "Brightside Telehealth", LivePHI: true}},
		Agreements: []workspace.Agreement{{ID: "baa-brightside", Kind: "baa", Counterparty: "brightside", Direction: "upstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 5}},
	}
	inc := breach("inc-sub", "2027-05-02", 300, nil)
	inc.Customers = []string{"brightside"}
	r := Deadlines(ws, inc, d("2027-05-02"))
	if got, want := tos(r.Notifications), []string{"business-associate 2027-05-07 brightside"}; !slices.Equal(got, want) {
		t.Fatalf("deadlines %v, want %v", got, want)
	}
	if got := Recipient(r.Notifications[0]); got != "business associate brightside" {
		t.Errorf("recipient %q", got)
	}
	if !strings.Contains(r.Reason, "you notify the business associate you serve (164.410)") {
		t.Errorf("reason %q", r.Reason)
	}
	ws.Incidents = []workspace.Incident{inc}
	fs := Check(ws, d("2027-05-02"))
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "Notice to business associate brightside") || !strings.Contains(fs[0].Message, "--to business-associate --customer brightside") || strings.Contains(fs[0].Message, "covered entity") {
		t.Errorf("check %+v", fs)
	}
	text := DraftCoveredEntityNotice(ws, inc, Determine(ws, inc), "brightside")
	for _, want := range []string{"subcontractor notice to a business associate", "As your subcontractor", "164.504(e)(5)", "Send by: 2027-05-07"} {
		if !strings.Contains(text, want) {
			t.Errorf("draft lacks %q", want)
		}
	}
	if strings.Contains(text, "As your business associate") {
		t.Error("the draft calls the business associate a covered entity's")
	}
	// Recorded as given.
	inc.Timeline = []workspace.TimelineEntry{{Date: d("2027-05-04"), Note: "notified:business-associate:brightside"}}
	if n := Deadlines(ws, inc, d("2027-05-04")).Notifications[0]; n.Sent != d("2027-05-04") {
		t.Errorf("not recorded as sent: %+v", n)
	}
}

// TestCFR164_404d_IndividualLetterMethods: the individual-notice draft
// says that in urgent cases notice may also be given by telephone, in
// addition to the written notice (164.404(d)(3)); that substitute notice
// is posted on the home page, or in major print or broadcast media in the
// geographic areas where the individuals likely reside
// (164.404(d)(2)(ii)(A)); and that a minor's notice goes to the personal
// representative (164.502(g)).
func TestCFR164_404d_IndividualLetterMethods(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("inc-1", "2027-05-02", 12, nil)
	text := DraftIndividualLetter(ws, inc, Determine(ws, inc))
	for _, want := range []string{
		"164.404(d)(3)", "by telephone or other means, in addition to this written notice",
		"home page of your web site", "in geographic areas where the individuals affected likely reside", "toll-free number active for at least 90 days",
		"164.502(g)", "parent, guardian",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
}

// TestCFR164_402_SafeHarborNeedsTheKeyUncompromised: encrypted PHI is
// secured only if the key was not breached (HHS guidance under 164.402,
// "unsecured protected health information"). Encrypted with the key
// compromised is a breach; encrypted with the key's fate unrecorded does
// not establish the safe harbor.
func TestCFR164_402_SafeHarborNeedsTheKeyUncompromised(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	cases := []struct {
		name   string
		key    *bool
		breach bool
		has    string
	}{
		{"encrypted, key not compromised: safe harbor", ptr(false), false, "key was not compromised"},
		{"encrypted, key compromised with the laptop: breach", ptr(true), true, "the key was compromised with it"},
		{"encrypted, key not recorded: safe harbor not established", nil, true, "Record key_compromised: false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inc := breach("inc-enc", "2027-05-02", 812, map[string]int{"CA": 812})
			inc.Encrypted, inc.KeyCompromised = true, c.key
			r := Deadlines(ws, inc, d("2027-05-02"))
			if r.Breach != c.breach || !strings.Contains(r.Reason, c.has) {
				t.Errorf("breach %v, reason %q", r.Breach, r.Reason)
			}
			if c.breach && len(r.Notifications) == 0 {
				t.Error("a breach with no notices")
			}
		})
	}
}

// TestCFR164_408b_UnknownHeadCountTakesTheProtectiveRoute: while the
// number of individuals is not known, HHS is dated with the individuals
// (164.408(b)), not the annual log (164.408(c)), and the assumption is
// said; once the count is known and under 500, the log.
func TestCFR164_408b_UnknownHeadCountTakesTheProtectiveRoute(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("inc-unknown", "2027-05-02", 0, nil)
	r := Deadlines(ws, inc, d("2027-05-02"))
	if got, want := tos(r.Notifications), []string{"individuals 2027-07-01", "media 2027-07-01", "hhs 2027-07-01"}; !slices.Equal(got, want) {
		t.Fatalf("deadlines %v, want %v", got, want)
	}
	if a := r.Notifications[2].Assumption; !strings.Contains(a, "not known yet") || !strings.Contains(a, "protective route") {
		t.Errorf("assumption %q", a)
	}
	if hhs := DraftHHSSummary(ws, inc, Determine(ws, inc)); !strings.Contains(hhs, "not known yet, so ward takes the protective route: submit by 2027-07-01") {
		t.Errorf("HHS draft:\n%s", hhs)
	}
	inc.Individuals = 40
	if got := tos(Deadlines(ws, inc, d("2027-05-02")).Notifications); got[1] != "hhs-annual-log 2028-02-29" {
		t.Errorf("40 individuals: %v", got)
	}
}

// TestCFR164_406_UnknownHeadCountDatesAMediaNotice: media notice is owed
// for more than 500 residents of a State or jurisdiction (164.406(a)),
// within 60 days of discovery (164.406(b)). While the number of
// individuals is not known, that cannot be ruled out: as for HHS
// (164.408(b)), ward dates a media notice with the individuals', says
// why, and ward check reports it near its date. Recording the notice as
// given (for a state) confirms it; recording the count clears it, or
// keeps it only for a state over 500.
func TestCFR164_406_UnknownHeadCountDatesAMediaNotice(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	inc := breach("inc-unknown", "2027-05-02", 0, nil)
	ws.Incidents = []workspace.Incident{inc}
	media := func(r Result) *Notification {
		for i, n := range r.Notifications {
			if n.To == ToMedia {
				return &r.Notifications[i]
			}
		}
		return nil
	}
	r := Deadlines(ws, inc, d("2027-05-02"))
	m := media(r)
	if m == nil {
		t.Fatalf("no media notice while the count is unknown: %v", tos(r.Notifications))
	}
	if m.Due != d("2027-07-01") || m.Citation != "164.406(b)" || m.State != "" {
		t.Errorf("media notice %+v, want due 2027-07-01 (60 days, 164.406(b)), no state", *m)
	}
	if !strings.Contains(m.Assumption, "not known yet") || !strings.Contains(m.Assumption, "164.406(a)") {
		t.Errorf("assumption %q", m.Assumption)
	}
	var text strings.Builder
	WriteText(&text, r)
	if !strings.Contains(text.String(), "prominent media outlets of each State") || !strings.Contains(text.String(), "protective route and dates a media notice") {
		t.Errorf("ward breach deadlines text:\n%s", text.String())
	}

	// ward check: not yet near its date, then 10 days before (breach.deadline).
	near := func(fs []finding.Finding) string {
		for _, f := range fs {
			if f.Rule == "breach.deadline" && strings.Contains(f.Message, "media") {
				return f.Message
			}
		}
		return ""
	}
	if msg := near(Check(ws, d("2027-05-02"))); msg != "" {
		t.Errorf("check 60 days ahead: %s", msg)
	}
	msg := near(Check(ws, d("2027-06-21")))
	if !strings.Contains(msg, "164.406(b)") || !strings.Contains(msg, "164.406(a)") || !strings.Contains(msg, "--to media --state ST") {
		t.Errorf("check 10 days before: %q", msg)
	}

	// Confirmed: the media of one state was told.
	told := inc
	told.NoticesSent = []workspace.NoticeSent{{To: ToMedia, State: "CA", Sent: d("2027-06-01"), By: "dana@acme.example"}}
	if r := Deadlines(ws, told, d("2027-06-21")); r.Find(ToMedia, "CA", "") == nil || media(r).Sent != d("2027-06-01") {
		t.Errorf("a media notice given in CA does not confirm it: %+v", media(r))
	}
	// Cleared: the count is known, no state over 500 (164.406(a)).
	counted := inc
	counted.Individuals, counted.States = 700, map[string]int{"CA": 400, "NV": 300}
	if m := media(Deadlines(ws, counted, d("2027-05-02"))); m != nil {
		t.Errorf("no state over 500, still a media notice: %+v", *m)
	}
	// Known, one state over 500: that state's notice only.
	counted.States = map[string]int{"CA": 640, "NV": 60}
	r = Deadlines(ws, counted, d("2027-05-02"))
	if m := media(r); m == nil || m.State != "CA" || m.Assumption != "" {
		t.Errorf("640 in CA: %v", tos(r.Notifications))
	}
}

// TestCFR164_412_TollingIsAnAssumptionWithTheStricterDate: ward tolls the
// 60 days by the length of a law-enforcement delay; it says that is its
// assumption and shows the stricter reading's date beside it (the delay
// only postpones: due when it ends, or at the 60 days if later), in the
// JSON, the text and ward check.
func TestCFR164_412_TollingIsAnAssumptionWithTheStricterDate(t *testing.T) {
	ws := orgWith(workspace.RoleCoveredEntity)
	// Discovered 2027-05-02: 60 days end 2027-07-01. Written delay
	// 2027-05-10 to 2027-06-15 (36 days): tolled 2027-08-06, strict
	// 2027-07-01. A delay past the 60 days: strict = its end.
	cases := []struct {
		until, due, strict string
	}{
		{"2027-06-15", "2027-08-06", "2027-07-01"},
		{"2027-07-20", "2027-09-10", "2027-07-20"},
	}
	for _, c := range cases {
		inc := breach("inc-le", "2027-05-02", 812, map[string]int{"CA": 640})
		inc.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d(c.until)}
		r := Deadlines(ws, inc, d("2027-05-02"))
		n := r.Notifications[0]
		if n.Due != d(c.due) || n.StrictDue != d(c.strict) || !strings.Contains(n.Assumption, "ward's assumption") || !strings.Contains(n.Assumption, "stricter reading it is due "+c.strict) {
			t.Errorf("until %s: %+v", c.until, n)
		}
		b, _ := json.Marshal(n)
		if !strings.Contains(string(b), `"strict_due":"`+c.strict+`"`) || !strings.Contains(string(b), `"assumption":`) {
			t.Errorf("JSON %s", b)
		}
		if !strings.Contains(r.Reason, "an assumption, not settled law") {
			t.Errorf("reason %q", r.Reason)
		}
	}
	// ward check: the tolled date is far, the strict one near: a warning.
	inc := breach("inc-le", "2027-05-02", 812, map[string]int{"CA": 640})
	inc.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d("2027-06-15")}
	ws.Incidents = []workspace.Incident{inc}
	fs := Check(ws, d("2027-06-25"))
	if len(fs) == 0 || fs[0].Severity != finding.Warning || !strings.Contains(fs[0].Message, "stricter reading of 164.412 it is due by 2027-07-01") {
		t.Errorf("findings %+v", fs)
	}
}
