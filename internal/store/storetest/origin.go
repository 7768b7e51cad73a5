package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// keptKeys lists kept records as "reason kind key".
func keptKeys(ks []store.Kept) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Reason+" "+k.Kind+" "+k.Key)
	}
	slices.Sort(out)
	return out
}

func live(t *testing.T, o *store.OrgStore, kind, key string) bool {
	t.Helper()
	var v map[string]any
	err := o.Get(ctx, kind, key, &v)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// Issue 20, finding 1: apply retired what the web app created, open
// incident included. Records made in the web survive an apply of files
// that do not name them, and apply says it kept them.
func testApplyKeepsWebRecords(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	web := []struct {
		kind, key string
		rec       any
	}{
		{store.KindVendor, "acme-cloud", workspace.Vendor{ID: "acme-cloud", Name: "Acme Cloud"}},
		{store.KindSystem, "fax-bridge", workspace.System{ID: "fax-bridge", Kind: "saas", Vendor: "acme-cloud", PHI: true}},
		{store.KindFlow, "patient-api->fax-bridge", workspace.Flow{From: "patient-api", To: "fax-bridge", PHI: true, EncryptedInTransit: true}},
		{store.KindAgreement, "baa-acme-cloud", workspace.Agreement{ID: "baa-acme-cloud", Kind: "baa", Counterparty: "acme-cloud", Direction: "downstream", Status: "sent"}},
		{store.KindIncident, "inc-2027-009", workspace.Incident{ID: "inc-2027-009", Discovered: d("2027-06-01"), Summary: "misdirected fax", PHIInvolved: true, Individuals: 3}},
	}
	for _, r := range web {
		if _, err := o.Put(ctx, "dana@acme.example", r.kind, r.key, r.rec); err != nil {
			t.Fatalf("web create %s %s: %v", r.kind, r.key, err)
		}
	}
	h := head(t, o)
	res, err := o.ApplyWorkspace(ctx, "raj@acme.example", Acme(), store.ApplyOptions{})
	if err != nil {
		t.Fatalf("apply of the files: %v", err)
	}
	if len(res.Changes) != 0 || len(res.Drift) != 0 {
		t.Errorf("apply of unchanged files: changes %v, drift %+v; want none", summary(res.Changes), res.Drift)
	}
	want := []string{"web agreement baa-acme-cloud", "web flow patient-api->fax-bridge", "web incident inc-2027-009", "web system fax-bridge", "web vendor acme-cloud"}
	if got := keptKeys(res.Kept); !slices.Equal(got, want) {
		t.Errorf("kept = %q, want %q", got, want)
	}
	for _, r := range web {
		if !live(t, o, r.kind, r.key) {
			t.Errorf("%s %s made in the web was retired by apply", r.kind, r.key)
		}
	}
	if got := head(t, o); got != h {
		t.Errorf("an apply that changed nothing moved the head %+v -> %+v", h, got)
	}

	// The files name the web's vendor as it is: they take it over, and a
	// later apply without it retires it like any record of theirs.
	ws := Acme()
	ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "acme-cloud", Name: "Acme Cloud"})
	if cs := mustApply(t, o, ws); len(cs) != 0 {
		t.Errorf("files naming the web's vendor as it is: %v, want no change", summary(cs))
	}
	ws.Systems = append(ws.Systems, workspace.System{ID: "fax-bridge", Kind: "saas", Vendor: "acme-cloud", PHI: true})
	ws.Flows = append(ws.Flows, workspace.Flow{From: "patient-api", To: "fax-bridge", PHI: true, EncryptedInTransit: true})
	ws.Agreements = append(ws.Agreements, workspace.Agreement{ID: "baa-acme-cloud", Kind: "baa", Counterparty: "acme-cloud", Direction: "downstream", Status: "sent"})
	mustApply(t, o, ws)
	if cs := mustApply(t, o, Acme()); !sameSet(summary(cs), []string{"retire flow patient-api->fax-bridge", "retire vendor acme-cloud", "retire agreement baa-acme-cloud", "retire system fax-bridge"}) {
		t.Errorf("files dropping what they took over: %v", summary(cs))
	}
	if !live(t, o, store.KindIncident, "inc-2027-009") {
		t.Error("the web's incident was retired")
	}
	mustVerify(t, o)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A record the files manage, changed in the web since the last apply,
