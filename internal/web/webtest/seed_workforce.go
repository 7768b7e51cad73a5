package webtest

import (
	"context"
	"strings"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// The workforce's documentation in the web app (issue 18): policies,
// trainings, acknowledgements, the people page and a member's own tasks.

// Policy texts: v1 carries raw HTML and a javascript: link, which the
// pages must never pass through.
const (
	sanctionsV1 = "# Sanctions policy\n\nLevel 1: a warning.\n\n<script>alert('owned')</script>\n\n[click me](javascript:alert(2))\n"
	sanctionsV2 = "# Sanctions policy\n\nLevel 1: a warning.\n\nLevel 2: pasting PHI into an AI tool without a BAA.\n"
	aupV1       = "# Acceptable use\n\nUse company devices for company work.\n"
)

// workforceDays are the seed's dates, relative to today so that the
// rules (nothing dated in the future) hold whenever the tests run.
type workforceDays struct {
	Today, V1Approved, AupApproved, memberStart, NewHireStart, leaverEnd date.Date
}

// SeedWorkforce gives alpha a workforce: people for the member, the
// editor (who may approve) and others, two policies (sanctions v1
// approved, v2 a draft; acceptable use v1 approved), a training and a
// reminder. The member acknowledged sanctions v1.
func (e *TestEnv) SeedWorkforce() workforceDays {
	e.T.Helper()
	ctx := context.Background()
	today := date.Of(time.Now().UTC())
	d := workforceDays{Today: today, V1Approved: today.AddDays(-200), AupApproved: today.AddDays(-10),
		memberStart: today.AddDays(-400), NewHireStart: today.AddDays(-40), leaverEnd: today.AddDays(-10)}
	blob := func(text string) string {
		sha, _, err := e.Store.Blobs().Put(strings.NewReader(text))
		if err != nil {
			e.T.Fatal(err)
		}
		return sha
	}
	a := e.Store.Org(e.OrgA)
	if _, err := a.Put(ctx, "test", store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleBusinessAssociate}, Answers: workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true}}); err != nil {
		e.T.Fatal(err)
	}
	recs := []struct {
		kind, key string
		v         any
	}{
		{store.KindPerson, "dana@alpha.example", workspace.Person{Email: "dana@alpha.example", Name: "Dana Kim", Role: "coo", Start: today.AddDays(-800)}},
		{store.KindPerson, "member@alpha.example", workspace.Person{Email: "member@alpha.example", Name: "Tom Nguyen", Role: "Data engineer", Start: d.memberStart}},
		{store.KindPerson, "editor@alpha.example", workspace.Person{Email: "editor@alpha.example", Name: "Eve Lead", Role: "Compliance lead", Start: today.AddDays(-700)}},
		{store.KindPerson, "new@alpha.example", workspace.Person{Email: "new@alpha.example", Name: "Nia New", Role: "Support", Start: d.NewHireStart}},
		{store.KindPerson, "gone@alpha.example", workspace.Person{Email: "gone@alpha.example", Name: "Gus Gone", Role: "Data engineer", Start: today.AddDays(-900), End: d.leaverEnd, Access: []string{"patient-api"}}},
		{store.KindPolicy, "sanctions", workspace.Policy{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Owner: "dana@alpha.example", Versions: []workspace.PolicyVersion{
			{Version: 1, File: "policies/sanctions-v1.md", SHA256: blob(sanctionsV1), ApprovedBy: "dana@alpha.example", ApprovedOn: d.V1Approved},
			{Version: 2, File: "policies/sanctions-v2.md", SHA256: blob(sanctionsV2), Changes: "Level 2 names AI tools."},
		}}},
		{store.KindPolicy, "acceptable-use", workspace.Policy{ID: "acceptable-use", Title: "Acceptable use policy", Template: "acceptable-use", Versions: []workspace.PolicyVersion{
			{Version: 1, File: "policies/acceptable-use-v1.md", SHA256: blob(aupV1), ApprovedBy: "dana@alpha.example", ApprovedOn: d.AupApproved},
		}}},
		{store.KindTraining, "hipaa-awareness", workspace.Training{ID: "hipaa-awareness", Title: "HIPAA awareness"}},
		{store.KindAcknowledgement, "member@alpha.example|sanctions|1", workspace.Acknowledgement{Person: "member@alpha.example", Policy: "sanctions", Version: 1, On: d.V1Approved.AddDays(3)}},
		{store.KindTrainingRecord, "member@alpha.example|hipaa-awareness|" + today.AddDays(-300).String(), workspace.TrainingRecord{Person: "member@alpha.example", Training: "hipaa-awareness", Completed: today.AddDays(-300)}},
		{store.KindReminder, today.AddDays(-5).String() + " No PHI in AI tools", workspace.Reminder{On: today.AddDays(-5), Title: "No PHI in AI tools", Link: "javascript:alert(3)"}},
	}
	for _, r := range recs {
		if _, err := a.Put(ctx, "dana@alpha.example", r.kind, r.key, r.v); err != nil {
			e.T.Fatalf("seed %s %s: %v", r.kind, r.key, err)
		}
	}
	return d
}
