package secq

import (
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/workspace"
)

var asOf = date.MustParse("2027-03-15")

// org is a small business associate: MFA implemented with current
// evidence, remote access in progress, encryption at rest implemented
// without evidence, the clearinghouse control not applicable.
func org() *workspace.Workspace {
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme", Roles: []string{workspace.RoleBusinessAssociate},
			Officers: workspace.Officers{Security: "raj@acme.example", Privacy: "dana@acme.example"},
			SOC2:     workspace.SOC2{Type: "type2", ObservationStart: date.MustParse("2027-01-01"), ObservationMonths: 6}},
		People:  []workspace.Person{{Email: "raj@acme.example", Name: "Raj Patel"}, {Email: "dana@acme.example", Name: "Dana Kim"}},
		Vendors: []workspace.Vendor{{ID: "aws", Name: "Amazon Web Services"}, {ID: "twilio", Name: "Twilio"}},
		Systems: []workspace.System{
			{ID: "api", Kind: "service", Vendor: "aws", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{ID: "sms", Kind: "saas", Vendor: "twilio", PHI: true, LivePHI: true, EncryptedAtRest: false},
		},
		Agreements: []workspace.Agreement{
			{ID: "baa-aws", Kind: "baa", Counterparty: "aws", Direction: "downstream", Status: "executed", Effective: date.MustParse("2026-01-10")},
		},
		Controls: []workspace.Control{
			{ID: "mfa", Status: "implemented", Frequency: "quarterly"},
			{ID: "remote-access", Status: "in-progress"},
			{ID: "encryption-at-rest", Status: "implemented", Frequency: "annual"},
			{ID: "clearinghouse-isolation", Status: "not-applicable", Justification: "no part of the company is a clearinghouse"},
			{ID: "environment-separation", Status: "implemented", Frequency: "annual"},
			{ID: "vendor-inventory", Status: "implemented", Frequency: "annual"},
		},
		Evidence: []workspace.Evidence{
			{ID: "ev-1", Control: "mfa", Collected: date.MustParse("2027-02-01"), Note: "IdP MFA report"},
			{ID: "ev-2", Control: "environment-separation", Collected: date.MustParse("2026-12-01")},
			{ID: "ev-3", Control: "vendor-inventory", Collected: date.MustParse("2027-01-05")},
		},
	}
}

func answerer(ws *workspace.Workspace, approved ...Approved) *Answerer {
	return NewAnswerer(Default(), ws, catalog.Default(), asOf, approved, Options{})
}

