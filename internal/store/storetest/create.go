package storetest

import (
	"errors"
	"slices"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// testSave: Save adds several records in one transaction, each an
// audited create; a key already taken (live or retired) or given twice
// fails the whole call and writes nothing.
func testSave(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	ra := workspace.RiskAnalysis{ID: "ra-2027", Performed: d("2027-11-20"), Previous: "ra-2026"}
	r1 := workspace.Risk{ID: "ra-2027-ransomware", Analysis: "ra-2027", Asset: "patient-api", Threat: "ransomware",
		Vulnerability: "unpatched-software", Likelihood: 4, Impact: 5, Treatment: "mitigate", Due: d("2028-01-31")}
	r2 := r1
	r2.ID, r2.Threat = "ra-2027-phishing", "credential-phishing"

	before := head(t, o)
	cs, err := o.Save(ctx, "dana@acme.example",
		store.Edit{Kind: store.KindRiskAnalysis, Value: ra},
		store.Edit{Kind: store.KindRisk, Value: r1},
		store.Edit{Kind: store.KindRisk, Value: r2})
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, want := summary(cs), []string{"create risk_analysis ra-2027", "create risk ra-2027-ransomware", "create risk ra-2027-phishing"}; !slices.Equal(got, want) {
		t.Errorf("Save changes = %q, want %q", got, want)
	}
	if h := head(t, o); h.Seq != before.Seq+3 {
		t.Errorf("audit head moved %d entries, want 3 (one per record)", h.Seq-before.Seq)
	}
	mustVerify(t, o)
	ws, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range ws.Risks {
		ids = append(ids, r.ID)
	}
	if want := []string{"r-ransomware", "ra-2027-ransomware", "ra-2027-phishing"}; !slices.Equal(ids, want) {
		t.Errorf("risks after Save = %q, want %q (new ones last, in the order given)", ids, want)
	}

	// Taken keys: live, retired, or twice in one call. Nothing is written.
	if err := o.Retire(ctx, "dana@acme.example", store.KindRisk, "ra-2027-phishing"); err != nil {
		t.Fatal(err)
	}
	fresh := r1
	fresh.ID = "ra-2027-new"
	for name, recs := range map[string][]store.Edit{
		"live":    {{Kind: store.KindRisk, Value: fresh}, {Kind: store.KindRisk, Value: r1}},
		"retired": {{Kind: store.KindRisk, Value: fresh}, {Kind: store.KindRisk, Value: r2}},
		"twice":   {{Kind: store.KindRisk, Value: fresh}, {Kind: store.KindRisk, Value: fresh}},
	} {
		h := head(t, o)
		if _, err := o.Save(ctx, "dana@acme.example", recs...); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: Save = %v, want ErrConflict", name, err)
		}
		if head(t, o) != h {
			t.Errorf("%s: a failed Save wrote to the audit trail", name)
		}
		var got workspace.Risk
		if err := o.Get(ctx, store.KindRisk, "ra-2027-new", &got); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: a failed Save stored ra-2027-new (%v)", name, err)
		}
	}
	// An update in the same call changes a live record; one that is not
	// live fails the call.
	moved := r1
	moved.Likelihood = 2
	cs, err = o.Save(ctx, "dana@acme.example", store.Edit{Kind: store.KindRisk, Value: fresh}, store.Edit{Kind: store.KindRisk, Value: moved, Update: true})
	if got, want := summary(cs), []string{"create risk ra-2027-new", "update risk ra-2027-ransomware (likelihood)"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Save create+update = %q, %v; want %q", got, err, want)
	}
	hist, err := o.History(ctx, store.KindRisk, "ra-2027-ransomware")
	if err != nil || len(hist) != 2 || hist[0].Action != "create" || hist[1].Action != "update" ||
		!slices.Equal(hist[1].Fields, []string{"likelihood"}) || hist[1].Actor != "dana@acme.example" {
		t.Errorf("History = %+v, %v; want create then update (likelihood) by dana", hist, err)
	}
	gone := r2
	gone.Likelihood = 1
	if _, err := o.Save(ctx, "dana@acme.example", store.Edit{Kind: store.KindRisk, Value: gone, Update: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update of a retired record = %v, want ErrNotFound", err)
	}
	if _, err := o.Save(ctx, "", store.Edit{Kind: store.KindRisk, Value: fresh}); err == nil {
		t.Error("Save without an actor was accepted")
	}
	if _, err := o.Save(ctx, "dana@acme.example", store.Edit{Kind: store.KindRisk, Value: map[string]any{"id": "x", "colour": "red"}}); err == nil {
		t.Error("Save with an unknown field was accepted")
	}
}
