package kit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/benchgen"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// A change made by another process — a second ward server on the same
// database, or `ward apply` from a terminal — is on the very next
// request: the cache is keyed by the audit head, which every change
// moves, not by anything this server was told. Two Store handles on one
// database stand for the two servers.
func TestWorkspaceCacheSeesOtherServer(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			db := eng.URL(t)
			e := webtest.NewEnvAt(t, kit.Config{}, db)
			ctx := context.Background()
			other := e.OtherServer()
			cookie, _ := e.Session(e.Users[store.RoleViewer].User)
			systems := func() []string {
				t.Helper()
				req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/orgs/"+webtest.SlugA+"/systems", nil)
				req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
				r := e.Send(e.Client(), req)
				if r.StatusCode != 200 {
					t.Fatalf("status %d: %s", r.StatusCode, r.Body)
				}
				var ids []string
				for _, id := range []string{"patient-api", "billing-db", "fax-gateway", "applied-db"} {
					if strings.Contains(r.Body, `"`+id+`"`) {
						ids = append(ids, id)
					}
				}
				return ids
			}
			if got := systems(); !reflect.DeepEqual(got, []string{"patient-api", "billing-db"}) {
				t.Fatalf("systems before = %v", got)
			}
			loads := e.Server.WSCache.Loads.Load()
			systems()
			if n := e.Server.WSCache.Loads.Load(); n != loads {
				t.Errorf("an unchanged organization was read from the database again (%d loads, was %d)", n, loads)
			}

			// The other server adds a system and retires one.
			o := other.Org(e.OrgA)
			if _, err := o.Put(ctx, "other-server", store.KindSystem, "fax-gateway", workspace.System{ID: "fax-gateway", Kind: "service", PHI: true}); err != nil {
				t.Fatal(err)
			}
			if got := systems(); !reflect.DeepEqual(got, []string{"patient-api", "billing-db", "fax-gateway"}) {
				t.Errorf("after the other server's put, systems = %v", got)
			}
			if err := o.Retire(ctx, "other-server", store.KindSystem, "billing-db"); err != nil {
				t.Fatal(err)
			}
			if got := systems(); !reflect.DeepEqual(got, []string{"patient-api", "fax-gateway"}) {
				t.Errorf("after the other server's retire, systems = %v", got)
			}
			// An apply (what `ward apply` does) from the other handle.
			ws, err := o.Workspace(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ws.Systems = append(ws.Systems, workspace.System{ID: "applied-db", Kind: "datastore", PHI: true})
			if _, err := o.Apply(ctx, "ward apply", ws, store.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := systems(); !reflect.DeepEqual(got, []string{"patient-api", "fax-gateway", "applied-db"}) {
				t.Errorf("after the other server's apply, systems = %v", got)
			}
		})
	}
}

// Concurrent requests for an organization whose workspace is not cached
// read it from the database once (single flight); the count is of
// loads, not of time.
func TestWorkspaceCacheSingleFlight(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(1)
	var once sync.Once
	e.Server.WSCache.Loading = func() {
		once.Do(entered.Done)
		<-release
	}
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			ws, err := e.Server.OrgWorkspace(context.Background(), e.OrgA)
			if err == nil && len(ws.Systems) != 2 {
				t.Errorf("%d systems", len(ws.Systems))
			}
			errs <- err
		})
	}
	entered.Wait()                    // one load has begun and is held
	time.Sleep(50 * time.Millisecond) // let the others arrive and wait on it
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.Server.WSCache.Loads.Load(); got != 1 {
		t.Errorf("%d concurrent requests read the workspace %d times, want once", n, got)
	}
}