func TestVerdictOf(t *testing.T) {
	met := Basis{Adopted: true, State: posture.Met}
	part := Basis{Adopted: true, State: posture.Partial}
	notMet := Basis{Adopted: true, State: posture.NotMet}
	na := Basis{Adopted: true, State: posture.NotApplicable}
	none := Basis{State: posture.NotMet}
	for _, tc := range []struct {
		name  string
		logic string
		bases []Basis
		want  Verdict
	}{
		{"all met", LogicAll, []Basis{met, met}, Yes},
		{"met and not applicable", LogicAll, []Basis{met, na}, Yes},
		{"one partly met", LogicAll, []Basis{met, part}, Partial},
		{"one not adopted", LogicAll, []Basis{met, none}, Partial},
		{"only planned", LogicAll, []Basis{notMet}, No},
		{"nothing adopted", LogicAll, []Basis{none, none}, No},
		{"all not applicable", LogicAll, []Basis{na}, NotApplicable},
		{"any: one met is enough", LogicAny, []Basis{met, none}, Yes},
		{"any: none met", LogicAny, []Basis{part, none}, Partial},
	} {
		if got := verdictOf(tc.logic, tc.bases); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAnswerFromControls(t *testing.T) {
	an := answerer(org())
	for _, tc := range []struct {
		id      string
		verdict Verdict
		review  bool
		text    []string // the answer text contains each
	}{
		// MFA implemented with evidence in the current quarter.
		{"acc-mfa-workforce", Yes, false, []string{"Yes. Multi-factor authentication is enforced", "Evidence last collected 2027-02-01."}},
		// MFA met, remote access being put in place.
		{"acc-mfa-remote", Partial, true, []string{"Partial.", "Multi-factor authentication: in place.", "Secure remote administrative access: being put in place."}},
		// Encryption at rest implemented without evidence; one PHI system unencrypted.
		{"enc-at-rest", Partial, true, []string{"Partial. Databases, object storage", "Encryption of data at rest: in place; its evidence is not yet recorded.", "1 of 2 systems that hold PHI are encrypted at rest; not yet: sms."}},
		// Not adopted at all.
		{"hr-phishing", No, true, []string{"No.", "Phishing simulations: not yet in place."}},
		// Not applicable, with the justification.
		{"acc-tenant-isolation", No, true, nil},
		// A negative question: real PHI is kept out of testing, so "no".
		{"dev-test-data", No, false, []string{"No. Real PHI is not used outside production"}},
		// The SOC 2 fact decides: the observation window runs to 2027-06-30.
		{"gov-soc2-report", Partial, true, []string{"observation period runs from 2027-01-01 to 2027-06-30"}},
		// A manual question is a draft, always for review.
		{"bcp-uptime-sla", Undecided, true, nil},
		// Subprocessors: Twilio holds PHI without a BAA.
		{"ven-subprocessors", Partial, true, []string{"Amazon Web Services (BAA in force since 2026-01-10)", "Twilio (no BAA in force)"}},
	} {
		ans, ok := an.Answer(tc.id)
		if !ok {
			t.Fatalf("%s: not answered", tc.id)
		}
		if ans.Verdict != tc.verdict || ans.Review != tc.review {
			t.Errorf("%s: verdict %q review %v, want %q %v (%s; %v)", tc.id, ans.Verdict, ans.Review, tc.verdict, tc.review, ans.Text, ans.Reasons)
		}
		for _, s := range tc.text {
			if !strings.Contains(ans.Text, s) {
				t.Errorf("%s: text %q lacks %q", tc.id, ans.Text, s)
			}
		}
		if len(ans.Sources) == 0 || !strings.Contains(ans.Sources[0], tc.id) {
			t.Errorf("%s: sources %v do not name the bank question", tc.id, ans.Sources)
		}
	}
}

func TestAnswerNotApplicable(t *testing.T) {
	ws := org()
	ws.Controls = append(ws.Controls, workspace.Control{ID: "group-health-plan-documents", Status: "not-applicable", Justification: "we are not a group health plan"})
	b, _ := Load([]byte(`bank: {id: b, version: "1", source: s, published: "2026-01-01"}
domains: [{id: d, name: D}]
questions: [{id: q-plan, domain: d, question: Do plan documents bind the sponsor?, answer: They do., controls: [group-health-plan-documents]}]`), catalog.Default())
	ans, _ := NewAnswerer(b, ws, catalog.Default(), asOf, nil, Options{}).Answer("q-plan")
	if ans.Verdict != NotApplicable || !strings.Contains(ans.Text, "we are not a group health plan") {
		t.Fatalf("%q %q", ans.Verdict, ans.Text)
	}
}

func TestNarrativeCitesPolicies(t *testing.T) {
	an := NewAnswerer(Default(), org(), catalog.Default(), asOf, nil, Options{Policies: func(c string) []PolicyRef {
		if c == "mfa" {
			return []PolicyRef{{ID: "access-control", Title: "Access Control Policy", Reviewed: date.MustParse("2026-09-01")}}
		}
		return nil
	}})
	ans, _ := an.Answer("acc-mfa-workforce")
	if !strings.Contains(ans.Text, "Policy: Access Control Policy (reviewed 2026-09-01).") {
		t.Fatalf("%s", ans.Text)
	}
	if !strings.Contains(strings.Join(ans.Sources, "; "), "policy Access Control Policy") {
		t.Fatalf("sources %v", ans.Sources)
	}
}

// An approved answer is reused as approved until a control under it
// changes; then ward's fresh answer comes back, marked for review.
func TestApprovedAnswerReusedUntilTheControlChanges(t *testing.T) {
	ws := org()
	an := answerer(ws)
	ap := an.Approve(nil, "acc-mfa-workforce", "", Yes, "Yes. Okta enforces push MFA for everyone.", nil, "Is 2FA on for staff?", "dana@acme.example")
	if ap.ApprovedOn != asOf || ap.Basis["mfa"] != "implemented/met" || len(ap.Aliases) != 1 {
		t.Fatalf("approval: %+v", ap)
	}
	if err := ap.Check(Default()); err != nil {
		t.Fatal(err)
	}
	ans, _ := answerer(ws, ap).Answer("acc-mfa-workforce")
	if ans.Text != ap.Text || ans.Review || ans.Stale || !strings.HasPrefix(ans.Sources[0], "approved by dana@acme.example on 2027-03-15") {
		t.Fatalf("approved answer not reused: %+v", ans)
	}
	// MFA falls back to in progress: the approval no longer holds.
	ws.Controls[0].Status = "in-progress"
	ans, _ = answerer(ws, ap).Answer("acc-mfa-workforce")
	if !ans.Stale || !ans.Review || ans.Text == ap.Text || ans.Verdict != Partial {
		t.Fatalf("a changed control did not put the answer back to review: %+v", ans)
	}
	if !strings.Contains(ans.Reasons[0], "mfa was implemented/met, is in-progress/partial") {
		t.Fatalf("reasons %v", ans.Reasons)
	}
}

func TestOwnEntry(t *testing.T) {
	an := answerer(org())
	q := "Do you support Epic App Orchard integration?"
	ap := an.Approve(nil, OwnID(q), q, Yes, "Yes. We are listed in Epic's marketplace.", []string{"processing-specifications"}, "", "dana@acme.example")
	if ap.ID != "own-support-epic-app-orchard-integration" || ap.Check(Default()) != nil {
		t.Fatalf("%+v %v", ap, ap.Check(Default()))
	}
	an = answerer(org(), ap)
	ix := NewIndex(Default(), an.Aliases())
	rows := AnswerRows(ix, an, []Item{{Row: 3, Ref: "IN-9", Question: "Do you support Epic App Orchard integration?"}}, DefaultThreshold)
	if rows[0].Target() != ap.ID || rows[0].Answer != ap.Text || rows[0].Review {
		t.Fatalf("%+v", rows[0])
	}
}

func TestApprovedCheck(t *testing.T) {
	good := Approved{ID: "acc-mfa-workforce", Verdict: Yes, Text: "Yes.", ApprovedBy: "a@b", ApprovedOn: asOf}
	for _, tc := range []struct {
		name string
		edit func(*Approved)
		want string
	}{
		{"unknown bank id", func(a *Approved) { a.ID = "nope" }, "not a bank question"},
		{"empty text", func(a *Approved) { a.Text = " " }, "empty"},
		{"bad verdict", func(a *Approved) { a.Verdict = "maybe" }, "verdict"},
		{"no approver", func(a *Approved) { a.ApprovedBy = "" }, "who approved"},
		{"own without question", func(a *Approved) { a.ID = "own-x" }, "needs the question"},
	} {
		ap := good
		tc.edit(&ap)
		if err := ap.Check(Default()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if err := good.Check(Default()); err != nil {
		t.Error(err)
	}
}

func TestAnswerRowsLeavesLowConfidenceForReview(t *testing.T) {
	an := answerer(org())
	ix := NewIndex(Default(), nil)
	rows := AnswerRows(ix, an, []Item{
		{Row: 5, Ref: "A-1", Question: "Is multi-factor authentication required for staff logging in to systems with ePHI?"},
		{Row: 6, Ref: "A-2", Question: "What is the vendor's annual revenue?"},
	}, DefaultThreshold)
	if rows[0].Target() != "acc-mfa-workforce" || rows[0].Review || rows[0].Answer == "" || len(rows[0].Controls) != 1 {
		t.Errorf("row 5: %+v", rows[0])
	}
	if rows[1].Match != nil || !rows[1].Review || rows[1].Answer != "" {
		t.Errorf("row 6 was guessed at: %+v", rows[1])
	}
	fills := Fills(rows, true, []string{"Yes", "No"})
	if fills[0].Answer != "Yes" || !strings.Contains(fills[0].Comment, "[ward] matched acc-mfa-workforce") {
		t.Errorf("fill 5: %+v", fills[0])
	}
	if fills[1].Answer != "" || !fills[1].Review || !strings.Contains(fills[1].Comment, "NEEDS REVIEW") {
		t.Errorf("fill 6: %+v", fills[1])
	}
	// A verdict the sheet's drop-down does not offer goes to review.
	rows = AnswerRows(ix, an, []Item{{Row: 7, Question: "Is MFA enforced for remote access and VPN connections?"}}, DefaultThreshold)
	if f := Fills(rows, true, []string{"Yes", "No"})[0]; f.Answer != "Partial" || !f.Review || !strings.Contains(f.Comment, `"Partial" is not one of the sheet's choices`) {
		t.Errorf("fill 7: %+v", f)
	}
}

// A negative question is answered "no" only when the controls that rule
// it out operate; otherwise ward does not claim the opposite.
func TestNegativeQuestionWithoutItsControls(t *testing.T) {
	ws := org()
	ws.Controls = ws.Controls[:4] // no environment-separation
	ans, _ := answerer(ws).Answer("dev-test-data")
	if ans.Verdict != Undecided || !ans.Review || !strings.Contains(ans.Text, "Production separated from development: not yet in place.") {
		t.Fatalf("%q %v %q %v", ans.Verdict, ans.Review, ans.Text, ans.Reasons)
	}
}

// The workspace's policies that name a control and are in force are cited
// with their last review; a draft or a retired one is not.
func TestWorkspacePolicies(t *testing.T) {
	ws := org()
	ws.Policies = []workspace.Policy{
		{ID: "access", Title: "Access Control Policy", Controls: []string{"mfa", "unique-user-ids"},
			Versions: []workspace.PolicyVersion{{Version: 1, File: "p/access.md", ApprovedBy: "raj@acme.example", ApprovedOn: date.MustParse("2026-06-01")}},
			Reviews:  []workspace.PolicyReview{{On: date.MustParse("2027-01-10"), By: "raj@acme.example"}}},
		{ID: "draft", Title: "Remote Work Policy", Controls: []string{"mfa"}, Versions: []workspace.PolicyVersion{{Version: 1, File: "p/remote.md"}}},
		{ID: "old", Title: "Old Access Policy", Controls: []string{"mfa"}, RetiredOn: date.MustParse("2026-12-31"),
			Versions: []workspace.PolicyVersion{{Version: 1, File: "p/old.md", ApprovedBy: "raj@acme.example", ApprovedOn: date.MustParse("2025-01-01")}}},
	}
	an := NewAnswerer(Default(), ws, catalog.Default(), asOf, nil, Options{Policies: WorkspacePolicies(ws, asOf)})
	ans, _ := an.Answer("acc-mfa-workforce")
	if !strings.Contains(ans.Text, "Policy: Access Control Policy (reviewed 2027-01-10).") || strings.Contains(ans.Text, "Remote Work") || strings.Contains(ans.Text, "Old Access") {
		t.Fatalf("%s", ans.Text)
	}
}
