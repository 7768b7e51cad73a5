package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// Every change raises a record's version; an unchanged write does not.
func testVersions(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	sys := workspace.System{ID: "ehr", Kind: "saas"}
	step := func(what string, c store.Change, err error, want int64) {
		t.Helper()
		if err != nil || c.Version != want {
			t.Fatalf("%s: %+v, %v; want version %d", what, c, err, want)
		}
		if v, err := o.Version(ctx, store.KindSystem, "ehr"); c.Action != "retire" && (err != nil || v != want) {
			t.Errorf("%s: Version = %d, %v; want %d", what, v, err, want)
		}
	}
	c, err := o.Put(ctx, "dana", store.KindSystem, "ehr", sys)
	step("create", c, err, 1)
	sys.Name = "EHR"
	c, err = o.Put(ctx, "dana", store.KindSystem, "ehr", sys)
	step("update", c, err, 2)
	c, err = o.Put(ctx, "dana", store.KindSystem, "ehr", sys)
	step("unchanged", c, err, 2)
	c, err = o.RetireIf(ctx, "dana", store.KindSystem, "ehr", store.Cond{Version: 2})
	step("retire", c, err, 3)
	if _, err := o.Version(ctx, store.KindSystem, "ehr"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Version of a retired record = %v, want ErrNotFound", err)
	}
	c, err = o.Put(ctx, "dana", store.KindSystem, "ehr", sys)
	step("re-create", c, err, 4)
}

// Issue 20, finding 2: twenty simultaneous creates of one record all
// succeeded, nineteen silently overwritten. A create is refused when the
// record exists: one wins, the others get ErrConflict, and the record and
// its trail are the winner's.
func testConcurrentCreates(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = o.PutIf(ctx, fmt.Sprintf("user%d@acme.example", i), store.KindSystem, "billing",
				workspace.System{ID: "billing", Kind: "service", Name: fmt.Sprintf("made by %d", i)}, store.Cond{Create: true})
		}()
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if won >= 0 {
				t.Errorf("creates %d and %d both succeeded", won, i)
			}
			won = i
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("create %d: %v, want ErrConflict", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no create succeeded")
	}
	var got workspace.System
	if v, err := o.GetVersion(ctx, store.KindSystem, "billing", &got); err != nil || v != 1 || got.Name != fmt.Sprintf("made by %d", won) {
		t.Errorf("stored = %+v version %d (%v), want the winner's (%d) at version 1", got, v, err, won)
	}
	hist, _ := o.History(ctx, store.KindSystem, "billing")
	if len(hist) != 1 || hist[0].Action != "create" || hist[0].Actor != fmt.Sprintf("user%d@acme.example", won) {
		t.Errorf("history = %+v, want the winner's create only", hist)
	}
	mustVerify(t, o)
}

// A write based on a version someone else has since changed is refused,
// and the error names the change it would have lost.
func testStaleWrites(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	var sys workspace.System
	v, err := o.GetVersion(ctx, store.KindSystem, "patient-api", &sys)
	if err != nil || v != 1 {
		t.Fatalf("GetVersion = %d, %v", v, err)
	}
	theirs := sys
	theirs.Owner, theirs.Description = "dana@acme.example", "theirs"
	if c, err := o.PutIf(ctx, "dana@acme.example", store.KindSystem, sys.ID, theirs, store.Cond{Version: v, Update: true}); err != nil || c.Version != 2 {
		t.Fatalf("first edit: %+v, %v", c, err)
	}
	h := head(t, o)
	mine := sys
	mine.Name = "mine"
	_, err = o.PutIf(ctx, "raj@acme.example", store.KindSystem, sys.ID, mine, store.Cond{Version: v, Update: true})
	var stale *store.StaleError
	if !errors.As(err, &stale) || !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale edit = %v, want a *StaleError", err)
	}
	if stale.Want != 1 || stale.Have != 2 || len(stale.Changes) != 1 || stale.Changes[0].Actor != "dana@acme.example" ||
		!sameSet(stale.Changes[0].Fields, []string{"owner", "description"}) {
		t.Errorf("stale = %+v", stale)
	}
	for _, refused := range []error{
		func() error {
			_, err := o.RetireIf(ctx, "raj@acme.example", store.KindSystem, sys.ID, store.Cond{Version: v})
			return err
		}(),
		func() error {
			r := Acme().Risks[0]
			_, err := o.Save(ctx, "raj@acme.example", store.Edit{Kind: store.KindRisk, Value: r, Update: true, Version: 7})
			return err
		}(),
	} {
		if !errors.Is(refused, store.ErrStale) {
			t.Errorf("stale retire / save = %v, want ErrStale", refused)
		}
	}
	if got := head(t, o); got != h {
		t.Error("a refused stale write moved the head")
	}
	var now workspace.System
	o.Get(ctx, store.KindSystem, sys.ID, &now)
	if now.Description != "theirs" || now.Name != sys.Name {
		t.Errorf("after the refused writes: %+v", now)
	}
	// An update of a record retired meanwhile does not bring it back.
	if err := o.Retire(ctx, "dana@acme.example", store.KindCustomer, "st-marys"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.PutIf(ctx, "raj@acme.example", store.KindCustomer, "st-marys", Acme().Customers[0], store.Cond{Update: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a retired record = %v, want ErrNotFound", err)
	}
	mustVerify(t, o)
}

// Issue 20, finding 3: retiring a system while someone adds a flow to it
// succeeded on both sides. Each side checks the other inside its own
// transaction, so of the two in flight exactly one succeeds, every round.
func testRetireVersusReference(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	mustApply(t, o, Acme())
	named := func(ws *workspace.Workspace, id string) bool {
		for _, f := range ws.Flows {
			if f.From == id || f.To == id {
				return true
			}
		}
		return false
	}
	for round := range 15 {
		id := fmt.Sprintf("fax-%d", round)
		if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, id, workspace.System{ID: id, Kind: "other"}); err != nil {
			t.Fatal(err)
		}
		var retireErr, flowErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, retireErr = o.RetireIf(ctx, "dana@acme.example", store.KindSystem, id, store.Cond{Check: func(cur *workspace.Workspace) error {
				if named(cur, id) {
					return errors.New("a flow names it")
				}
				return nil
			}})
		}()
		go func() {
			defer wg.Done()
			<-start
			f := workspace.Flow{From: "patient-api", To: id, PHI: true}
			_, flowErr = o.PutIf(ctx, "raj@acme.example", store.KindFlow, f.Key(), f, store.Cond{Create: true, Check: func(cur *workspace.Workspace) error {
				if cur.System(id) == nil {
					return errors.New("no such system")
				}
				return nil
			}})
		}()
		close(start)
		wg.Wait()
		if (retireErr == nil) == (flowErr == nil) {
			t.Errorf("round %d: retire %v, flow %v; want exactly one to succeed", round, retireErr, flowErr)
		}
		ws, err := o.Workspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ws.Flows {
			if ws.System(f.To) == nil {
				t.Errorf("round %d: flow %s names a retired system", round, f.Key())
			}
		}
	}
	mustVerify(t, o)
}
