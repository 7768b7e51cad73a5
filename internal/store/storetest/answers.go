package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ward/internal/secq"
	"ward/internal/store"
)

// testAnswers: approved answers and questionnaires under review are
// stored, listed, changed and retired with every step on the audit trail;
// a decision and the answer it approves are written together or not at
// all; applying the workspace files neither lists nor retires them; and
// another organization never sees them.
func testAnswers(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	other := mustOrg(t, s, "other")

	ap := secq.Approved{ID: "acc-mfa-workforce", Verdict: secq.Yes, Text: "Yes. Okta enforces MFA.", Aliases: []string{"Is 2FA on for staff?"},
		Basis: map[string]string{"mfa": "implemented/met"}, ApprovedBy: "dana@acme.example", ApprovedOn: d("2027-03-01")}
	c, err := o.SaveApproved(ctx, "dana@acme.example", ap)
	if err != nil || c.Action != "create" || c.Key != ap.ID {
		t.Fatalf("save = %+v, %v", c, err)
	}
	got, err := o.ApprovedAnswers(ctx)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], ap) {
		t.Fatalf("answers = %+v, %v; want %+v", got, err, ap)
	}
	if c, err := o.SaveApproved(ctx, "dana@acme.example", ap); err != nil || c.Action != "" {
		t.Errorf("saving it unchanged = %+v, %v: want no change", c, err)
	}
	ap.Text, ap.ApprovedOn = "Yes. Okta enforces phishing-resistant MFA.", d("2027-04-02")
	if c, err := o.SaveApproved(ctx, "raj@acme.example", ap); err != nil || c.Action != "update" || !slices.Equal(c.Fields, []string{"text", "approved_on"}) {
		t.Errorf("update = %+v, %v", c, err)
	}
	// A bad approval is refused whole.
	bad := ap
	bad.ID = "no-such-question"
	if _, err := o.SaveApproved(ctx, "x", bad); err == nil || !strings.Contains(err.Error(), "not a bank question") {
		t.Errorf("saving an answer to no bank question: %v", err)
	}

	// Applying the workspace again neither retires nor lists them.
	if cs := mustApply(t, o, Acme()); len(cs) != 0 {
		t.Errorf("re-apply = %v", summary(cs))
	}
	if got, _ := o.ApprovedAnswers(ctx); len(got) != 1 {
		t.Errorf("after apply: %d answers", len(got))
	}
	if counts, _ := o.Counts(ctx); counts[store.KindSystem] == 0 {
		t.Errorf("counts = %v", counts)
	}

	// A questionnaire under review, and a decision with its approval.
	sha := strings.Repeat("ab", 32)
	r := secq.Review{ID: secq.ReviewID(sha), Name: "mercy.xlsx", SHA256: sha, Size: 9000, Sheet: "Vendor Assessment", Question: "C", Answer: "D",
		Uploaded: d("2027-04-03"), UploadedBy: "dana@acme.example"}
	if _, err := o.AddAnswerSheet(ctx, "dana@acme.example", r); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddAnswerSheet(ctx, "dana@acme.example", r); !errors.Is(err, store.ErrConflict) {
		t.Errorf("the same file twice: %v, want ErrConflict", err)
	}
	own := secq.Approved{ID: "own-epic-integration", Question: "Do you integrate with Epic?", Verdict: secq.Yes, Text: "Yes, through FHIR.",
		Controls: []string{"processing-specifications"}, ApprovedBy: "dana@acme.example", ApprovedOn: d("2027-04-03")}
	r.Decide(secq.Decision{Row: 7, Action: secq.Edit, Target: own.ID, By: "dana@acme.example", On: d("2027-04-03")})
	cs, err := o.Decide(ctx, "dana@acme.example", r, &own)
	if err != nil || !slices.Equal(summary(cs), []string{"update answer_sheet " + r.ID + " (decisions)", "create answer " + own.ID}) {
		t.Fatalf("decide = %v, %v", summary(cs), err)
	}
	back, err := o.AnswerSheet(ctx, r.ID)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("sheet = %+v, %v", back, err)
	}
	// All or nothing: a decision whose approval is invalid writes neither.
	h := head(t, o)
	r.Decide(secq.Decision{Row: 8, Action: secq.Accept, Target: "gov-hitrust", By: "dana@acme.example", On: d("2027-04-03")})
	if _, err := o.Decide(ctx, "dana@acme.example", r, &secq.Approved{ID: "gov-hitrust"}); err == nil {
		t.Error("a decision with an empty approval was stored")
	}
	if head(t, o) != h {
		t.Error("a refused decision moved the audit trail")
	}
	if back, _ := o.AnswerSheet(ctx, r.ID); len(back.Decisions) != 1 {
		t.Errorf("a refused decision was stored: %+v", back.Decisions)
	}

	// Retired, kept, and no longer listed.
	if err := o.Retire(ctx, "raj@acme.example", store.KindAnswer, ap.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = o.ApprovedAnswers(ctx)
	if len(got) != 1 || got[0].ID != own.ID {
		t.Errorf("after retiring: %+v", got)
	}
	if ret, err := o.Retired(ctx, store.KindAnswer); err != nil || len(ret) != 1 || ret[0].Key != ap.ID {
		t.Errorf("retired = %+v, %v", ret, err)
	}
	hist, _ := o.History(ctx, store.KindAnswer, ap.ID)
	var acts []string
	for _, h := range hist {
		acts = append(acts, h.Actor+" "+h.Action)
	}
	if !slices.Equal(acts, []string{"dana@acme.example create", "raj@acme.example update", "raj@acme.example retire"}) {
		t.Errorf("history = %q", acts)
	}
	// The workspace is as it was.
	ws, err := o.Workspace(ctx)
	if err != nil || len(ws.Systems) != len(Acme().Systems) {
		t.Errorf("workspace after answers: %v", err)
	}

	// Another organization sees none of it.
	if got, _ := other.ApprovedAnswers(ctx); len(got) != 0 {
		t.Errorf("other org sees %d answers", len(got))
	}
	if _, err := other.AnswerSheet(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other org reads the questionnaire: %v", err)
	}
	mustVerify(t, o)
}