// TestWorkspaceCacheNotMutated walks every page and API read of a
// generated organization twice and checks that the cached workspace every
// request was given is still exactly what the store holds: no handler
// changes the shared copy (see wsCache).
func TestWorkspaceCacheNotMutated(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ctx := context.Background()
	ws := benchgen.Org(3, "gen", "Generated", benchgen.Practice)
	org, err := e.Store.CreateOrg(ctx, "test", "gen", "Generated")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Org(org).Apply(ctx, "test", ws, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	admin := e.AddUser("admin@gen.example", "Gen admin", org, store.RoleAdmin)
	ids := map[string]string{
		"controls": ws.Controls[0].ID, "risks": ws.Risks[0].ID, "incidents": ws.Incidents[0].ID,
		"systems": ws.Systems[0].ID, "vendors": ws.Vendors[0].ID, "agreements": ws.Agreements[0].ID,
		"people": ws.People[0].Email, "evidence": ws.Evidence[0].ID,
	}
	cached, head, err := e.Server.CachedWorkspace(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	before, err := json.Marshal(cached)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := e.Session(admin.User)
	walked := 0
	for pass := range 2 {
		for _, rt := range kit.Routes() {
			if rt.Method != "GET" || strings.Contains(rt.Pattern, "{file") {
				continue
			}
			path := webtest.Wildcard.ReplaceAllStringFunc(strings.ReplaceAll(rt.Pattern, "{$}", ""), func(w string) string {
				name := webtest.Wildcard.FindStringSubmatch(w)[1]
				if name == "org" {
					return "gen"
				}
				before, _, _ := strings.Cut(rt.Pattern, w)
				parts := strings.Split(strings.TrimSuffix(before, "/"), "/")
				if id, ok := ids[parts[len(parts)-1]]; ok {
					return id
				}
				return "sample"
			})
			req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "ward_session", Value: cookie})
			r := e.Send(e.Client(), req)
			if r.StatusCode >= 500 {
				t.Errorf("pass %d: GET %s: %d", pass, path, r.StatusCode)
			}
			walked++
		}
	}
	after, _ := json.Marshal(cached)
	if string(before) != string(after) {
		t.Errorf("a page changed the cached workspace: %s", firstDiff(before, after))
	}
	// What the pages derived from it (to-do list, readiness, plan, ...)
	// is also shared: recomputed now, it must be what they were given.
	if ent := e.Server.WSCache.Get(org.ID, head); ent == nil {
		t.Error("the walked organization's workspace is no longer cached")
	} else {
		ent.Derived.Mu.Lock()
		if len(ent.Derived.M) < 3 {
			t.Errorf("only %d values derived by the pages", len(ent.Derived.M))
		}
		for k, v := range ent.Derived.M {
			got, err := v.F()
			if err != nil || !reflect.DeepEqual(got, v.V) {
				t.Errorf("derived %q was changed by a page (err %v)", k, err)
			}
		}
		ent.Derived.Mu.Unlock()
	}
	if now, _ := e.Store.Org(org).AuditHead(ctx); now != head {
		t.Logf("a GET moved the audit head (%d to %d): later requests had a newer copy", head.Seq, now.Seq)
	}
	fresh, err := e.Store.Org(org).Workspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fresh, cached) {
		t.Error("the cached workspace differs from the store's")
	}
	if walked < 100 {
		t.Errorf("only %d requests walked", walked)
	}
}

func firstDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			lo := max(i-80, 0)
			return string(a[lo:min(i+80, len(a))]) + " became " + string(b[lo:min(i+80, len(b))])
		}
	}
	return "lengths differ"
}

// CloneWorkspace copies every list of the workspace: a handler's append or
// assignment never reaches the shared copy. Checked by reflection, so a
// list added to Workspace later is covered or this fails.
func TestCloneWorkspaceCopiesEveryList(t *testing.T) {
	ws := benchgen.Org(5, "c", "C", benchgen.Practice)
	v := reflect.ValueOf(ws).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		}
	}
	c := reflect.ValueOf(kit.CloneWorkspace(ws)).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		if c.Field(i).Pointer() == f.Pointer() {
			t.Errorf("%s shares its array with the cached workspace", v.Type().Field(i).Name)
		}
	}
}
