package app_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// TestOrgsOverviewStoredRows: today's rows are stored as they are
// evaluated, and a restarted server shows them without evaluating or
// reading a summary, the same rows as the whole workspace gives; a row
// is never taken from the store once its organization has changed (by
// another server or ward apply, between the restarts) or when the rules
// are another build's. On both engines.
func TestOrgsOverviewStoredRows(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			cfg := kit.Config{Now: webtest.DemoNow}
			e := webtest.NewEnvAt(t, cfg, eng.URL(t))
			e.SeedDemo()
			e.ImportSample()
			u := e.Users[store.RoleViewer]
			seedVaried(t, e.Store, u.ID)
			ctx := context.Background()
			today := date.Of(webtest.DemoNow().UTC())
			memberships := func() []store.Membership {
				ms, err := e.Store.Memberships(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				return ms
			}
			ms := memberships()
			n := int64(len(ms))
			check := func(s *kit.Server, what string, ms []store.Membership) {
				t.Helper()
				rows, err := app.OrgsOverviewRows(s, ctx, ms, today)
				if err != nil {
					t.Fatal(err)
				}
				for i, m := range ms {
					if want := referenceRow(t, e.Store, m.Org, m.Role, today); !reflect.DeepEqual(rows[i], want) {
						got, _ := json.Marshal(rows[i])
						exp, _ := json.Marshal(want)
						t.Errorf("%s, %s:\n got %s\nwant %s", what, m.Org.Slug, got, exp)
					}
				}
			}
			counts := func(s *kit.Server) [3]int64 {
				return [3]int64{s.Msp.Evals.Load(), s.Msp.Stored.Load(), s.Msp.Builds.Load()}
			}

			first := kit.New(e.Store, cfg)
			check(first, "first server", ms)
			if c := counts(first); c != [3]int64{n, 0, n} {
				t.Errorf("first server: %d evaluated, %d read, %d summaries made; want %d, 0, %d", c[0], c[1], c[2], n, n)
			}
			restarted := kit.New(e.Store, cfg)
			check(restarted, "restarted server", ms)
			if c := counts(restarted); c != [3]int64{0, n, 0} {
				t.Errorf("restarted: %d evaluated, %d read, %d summaries made; want 0, %d, 0", c[0], c[1], c[2], n)
			}

			// Between two restarts, another server changes alpha, and
			// ward apply retires client-001's evidence.
			other := kit.New(e.Store, cfg)
			if _, err := other.Store.Org(e.OrgA).Put(ctx, "dana@alpha.example", store.KindSystem, "fax-gateway",
				workspace.System{ID: "fax-gateway", Name: "Fax gateway", Kind: "saas", PHI: true, LivePHI: true, Vendor: "aws"}); err != nil {
				t.Fatal(err)
			}
			var client store.Org
			for _, m := range ms {
				if m.Org.Slug == "client-001" {
					client = m.Org
				}
			}
			ws, err := e.Store.Org(client).Workspace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws.Evidence = nil
			ws.ScanFailing, ws.ScanFailingBy, ws.ScanChecks = nil, nil, nil
			if _, err := e.Store.Org(client).Apply(ctx, "test", ws, store.ApplyOptions{Drift: store.DriftOverwrite}); err != nil {
				t.Fatal(err)
			}
			again := kit.New(e.Store, cfg)
			check(again, "restarted after two changes", memberships())
			if c := counts(again); c != [3]int64{2, n - 2, 2} {
				t.Errorf("restarted after two changes: %d evaluated, %d read, %d summaries made; want 2, %d, 2", c[0], c[1], c[2], n-2)
			}
			// A server whose memberships were read before the change
			// still shows the change (the stored rows of the old heads
			// are gone; the summaries read are current).
			check(kit.New(e.Store, cfg), "memberships read before the changes", ms)

			// Another build of the rules (an upgrade): nothing stored is
			// used, and what it evaluates replaces it.
			upgraded := kit.New(e.Store, cfg)
			upgraded.Msp.Version = "another build"
			check(upgraded, "upgraded", memberships())
			if c := counts(upgraded); c[0] != n || c[1] != 0 {
				t.Errorf("upgraded: %d evaluated, %d read; want %d, 0", c[0], c[1], n)
			}
			back := kit.New(e.Store, cfg)
			back.Msp.Version = "another build"
			check(back, "upgraded, restarted", memberships())
			if c := counts(back); c != [3]int64{0, n, 0} {
				t.Errorf("upgraded, restarted: %d evaluated, %d read, %d summaries made; want 0, %d, 0", c[0], c[1], c[2], n)
			}

			// Another date is evaluated, not read.
			rows, err := app.OrgsOverviewRows(back, ctx, memberships(), today.AddDays(-30))
			if err != nil || len(rows) != int(n) {
				t.Fatal(rows, err)
			}
			if c := counts(back); c[0] != n || c[1] != n {
				t.Errorf("another date: %d evaluated, %d read; want %d, %d", c[0], c[1], n, n)
			}
		})
	}
}