// stops the apply (nothing written) until it is told which side wins.
func testApplyDrift(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	sys := Acme().Systems[0]
	sys.Name = "Patient API (v2)"
	sys.Description = "moved to the new cluster"
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, sys.ID, sys); err != nil {
		t.Fatal(err)
	}
	h := head(t, o)
	for _, dry := range []bool{true, false} {
		res, err := o.ApplyWorkspace(ctx, "raj@acme.example", Acme(), store.ApplyOptions{DryRun: dry})
		if !errors.Is(err, store.ErrDrift) {
			t.Fatalf("apply (dry run %v) over a web edit = %v, want ErrDrift", dry, err)
		}
		if len(res.Drift) != 1 {
			t.Fatalf("drift = %+v, want the one system", res.Drift)
		}
		dr := res.Drift[0]
		if dr.Kind != store.KindSystem || dr.Key != "patient-api" || dr.By != "dana@acme.example" || dr.Action != "update" || dr.At.IsZero() ||
			!slices.Equal(dr.Fields, []string{"name", "description"}) || dr.Resolved != "" {
			t.Errorf("drift = %+v", dr)
		}
		if got := head(t, o); got != h {
			t.Errorf("an apply stopped on drift moved the head")
		}
		var back workspace.System
		if o.Get(ctx, store.KindSystem, "patient-api", &back); back.Name != sys.Name {
			t.Errorf("an apply stopped on drift changed the record: %+v", back)
		}
	}

	// --adopt keeps the web's version; the stale files no longer stop
	// the apply, and changing them later wins as usual.
	res, err := o.ApplyWorkspace(ctx, "raj@acme.example", Acme(), store.ApplyOptions{Drift: store.DriftAdopt})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(res.Changes); !slices.Equal(got, []string{"adopt system patient-api"}) || len(res.Drift) != 1 || res.Drift[0].Resolved != store.DriftAdopt {
		t.Errorf("adopt: changes %v, drift %+v", got, res.Drift)
	}
	var back workspace.System
	if o.Get(ctx, store.KindSystem, "patient-api", &back); back.Name != sys.Name {
		t.Errorf("adopt replaced the web's version: %+v", back)
	}
	res, err = o.ApplyWorkspace(ctx, "raj@acme.example", Acme(), store.ApplyOptions{})
	if err != nil || len(res.Changes) != 0 || !slices.Contains(keptKeys(res.Kept), "adopted system patient-api") {
		t.Errorf("apply of the stale files after adopt: %v, %v, kept %q", err, summary(res.Changes), keptKeys(res.Kept))
	}
	// An export (the stored workspace) brings it into the files: applied,
	// nothing changes and nothing is kept any more.
	exported, err := o.Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err = o.ApplyWorkspace(ctx, "raj@acme.example", exported, store.ApplyOptions{})
	if err != nil || len(res.Changes) != 0 || len(res.Kept) != 0 || len(res.Drift) != 0 {
		t.Errorf("apply of the export: %v, %v, kept %q, drift %+v", err, summary(res.Changes), keptKeys(res.Kept), res.Drift)
	}

	// --overwrite: the files win; the web's change stays in the trail.
	sys.Owner = "dana@acme.example"
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, sys.ID, sys); err != nil {
		t.Fatal(err)
	}
	res, err = o.ApplyWorkspace(ctx, "raj@acme.example", Acme(), store.ApplyOptions{Drift: store.DriftOverwrite})
	if err != nil || len(res.Changes) != 1 || res.Changes[0].Action != "update" || !sameSet(res.Changes[0].Fields, []string{"name", "owner", "description"}) {
		t.Errorf("overwrite: %v, %v", summary(res.Changes), err)
	}
	if o.Get(ctx, store.KindSystem, "patient-api", &back); back.Name != "Patient API" || back.Owner != "raj@acme.example" {
		t.Errorf("after overwrite: %+v", back)
	}
	if cs := mustApply(t, o, Acme()); len(cs) != 0 {
		t.Errorf("re-apply after overwrite: %v", summary(cs))
	}

	// A record retired in the web that the files still have is drift; a
	// record changed in the web that the files drop is drift too.
	if err := o.Retire(ctx, "dana@acme.example", store.KindCustomer, "st-marys"); err != nil {
		t.Fatal(err)
	}
	vendor := Acme().Vendors[1]
	vendor.Contact = "security@twilio.example"
	if _, err := o.Put(ctx, "dana@acme.example", store.KindVendor, vendor.ID, vendor); err != nil {
		t.Fatal(err)
	}
	ws := Acme()
	ws.Vendors = ws.Vendors[:1]
	ws.Systems[1].Vendor = ""
	ws.Agreements[0].Counterparty = "aws"
	res, err = o.ApplyWorkspace(ctx, "raj@acme.example", ws, store.ApplyOptions{})
	if !errors.Is(err, store.ErrDrift) || len(res.Drift) != 2 {
		t.Fatalf("retired and dropped: %v, drift %+v", err, res.Drift)
	}
	for _, dr := range res.Drift {
		switch dr.Kind + " " + dr.Key {
		case "customer st-marys":
			if !dr.Retired || dr.Action != "retire" {
				t.Errorf("drift %+v: want retired in the web", dr)
			}
		case "vendor twilio":
			if !dr.Removed || dr.Action != "update" {
				t.Errorf("drift %+v: want removed from the files", dr)
			}
		default:
			t.Errorf("unexpected drift %+v", dr)
		}
	}
	// Adopting a record the files dropped makes it the web's.
	if _, err := o.ApplyWorkspace(ctx, "raj@acme.example", ws, store.ApplyOptions{Drift: store.DriftAdopt}); err != nil {
		t.Fatal(err)
	}
	res, err = o.ApplyWorkspace(ctx, "raj@acme.example", ws, store.ApplyOptions{})
	if err != nil || len(res.Changes) != 0 || !slices.Contains(keptKeys(res.Kept), "web vendor twilio") || live(t, o, store.KindCustomer, "st-marys") {
		t.Errorf("after adopting: %v, %v, kept %q", err, summary(res.Changes), keptKeys(res.Kept))
	}
	mustVerify(t, o)
}

