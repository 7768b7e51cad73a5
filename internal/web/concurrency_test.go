package web_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// apiEnv is the web app over loopback on one engine, with one
// organization (acme) and editors who call the API with tokens.
type apiEnv struct {
	t      *testing.T
	st     *store.Store
	srv    *httptest.Server
	org    store.Org
	tokens map[string]string // by e-mail
}

// engines opens a fresh store on SQLite and on PostgreSQL (the local
// server, or WARD_TEST_POSTGRES; "skip" skips it).
func engines(t *testing.T) map[string]func(t *testing.T) *store.Store {
	return map[string]func(t *testing.T) *store.Store{
		"sqlite": func(t *testing.T) *store.Store {
			st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "ward.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(t *testing.T) *store.Store {
			admin := os.Getenv("WARD_TEST_POSTGRES")
			if admin == "skip" {
				t.Skip("WARD_TEST_POSTGRES=skip")
			}
			if admin == "" {
				admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
			}
			db, err := sql.Open("pgx", admin)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			b := make([]byte, 6)
			rand.Read(b)
			name := "ward_test_" + hex.EncodeToString(b)
			if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
				t.Fatalf("PostgreSQL at %s: %v (WARD_TEST_POSTGRES=skip skips)", admin, err)
			}
			u, _ := url.Parse(admin)
			u.Path = "/" + name
			st, err := store.Open(context.Background(), u.String(), store.Options{BlobDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				st.Close()
				if db, err := sql.Open("pgx", admin); err == nil {
					db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
					db.Close()
				}
			})
			return st
		},
	}
}

func newAPIEnv(t *testing.T, st *store.Store, editors ...string) *apiEnv {
	t.Helper()
	ctx := context.Background()
	e := &apiEnv{t: t, st: st, tokens: map[string]string{}}
	var err error
	if e.org, err = st.CreateOrg(ctx, "test", "acme", "Acme Health"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Org(e.org).Apply(ctx, "test", &workspace.Workspace{
		Organization: workspace.Organization{Name: "Acme Health"},
		Systems:      []workspace.System{{ID: "patient-api", Name: "Patient API", Kind: "service", PHI: true}},
	}, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, email := range editors {
		u, err := st.CreateUser(ctx, "test", email, email, "unused")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetRole(ctx, "test", u.ID, e.org, store.RoleEditor); err != nil {
			t.Fatal(err)
		}
		tok, _ := auth.NewToken()
		if _, err := st.CreateToken(ctx, "test", u.ID, "test", auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		e.tokens[email] = tok
	}
	e.srv = httptest.NewServer(kit.New(st, kit.Config{}))
	t.Cleanup(e.srv.Close)
	return e
}

type apiAnswer struct {
	status int
	etag   string
	body   string
}

func (e *apiEnv) call(who, method, path, body string, header ...string) apiAnswer {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/api/v1/orgs/acme/"+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Error(err)
		return apiAnswer{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return apiAnswer{res.StatusCode, res.Header.Get("ETag"), string(b)}
}

// Issue 20, finding 2: twenty simultaneous creates of one record answered
// 201 each, and nineteen were silently overwritten. Now one is created
// and the nineteen others answer 409, on both engines.
func TestTwentySimultaneousCreates(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			var editors []string
			for i := range 20 {
				editors = append(editors, fmt.Sprintf("editor%d@acme.example", i))
			}
			e := newAPIEnv(t, open(t), editors...)
			answers := make([]apiAnswer, len(editors))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, who := range editors {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[i] = e.call(who, "POST", "vendors", fmt.Sprintf(`{"id": "fax-co", "name": "FaxCo as %s sees it"}`, who))
				}()
			}
			close(start)
			wg.Wait()
			created := -1
			for i, a := range answers {
				switch a.status {
				case http.StatusCreated:
					if created >= 0 {
						t.Errorf("%s and %s both got 201", editors[created], editors[i])
					}
					created = i
					if a.etag != `"1"` {
						t.Errorf("201 with ETag %q, want \"1\"", a.etag)
					}
				case http.StatusConflict:
				default:
					t.Errorf("%s: %d %s, want 201 or 409", editors[i], a.status, a.body)
				}
			}
			if created < 0 {
				t.Fatal("no create answered 201")
			}
			var v workspace.Vendor
			if err := e.st.Org(e.org).Get(context.Background(), store.KindVendor, "fax-co", &v); err != nil || v.Name != "FaxCo as "+editors[created]+" sees it" {
				t.Errorf("stored vendor %+v (%v), want the one answered 201 (%s)", v, err, editors[created])
			}
		})
	}
}

