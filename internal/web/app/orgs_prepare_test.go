package app_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// TestPrepareOverview: at start, ward serve makes every summary missing
// at the organizations' current heads (what an upgrade leaves), so the
// first overview makes none and shows the same rows; a second run makes
// nothing, and after a change only the changed organization's. On both
// engines.
func TestPrepareOverview(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			u := e.Users[store.RoleViewer]
			seedOrgs(t, e.Store, 4, u.ID)
			ctx := context.Background()
			all, err := e.Store.Orgs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// While the summaries are being made, the overview lists
			// none of the organizations (nothing is stored yet) and says
			// so, with no number of its own; nothing is kept.
			e.Server.Msp.Preparing.Store(true)
			c, _ := e.Login(u)
			r := e.Get(c, "/api/v1/overview")
			var ov app.OrgsOverview
			if err := json.Unmarshal([]byte(r.Body), &ov); err != nil || r.StatusCode != 200 {
				t.Fatalf("overview while preparing: %d %v", r.StatusCode, err)
			}
			if ov.Pending != 5 || len(ov.Orgs) != 0 {
				t.Errorf("overview while preparing: %d pending, %d rows; want 5 pending (alpha, four clients), none listed", ov.Pending, len(ov.Orgs))
			}
			page := e.Get(c, "/orgs")
			if !strings.Contains(page.Body, "5 practices are still being summarised") || strings.Contains(page.Body, "does not belong") {
				t.Errorf("/orgs while preparing lacks the note, or says the account has no organization")
			}
			if n := e.Server.Msp.Builds.Load(); n != 0 {
				t.Errorf("requests while preparing made %d summaries, want 0", n)
			}
			e.Server.Msp.Preparing.Store(false)
			r = e.Get(c, "/api/v1/overview")
			ov = app.OrgsOverview{}
			if err := json.Unmarshal([]byte(r.Body), &ov); err != nil || ov.Pending != 0 || len(ov.Orgs) != 5 {
				t.Errorf("overview after preparing: %d pending, %d rows (%v); want 0 and 5", ov.Pending, len(ov.Orgs), err)
			}

			s := kit.New(e.Store, kit.Config{})
			made, err := app.PrepareOverview(s, ctx)
			if err != nil {
				t.Fatal(err)
			}
			if made != len(all)-5 { // bravo: the overview above made the others'
				t.Errorf("made %d summaries at start, want %d", made, len(all)-5)
			}
			// A start reads every current summary into memory, so a date
			// no server has evaluated reads and decodes none of them.
			warm := kit.New(e.Store, kit.Config{})
			if made, err := app.PrepareOverview(warm, ctx); err != nil || made != 0 {
				t.Errorf("a second start made %d summaries (%v), want 0", made, err)
			}
			if n, _ := warm.Msp.Held(); n != len(all) || warm.Msp.Decoded.Load() != int64(len(all)) {
				t.Errorf("a start holds %d summaries, read %d; want all %d", n, warm.Msp.Decoded.Load(), len(all))
			}
			msWarm, err := e.Store.Memberships(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.OrgsOverviewRows(warm, ctx, msWarm, date.MustParse(webtest.DemoAsOf).AddDays(-40)); err != nil {
				t.Fatal(err)
			}
			if d, b := warm.Msp.Decoded.Load(), warm.Msp.Builds.Load(); d != int64(len(all)) || b != 0 {
				t.Errorf("a new date after start read %d summaries and made %d; want none beyond the %d read at start", d-int64(len(all)), b, len(all))
			}

			ms, err := e.Store.Memberships(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			asOf := date.MustParse(webtest.DemoAsOf)
			first := kit.New(e.Store, kit.Config{})
			rows, err := app.OrgsOverviewRows(first, ctx, ms, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if n := first.Msp.Builds.Load(); n != 0 {
				t.Errorf("the first overview after start made %d summaries, want 0", n)
			}
			for i, m := range ms {
				if want := referenceRow(t, e.Store, m.Org, m.Role, asOf); !reflect.DeepEqual(rows[i], want) {
					t.Errorf("%s: got %+v\nwant %+v", m.Org.Slug, rows[i], want)
				}
			}

			if _, err := e.Store.Org(e.OrgA).Put(ctx, "test", store.KindVendor, "gcp", workspace.Vendor{ID: "gcp", Name: "Google Cloud"}); err != nil {
				t.Fatal(err)
			}
			if made, err := app.PrepareOverview(kit.New(e.Store, kit.Config{}), ctx); err != nil || made != 1 {
				t.Errorf("after alpha changed, a start made %d summaries (%v), want 1", made, err)
			}
		})
	}
}
