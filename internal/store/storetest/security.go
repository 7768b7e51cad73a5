package storetest

import (
	"errors"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/workspace"
)

// testBoundsRefused is issue 20's finding 16 on every engine: an id with
// a NUL byte was accepted by SQLite and answered 500 on PostgreSQL (and
// blocked moving the database there). Now the workspace rules refuse it
// by field, and the store refuses it with ErrInvalid on both engines
// whoever calls it, as it does a record of unbounded size.
func testBoundsRefused(t *testing.T, s *store.Store) {
	o := mustOrg(t, s, "acme")
	nul := workspace.System{ID: "patient\x00api", Name: "Patient API", Kind: "service"}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, nul.ID, nul); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Put of an id with a NUL byte = %v, want ErrInvalid", err)
	}
	ws := Acme()
	ws.Systems = append(ws.Systems, nul)
	errs := workspace.Validate(ws, workspace.Options{})
	var said bool
	for _, e := range errs {
		if strings.HasPrefix(e.Field, "systems[2].id") && strings.Contains(e.Msg, "NUL") {
			said = true
		}
	}
	if !said {
		t.Errorf("Validate does not name the NUL id: %v", errs)
	}
	if _, err := o.Apply(ctx, "raj@acme.example", ws, store.ApplyOptions{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Apply with a NUL id = %v, want ErrInvalid and nothing written", err)
	}
	if n, _ := o.Counts(ctx); n[store.KindSystem] != 0 {
		t.Errorf("%d systems stored after a refused apply", n[store.KindSystem])
	}
	big := workspace.System{ID: "big", Kind: "service", Description: strings.Repeat("x", 5<<20)}
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "big", big); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Put of a 5 MB record = %v, want ErrInvalid", err)
	}
	mustVerify(t, o)
	// And an ordinary record still goes in.
	if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, "patient-api", workspace.System{ID: "patient-api", Kind: "service"}); err != nil {
		t.Fatal(err)
	}
}