// A PUT with If-Match of a version someone changed since answers 409,
// naming who changed what; the record keeps their change.
func TestStaleAPIWriteAnswers409(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := newAPIEnv(t, open(t), "dana@acme.example", "raj@acme.example")
			got := e.call("raj@acme.example", "GET", "systems/patient-api", "")
			if got.status != http.StatusOK || got.etag != `"1"` {
				t.Fatalf("GET: %d ETag %q", got.status, got.etag)
			}
			put := func(who, desc, ifMatch string) apiAnswer {
				return e.call(who, "PUT", "systems/patient-api",
					fmt.Sprintf(`{"id": "patient-api", "name": "Patient API", "kind": "service", "phi": true, "description": %q}`, desc), "If-Match", ifMatch)
			}
			if a := put("dana@acme.example", "dana's", got.etag); a.status != http.StatusOK || a.etag != `"2"` {
				t.Fatalf("first PUT: %d ETag %q %s", a.status, a.etag, a.body)
			}
			a := put("raj@acme.example", "raj's", got.etag)
			if a.status != http.StatusConflict {
				t.Fatalf("stale PUT: %d %s, want 409", a.status, a.body)
			}
			var body struct {
				Error   string `json:"error"`
				Current int64  `json:"current_version"`
				Changes []struct {
					Actor  string   `json:"actor"`
					Fields []string `json:"fields"`
				} `json:"changes"`
			}
			if err := json.Unmarshal([]byte(a.body), &body); err != nil {
				t.Fatal(err)
			}
			if body.Current != 2 || len(body.Changes) != 1 || body.Changes[0].Actor != "dana@acme.example" ||
				len(body.Changes[0].Fields) != 1 || body.Changes[0].Fields[0] != "description" || !strings.Contains(body.Error, "dana@acme.example") {
				t.Errorf("409 body = %s", a.body)
			}
			if a := e.call("raj@acme.example", "GET", "systems/patient-api", ""); !strings.Contains(a.body, "dana's") || a.etag != `"2"` {
				t.Errorf("after the refused PUT: %s", a.body)
			}
			if a := put("raj@acme.example", "raj's", `"x"`); a.status != http.StatusBadRequest {
				t.Errorf("If-Match not a version: %d, want 400", a.status)
			}
			if a := put("raj@acme.example", "raj's", `"2"`); a.status != http.StatusOK {
				t.Errorf("PUT at the current version: %d %s", a.status, a.body)
			}
		})
	}
}

// Issue 20, finding 3: retiring a system while someone adds a flow to it
// succeeded on both sides (15/15 on SQLite, 13/15 on PostgreSQL). Now
// exactly one of the two succeeds in every round, and no flow is left
// naming a retired system.
func TestRetireWhileAddingAFlow(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := newAPIEnv(t, open(t), "dana@acme.example", "raj@acme.example")
			for round := range 15 {
				id := fmt.Sprintf("fax-%d", round)
				if a := e.call("dana@acme.example", "POST", "systems", fmt.Sprintf(`{"id": %q, "kind": "other"}`, id)); a.status != http.StatusCreated {
					t.Fatalf("create %s: %d %s", id, a.status, a.body)
				}
				var retire, flow apiAnswer
				var wg sync.WaitGroup
				start := make(chan struct{})
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					retire = e.call("dana@acme.example", "POST", "systems/"+id+"/retire", "")
				}()
				go func() {
					defer wg.Done()
					<-start
					flow = e.call("raj@acme.example", "POST", "flows", fmt.Sprintf(`{"from": "patient-api", "to": %q, "phi": true, "encrypted_in_transit": true}`, id))
				}()
				close(start)
				wg.Wait()
				retired, added := retire.status == http.StatusOK, flow.status == http.StatusCreated
				if retired == added {
					t.Errorf("round %d: retire %d %s; flow %d %s; want exactly one to succeed", round, retire.status, retire.body, flow.status, flow.body)
				}
				if !retired && retire.status != http.StatusConflict || !added && flow.status != http.StatusUnprocessableEntity {
					t.Errorf("round %d: refusals %d (retire) and %d (flow), want 409 and 422", round, retire.status, flow.status)
				}
			}
			ws, err := e.st.Org(e.org).Workspace(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if errs := workspace.Validate(ws, records.ValidationOptions()); len(errs) > 0 {
				t.Errorf("the workspace after the races is not valid:\n%v", errs)
			}
		})
	}
}

// A form carries the version it was loaded with: saving it after someone
// else saved answers 409 with the form again (what was typed, what
// changed), and nothing is written; saving that form again is a
// deliberate overwrite.
func TestStaleFormAnswers409(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ed := e.Users[store.RoleEditor]
	c, csrf := e.Login(ed)
	form := e.Get(c, "/orgs/alpha/systems/patient-api/edit")
	m := regexpVersion.FindStringSubmatch(form.Body)
	if form.StatusCode != 200 || m == nil {
		t.Fatalf("edit form: %d, no version field\n%.1500s", form.StatusCode, form.Body)
	}
	// Someone else saves first.
	if _, err := e.Store.Org(e.OrgA).Put(context.Background(), "dana@alpha.example", store.KindSystem, "patient-api",
		workspace.System{ID: "patient-api", Name: "Patient API", Kind: "service", Vendor: "aws", PHI: true, EncryptedAtRest: true, Owner: "dana@alpha.example"}); err != nil {
		t.Fatal(err)
	}
	head := e.AuditHead()
	values := url.Values{"csrf": {csrf}, "version": {m[1]}, "name": {"Patient API (mine)"}, "kind": {"service"}, "vendor": {"aws"}, "phi": {"true"}}
	r := e.PostForm(c, "/orgs/alpha/systems/patient-api", values)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "dana@alpha.example") || !strings.Contains(r.Body, "owner") ||
		!strings.Contains(r.Body, "Patient API (mine)") {
		t.Fatalf("stale form save: %d\n%.3000s", r.StatusCode, r.Body)
	}
	if h := e.AuditHead(); h.Seq != head.Seq {
		t.Errorf("a refused stale save wrote %s %s", h.Action, h.Key)
	}
	// The form shown again carries the current version.
	again := regexpVersion.FindStringSubmatch(r.Body)
	if again == nil || again[1] == m[1] {
		t.Fatalf("the 409 form's version = %v, want the current one", again)
	}
	values.Set("version", again[1])
	if r := e.PostForm(c, "/orgs/alpha/systems/patient-api", values); r.StatusCode != http.StatusSeeOther {
		t.Errorf("saving again at the current version: %d", r.StatusCode)
	}
	e.WantAudit("update", store.KindSystem, "patient-api", ed.Email)
}

var regexpVersion = regexp.MustCompile(`name="version" value="(\d+)"`)