// An open record the files drop is kept (opt.Open), and the organization
// after the apply is checked inside its transaction (opt.Check).
func testApplyKeepsOpenAndChecks(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	var asked []string
	open := func(stored *workspace.Workspace, kind, key string) string {
		asked = append(asked, kind+" "+key)
		if inc := stored.Incident(key); kind == store.KindIncident && inc != nil && inc.Status != "closed" {
			return "open incident"
		}
		return ""
	}
	ws := Acme()
	ws.Incidents = nil
	res, err := o.ApplyWorkspace(ctx, "raj@acme.example", ws, store.ApplyOptions{Open: open})
	if err != nil || len(res.Changes) != 0 || !slices.Equal(keptKeys(res.Kept), []string{"open incident inc-2027-001"}) || res.Kept[0].Note != "open incident" {
		t.Errorf("files dropping an open incident: %v, %v, kept %+v", err, summary(res.Changes), res.Kept)
	}
	if !slices.Equal(asked, []string{"incident inc-2027-001"}) {
		t.Errorf("Open asked about %q", asked)
	}
	closed := Acme()
	closed.Incidents[0].Status = "closed"
	mustApply(t, o, closed)
	if cs, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{Open: open}); err != nil || !slices.Equal(summary(cs), []string{"retire incident inc-2027-001"}) {
		t.Errorf("files dropping a closed incident: %v, %v", summary(cs), err)
	}

	// A flow made in the web names a system the files now drop: the check
	// sees the organization as it would be, and refuses.
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "fax", workspace.System{ID: "fax", Kind: "saas"}); err != nil {
		t.Fatal(err)
	}
	ws2 := Acme()
	ws2.Systems = append(ws2.Systems, workspace.System{ID: "fax", Kind: "saas"})
	mustApply(t, o, ws2)
	if _, err := o.Put(ctx, "dana@acme.example", store.KindFlow, "fax->patient-api", workspace.Flow{From: "fax", To: "patient-api"}); err != nil {
		t.Fatal(err)
	}
	h := head(t, o)
	check := func(before, after *workspace.Workspace) error {
		if before.System("fax") == nil {
			t.Error("Check's before lacks the stored system")
		}
		for _, f := range after.Flows {
			if after.System(f.From) == nil {
				return errors.New("flow " + f.Key() + " names a retired system")
			}
		}
		return nil
	}
	_, err = o.Apply(ctx, "raj@acme.example", Acme(), store.ApplyOptions{Check: check})
	if err == nil || !strings.Contains(err.Error(), "fax->patient-api") {
		t.Errorf("apply dropping a system a web flow names: %v", err)
	}
	if got := head(t, o); got != h || !live(t, o, store.KindSystem, "fax") {
		t.Error("a refused apply wrote")
	}
	mustVerify(t, o)
}
