package workforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/todo"
	"ward/internal/web/app"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
	"ward/internal/web/workforce"
	"ward/internal/workspace"
)

func decode[T any](t *testing.T, r webtest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("status %d, body is not the JSON expected: %v\n%.600s", r.StatusCode, err, r.Body)
	}
	return v
}

type fieldsBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

// want422 checks a refusal names each field.
func want422(t *testing.T, what string, r webtest.Response, fields ...string) {
	t.Helper()
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("%s: status %d, want 422\n%.400s", what, r.StatusCode, r.Body)
		return
	}
	b := decode[fieldsBody](t, r)
	for _, f := range fields {
		if b.Fields[f] == "" {
			t.Errorf("%s: the 422 does not name field %q: %s", what, f, r.Body)
		}
	}
}

// A member sees its own tasks and nothing of the program: the lead's
// pages and every other organization route answer 403.
func TestMemberSeesOnlyItsOwnTasks(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	c, _ := e.Login(e.Users[store.RoleMember])

	r := e.Get(c, "/")
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/orgs/alpha/my" {
		t.Errorf("a member's home: %d to %q, want 302 to /orgs/alpha/my", r.StatusCode, r.Header.Get("Location"))
	}
	r = e.Get(c, "/orgs/alpha/my")
	if r.StatusCode != 200 {
		t.Fatalf("my tasks: %d\n%.500s", r.StatusCode, r.Body)
	}
	for _, want := range []string{"Acceptable use policy", "due by " + d.AupApproved.AddDays(30).String(), "Sanctions policy", "done " + d.V1Approved.AddDays(3).String(), "HIPAA awareness"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("my tasks lacks %q", want)
		}
	}
	// The menu shows the member's page and nothing else.
	for _, hidden := range []string{">Overview<", ">Policies<", ">People<", ">Risks<", ">Plan<"} {
		if strings.Contains(r.Body, hidden) {
			t.Errorf("a member's menu shows %s", hidden)
		}
	}
	m := decode[workforce.MyTasks](t, e.Get(c, "/api/v1/orgs/alpha/my"))
	if m.Email != "member@alpha.example" || len(m.Policies) != 2 || len(m.Trainings) != 1 || m.Open != 1 || m.Overdue != 0 {
		t.Errorf("my tasks JSON: %+v", m)
	}
	for _, tk := range append(m.Policies, m.Trainings...) {
		if tk.Person != "member@alpha.example" {
			t.Errorf("a member sees another's task: %+v", tk)
		}
	}
	for _, path := range []string{"/orgs/alpha", "/orgs/alpha/policies", "/orgs/alpha/people", "/orgs/alpha/trainings", "/api/v1/orgs/alpha/people", "/api/v1/orgs/alpha/acknowledgements", "/orgs/alpha/policies/sanctions"} {
		if r := e.Get(c, path); r.StatusCode != http.StatusForbidden {
			t.Errorf("member GET %s: %d, want 403", path, r.StatusCode)
		}
	}
	// The overview of organizations lists alpha as tasks, without numbers.
	ov := decode[app.OrgsOverview](t, e.Get(c, "/api/v1/overview"))
	if len(ov.Orgs) != 0 || len(ov.Tasks) != 1 || ov.Tasks[0].Slug != webtest.SlugA {
		t.Errorf("a member's overview: orgs %+v tasks %+v, want alpha as tasks only", ov.Orgs, ov.Tasks)
	}
	// A policy addressed to someone else, or none, is not found.
	if r := e.Get(c, "/orgs/alpha/my/policies/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown policy: %d, want 404", r.StatusCode)
	}
}

// The policy's text is rendered without its raw HTML or unsafe links
// (it is shown to the whole workforce), on the member's page and the
// lead's.
func TestPolicyTextRenderedSafely(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedWorkforce()
	mc, _ := e.Login(e.Users[store.RoleMember])
	vc, _ := e.Login(e.Users[store.RoleViewer])
	for _, page := range []struct {
		c    *http.Client
		path string
	}{{mc, "/orgs/alpha/my/policies/sanctions"}, {vc, "/orgs/alpha/policies/sanctions?version=1"}} {
		r := e.Get(page.c, page.path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d\n%.400s", page.path, r.StatusCode, r.Body)
		}
		if !strings.Contains(r.Body, "<h1>Sanctions policy</h1>") || !strings.Contains(r.Body, "Level 1: a warning.") {
			t.Errorf("%s: the text is not rendered:\n%.2000s", page.path, r.Body)
		}
		for _, bad := range []string{"<script>alert", "javascript:alert", "alert('owned')"} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("%s: the page carries %q from the policy's text", page.path, bad)
			}
		}
	}
	// The reminder's javascript: link is not a link either.
	r := e.Get(vc, "/orgs/alpha/trainings")
	if r.StatusCode != 200 || strings.Contains(r.Body, "javascript:") || !strings.Contains(r.Body, "No PHI in AI tools") {
		t.Errorf("trainings page: %d, reminder shown safely? %.300s", r.StatusCode, r.Body)
	}
}

// A member acknowledges through the API: 201 with today's date and the
// member's own e-mail, on the audit trail; again, 200; wrong input 422
// naming the field; an account that is no person, 422 naming person.
func TestMemberAcknowledgesAPI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			d := e.SeedWorkforce()
			c, csrf := e.Login(e.Users[store.RoleMember])
			r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "acceptable-use", "version": 1})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("acknowledge: %d\n%s", r.StatusCode, r.Body)
			}
			key := "member@alpha.example|acceptable-use|1"
			e.WantAudit("create", store.KindAcknowledgement, key, "member@alpha.example")
			ws, err := e.Store.Org(e.OrgA).Workspace(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range ws.Acknowledgements {
				if a.Key() == key {
					found = true
					if !a.On.Equal(d.Today) || a.Source != workspace.RecordWeb {
						t.Errorf("stored %+v, want on %s, source web", a, d.Today)
					}
				}
			}
			if !found {
				t.Fatalf("no acknowledgement %s stored", key)
			}
			if origin, _, err := e.Store.Org(e.OrgA).Origin(context.Background(), store.KindAcknowledgement, key); err != nil || origin != store.OriginWeb {
				t.Errorf("origin %q (%v), want web: managed in the web app", origin, err)
			}
			if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "acceptable-use", "version": 1}); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"already_recorded": true`) {
				t.Errorf("again: %d %s, want 200 already recorded", r.StatusCode, r.Body)
			}
			before := e.AuditHead().Seq
			want422(t, "unknown policy", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "nope", "version": 1}), "policy")
			want422(t, "a draft version", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 2}), "version")
			want422(t, "no such version", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 9}), "version")
			want422(t, "no version", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions"}), "version")
			want422(t, "a version that is text", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": "one"}), "version")
			want422(t, "someone else", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 1, "person": "dana@alpha.example"}), "person")
			vc, vcsrf := e.Login(e.Users[store.RoleViewer])
			want422(t, "an account that is no person", e.PostJSON(vc, "POST", "/api/v1/orgs/alpha/my/acknowledgements", vcsrf, map[string]any{"policy": "sanctions", "version": 1}), "person")
			if after := e.AuditHead().Seq; after != before {
				t.Errorf("refused acknowledgements wrote to the audit trail (%d -> %d)", before, after)
			}
		})
	}
}

// An editor who is a person approves the draft through the API: the
// version is in force, approved today by them, on the audit trail, and
// every member's acknowledgement falls due again 30 days on. Refusals
// name the field: no draft left, an effective date before today, an
// account that is no person; a stale If-Match is 409.
func TestApprovePolicyAPI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			d := e.SeedWorkforce()
			ac, acsrf := e.Login(e.Users[store.RoleAdmin])
			want422(t, "an admin who is no person", e.PostJSON(ac, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", acsrf, map[string]any{}), "approved_by")

			c, csrf := e.Login(e.Users[store.RoleEditor])
			g := e.Get(c, "/api/v1/orgs/alpha/policies/sanctions")
			etag := g.Header.Get("ETag")
			if g.StatusCode != 200 || etag == "" {
				t.Fatalf("GET policy: %d etag %q", g.StatusCode, etag)
			}
			want422(t, "effective in the past", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"effective": d.Today.AddDays(-1).String()}), "effective")
			want422(t, "a version that is approved", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"version": 1}), "version")
			want422(t, "a bad date", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"effective": "2026-02-30"}), "effective")

			req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/policies/sanctions/approve", strings.NewReader(`{"version": 2}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(kit.CSRFHeader, csrf)
			req.Header.Set("If-Match", etag)
			r := e.Send(c, req)
			if r.StatusCode != 200 {
				t.Fatalf("approve: %d\n%s", r.StatusCode, r.Body)
			}
			e.WantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
			pv := decode[workforce.PolicyView](t, e.Get(c, "/api/v1/orgs/alpha/policies/sanctions"))
			if pv.Version != 2 || pv.ApprovedBy != "editor@alpha.example" || !pv.ApprovedOn.Equal(d.Today) {
				t.Errorf("after approval: in force v%d by %s on %s, want v2 by editor@alpha.example on %s", pv.Version, pv.ApprovedBy, pv.ApprovedOn, d.Today)
			}
			// Everyone owes version 2 now, due 30 days after the approval
			// (organization.workforce.ack_within_days).
			for _, tk := range pv.People {
				if tk.Version != 2 || tk.Status != "open" || !tk.Due.Equal(d.Today.AddDays(30)) {
					t.Errorf("after approval, %s: v%d %s due %s, want v2 open due %s", tk.Person, tk.Version, tk.Status, tk.Due, d.Today.AddDays(30))
				}
			}
			if len(pv.People) != 4 {
				t.Errorf("%d people owe it, want the 4 employed", len(pv.People))
			}
			// The same If-Match again is stale: the record moved on.
			req, _ = http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/policies/sanctions/review", strings.NewReader(`{"note": "fine"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(kit.CSRFHeader, csrf)
			req.Header.Set("If-Match", etag)
			if r := e.Send(c, req); r.StatusCode != http.StatusConflict {
				t.Errorf("a stale If-Match: %d, want 409\n%s", r.StatusCode, r.Body)
			}
			want422(t, "no draft left", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{}), "version")
			if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/review", csrf, map[string]any{"note": "no change needed"}); r.StatusCode != 200 {
				t.Errorf("review: %d %s", r.StatusCode, r.Body)
			}
			e.WantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
			if origin, drifted, err := e.Store.Org(e.OrgA).Origin(context.Background(), store.KindPolicy, "sanctions"); err != nil || origin == "" {
				t.Errorf("origin %q drifted %v: %v", origin, drifted, err)
			}
			// A diff between the versions names the new line.
			df := e.Get(c, "/api/v1/orgs/alpha/policies/sanctions/diff?from=1&to=2")
			if df.StatusCode != 200 || !strings.Contains(df.Body, `"op": "+"`) || !strings.Contains(df.Body, "Level 2: pasting PHI") {
				t.Errorf("diff: %d %.500s", df.StatusCode, df.Body)
			}
			if r := e.Get(c, "/api/v1/orgs/alpha/policies/sanctions/diff?from=1&to=7"); r.StatusCode != http.StatusNotFound {
				t.Errorf("diff with no version 7: %d, want 404", r.StatusCode)
			}
		})
	}
}

// The policies list gives each approved version's retention date: six
// years from when it was last in effect (45 CFR 164.316(b)(2)(i)); the
// version in force is kept six years from today while it stays in force.
func TestCFR164_316b2i_PolicyListRetentionDates(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	c, _ := e.Login(e.Users[store.RoleViewer])
	l := decode[workforce.PolicyList](t, e.Get(c, "/api/v1/orgs/alpha/policies"))
	var san *workforce.PolicyRow
	for i := range l.Policies {
		if l.Policies[i].ID == "sanctions" {
			san = &l.Policies[i]
		}
	}
	if san == nil || len(san.Versions) != 2 {
		t.Fatalf("sanctions in the list: %+v", l.Policies)
	}
	if want := d.Today.AddMonths(72); !san.Versions[0].RetainUntil.Equal(want) {
		t.Errorf("v1 (in force) kept until %s, want %s", san.Versions[0].RetainUntil, want)
	}
	if !san.Versions[1].RetainUntil.IsZero() {
		t.Errorf("the draft has a retention date %s", san.Versions[1].RetainUntil)
	}
	page := e.Get(c, "/orgs/alpha/policies")
	if !strings.Contains(page.Body, "v1 (in force): "+d.Today.AddMonths(72).String()) {
		t.Errorf("the list page does not show v1's retention date:\n%.3000s", page.Body)
	}
	found := false
	for _, m := range l.Missing {
		found = found || m.Template == "information-security"
	}
	if !found {
		t.Errorf("missing templates %+v lack information-security", l.Missing)
	}
}

// Trainings: a completion recorded through the API (201, on the audit
// trail, source web); one dated in the future or of an unknown person is
// 422 naming the field, and writes nothing.
func TestTrainingRecordAPI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			d := e.SeedWorkforce()
			c, csrf := e.Login(e.Users[store.RoleEditor])
			r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": d.Today.String()})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("record: %d %s", r.StatusCode, r.Body)
			}
			e.WantAudit("create", store.KindTrainingRecord, "new@alpha.example|hipaa-awareness|"+d.Today.String(), "editor@alpha.example")
			before := e.AuditHead().Seq
			want422(t, "in the future", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": d.Today.AddDays(1).String()}), "completed")
			want422(t, "not a date", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": "yesterday"}), "completed")
			want422(t, "no one", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "nobody@alpha.example"}), "person")
			want422(t, "no person", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{}), "person")
			want422(t, "an unknown field", e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "certificate": "x"}), "certificate")
			if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/trainings/nope/records", csrf, map[string]any{"person": "new@alpha.example"}); r.StatusCode != http.StatusNotFound {
				t.Errorf("an unknown training: %d, want 404", r.StatusCode)
			}
			if after := e.AuditHead().Seq; after != before {
				t.Errorf("refused completions wrote to the audit trail")
			}
			l := decode[workforce.TrainingList](t, e.Get(c, "/api/v1/orgs/alpha/trainings"))
			if len(l.Trainings) != 1 || len(l.Reminders) != 1 {
				t.Fatalf("trainings JSON: %+v", l)
			}
			for _, tk := range l.Trainings[0].People {
				if tk.Person == "new@alpha.example" && (tk.Status != "done" || !tk.On.Equal(d.Today)) {
					t.Errorf("the new hire after the completion: %+v", tk)
				}
			}
		})
	}
}

// An editor records a person's acknowledgement through the API; a date in
// the future, a date before the approval, an unknown person are 422
// naming the field.
func TestAcknowledgementsAPI(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			d := e.SeedWorkforce()
			c, csrf := e.Login(e.Users[store.RoleEditor])
			path := "/api/v1/orgs/alpha/acknowledgements"
			want422(t, "in the future", e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 1, "on": d.Today.AddDays(2).String()}), "on")
			want422(t, "before the approval", e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 1, "on": d.AupApproved.AddDays(-1).String()}), "on")
			want422(t, "no one", e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "nobody@alpha.example", "policy": "acceptable-use", "version": 1}), "person")
			want422(t, "an unknown version", e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 3}), "version")
			want422(t, "an unknown policy", e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "nope"}), "policy")
			r := e.PostJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use"})
			if r.StatusCode != http.StatusCreated || !strings.Contains(r.Body, `"version": 1`) {
				t.Fatalf("record: %d %s", r.StatusCode, r.Body)
			}
			e.WantAudit("create", store.KindAcknowledgement, "new@alpha.example|acceptable-use|1", "editor@alpha.example")
			l := decode[struct {
				Acknowledgements []workspace.Acknowledgement `json:"acknowledgements"`
			}](t, e.Get(c, path+"?person=new@alpha.example"))
			if len(l.Acknowledgements) != 1 || l.Acknowledgements[0].Source != workspace.RecordWeb {
				t.Errorf("the new hire's acknowledgements: %+v", l.Acknowledgements)
			}
		})
	}
}

// The people page: one row per person with each policy and training,
// filters, leavers with access, and the reminder list of the overdue.
func TestPeopleBoard(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	c, _ := e.Login(e.Users[store.RoleViewer])
	b := decode[workforce.PeopleBoard](t, e.Get(c, "/api/v1/orgs/alpha/people"))
	if b.Total != 5 || len(b.Rows) != 5 {
		t.Fatalf("%d rows of %d, want all 5 people", len(b.Rows), b.Total)
	}
	if len(b.Leavers) != 1 || b.Leavers[0].Person != "gone@alpha.example" || b.Leavers[0].Systems[0] != "patient-api" {
		t.Errorf("leavers with access: %+v", b.Leavers)
	}
	// The new hire started 40 days ago and has not taken the training
	// due 30 days after the start: overdue. Dana never took it and the
	// training counts from her start: overdue too.
	over := decode[workforce.PeopleBoard](t, e.Get(c, "/api/v1/orgs/alpha/people?overdue=1&training=hipaa-awareness"))
	var emails []string
	for _, r := range over.Rows {
		emails = append(emails, r.Email)
	}
	if strings.Join(emails, ",") != "dana@alpha.example,editor@alpha.example,new@alpha.example" {
		t.Errorf("overdue on the training: %v", emails)
	}
	var newHire string
	for _, m := range over.Remind {
		if m.Email == "new@alpha.example" {
			newHire = strings.Join(m.Items, "; ")
		}
	}
	if want := "complete HIPAA awareness (overdue since " + d.NewHireStart.AddDays(30).String() + ")"; newHire != want {
		t.Errorf("the new hire's reminder %q, want %q", newHire, want)
	}
	if !strings.Contains(over.RemindText, "To: Nia New <new@alpha.example>") {
		t.Errorf("reminder text:\n%s", over.RemindText)
	}
	role := decode[workforce.PeopleBoard](t, e.Get(c, "/api/v1/orgs/alpha/people?role=data+engineer"))
	if len(role.Rows) != 2 {
		t.Errorf("role filter: %d rows, want the 2 data engineers", len(role.Rows))
	}
	joiners := decode[workforce.PeopleBoard](t, e.Get(c, "/api/v1/orgs/alpha/people?who=joiners"))
	if len(joiners.Rows) != 1 || joiners.Rows[0].Email != "new@alpha.example" {
		t.Errorf("joiners: %+v", joiners.Rows)
	}
	pol := decode[workforce.PeopleBoard](t, e.Get(c, "/api/v1/orgs/alpha/people?policy=acceptable-use"))
	if len(pol.Rows) != 4 {
		t.Errorf("owing acceptable use: %d rows, want the 4 employed", len(pol.Rows))
	}
	for _, bad := range []string{"?policy=nope", "?training=nope", "?who=everyone", "?as_of=yesterday"} {
		if r := e.Get(c, "/api/v1/orgs/alpha/people"+bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("people%s: %d, want 400", bad, r.StatusCode)
		}
	}
	page := e.Get(c, "/orgs/alpha/people?overdue=1")
	for _, want := range []string{"Leavers who still have access", "gone@alpha.example", `href="mailto:new@alpha.example?subject=`, "To: Nia New &lt;new@alpha.example&gt;"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the people page lacks %q", want)
		}
	}
}

// The web forms: an approval through the policy page, a completion with
// a certificate through the trainings page, each audited; a completion
// dated tomorrow is shown again with the field's error, nothing written.
func TestWorkforceForms(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	c, csrf := e.Login(e.Users[store.RoleEditor])
	page := e.Get(c, "/orgs/alpha/policies/sanctions")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `action="/orgs/alpha/policies/sanctions/approve"`) {
		t.Fatalf("policy page: %d, no approve form\n%.2000s", page.StatusCode, page.Body)
	}
	r := e.PostForm(c, "/orgs/alpha/policies/sanctions/approve", url.Values{"csrf": {csrf}, "draft": {"2"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%.800s", r.StatusCode, r.Body)
	}
	e.WantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
	r = e.Get(c, r.Header.Get("Location"))
	if !strings.Contains(r.Body, "Version 2 approved by editor@alpha.example") {
		t.Errorf("after approval the page reads:\n%.1500s", r.Body)
	}

	before := e.AuditHead().Seq
	r = e.Upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "new@alpha.example", "completed": d.Today.AddDays(1).String()}, nil, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "in the future") {
		t.Errorf("a completion dated tomorrow: %d\n%.500s", r.StatusCode, r.Body)
	}
	if e.AuditHead().Seq != before {
		t.Errorf("a refused completion wrote to the audit trail")
	}
	r = e.Upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "new@alpha.example", "completed": d.Today.String()},
		[][2]string{{"certificate.pdf", "%PDF-1.4 certificate"}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record with a certificate: %d\n%.500s", r.StatusCode, r.Body)
	}
	key := "new@alpha.example|hipaa-awareness|" + d.Today.String()
	e.WantAudit("create", store.KindTrainingRecord, key, "editor@alpha.example")
	var rec workspace.TrainingRecord
	if err := e.Store.Org(e.OrgA).Get(context.Background(), store.KindTrainingRecord, key, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.SHA256 == "" || !strings.HasSuffix(rec.File, ".pdf") || rec.Source != workspace.RecordWeb {
		t.Errorf("stored completion %+v: want the certificate kept", rec)
	}
	// An auditor downloads it from the trainings page: a POST, on the
	// audit trail, the bytes as uploaded.
	ac, acsrf := e.Login(e.Users[store.RoleAuditor])
	cert := "/orgs/alpha/trainings/hipaa-awareness/certificates/new@alpha.example/" + d.Today.String()
	if page := e.Get(ac, "/orgs/alpha/trainings"); !strings.Contains(page.Body, `action="`+cert+`"`) {
		t.Errorf("the trainings page has no download of the certificate for an auditor")
	}
	if got := e.Fetch(ac, acsrf, cert); got.StatusCode != 200 || got.Body != "%PDF-1.4 certificate" || got.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("certificate download: %d %q %q", got.StatusCode, got.Header.Get("Content-Type"), got.Body)
	}
	e.WantAudit("download", store.KindTrainingRecord, key, "auditor@alpha.example")
	vc, vcsrf := e.Login(e.Users[store.RoleViewer])
	if got := e.Fetch(vc, vcsrf, cert); got.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer downloading the certificate: %d, want 403", got.StatusCode)
	}
	if got := e.Fetch(ac, acsrf, "/orgs/alpha/trainings/hipaa-awareness/certificates/dana@alpha.example/"+d.Today.String()); got.StatusCode != http.StatusNotFound {
		t.Errorf("a completion that does not exist: %d, want 404", got.StatusCode)
	}
	// The form's date input takes the US order too, as every form's does.
	y := d.Today.AddDays(-1)
	us := fmt.Sprintf("%02d/%02d/%d", int(y.Month()), y.Day(), y.Year())
	r = e.Upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "dana@alpha.example", "completed": us}, nil, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record on %s: %d\n%.500s", us, r.StatusCode, r.Body)
	}
	e.WantAudit("create", store.KindTrainingRecord, "dana@alpha.example|hipaa-awareness|"+y.String(), "editor@alpha.example")
}

// An approval in the web follows the one-source-of-truth model: a policy
// the files manage, approved here, has drifted, and applying the same
// (now stale) files stops with the policy listed and nothing written;
// an acknowledgement made here is the web's and survives an apply of
// files that lack it.
func TestWebApprovalDriftsFilesPolicy(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	dana := e.AddUser("dana@acme-health.example", "Dana", e.OrgA, store.RoleEditor)
	c, csrf := e.Login(dana)
	o := e.Store.Org(e.OrgA)
	if origin, drifted, _ := o.Origin(context.Background(), store.KindPolicy, "data-retention"); origin != store.OriginFiles || drifted {
		t.Fatalf("before: origin %q drifted %v, want the files'", origin, drifted)
	}
	if r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/policies/data-retention/approve", csrf, map[string]any{"version": 2}); r.StatusCode != 200 {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	if origin, drifted, _ := o.Origin(context.Background(), store.KindPolicy, "data-retention"); origin != store.OriginFiles || !drifted {
		t.Errorf("after: origin %q drifted %v, want the files' record drifted", origin, drifted)
	}
	l, err := workspace.Load("../../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.ApplyWorkspace(context.Background(), "test", l.Workspace, store.ApplyOptions{})
	if !errors.Is(err, store.ErrDrift) {
		t.Fatalf("apply of the stale files: %v, want ErrDrift", err)
	}
	found := false
	for _, d := range res.Drift {
		found = found || (d.Kind == store.KindPolicy && d.Key == "data-retention")
	}
	if !found {
		t.Errorf("the drift %+v does not list the policy", res.Drift)
	}
	ws, _ := o.Workspace(context.Background())
	if p := ws.Policy("data-retention"); p == nil || !p.Version(2).Approved() {
		t.Fatalf("the refused apply undid the approval")
	}
	// Dana owes an acknowledgement of version 2 now; she gives it here.
	r := e.PostJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "data-retention", "version": 2})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("acknowledge: %d %s", r.StatusCode, r.Body)
	}
	// The files win the policy back (--overwrite); the acknowledgement of
	// a version the files no longer approve would dangle, so the apply
	// refuses it: nothing is left dangling, nothing written.
	_, err = o.ApplyWorkspace(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftOverwrite})
	if err == nil {
		t.Errorf("an overwrite that leaves the web's acknowledgement of a draft dangling was applied")
	}
	// Kept with the web's approval (--adopt), the web's acknowledgement
	// stays, the web's.
	if _, err := o.ApplyWorkspace(context.Background(), "test", l.Workspace, store.ApplyOptions{Drift: store.DriftAdopt}); err != nil {
		t.Fatalf("apply --adopt: %v", err)
	}
	ws, _ = o.Workspace(context.Background())
	kept := false
	for _, a := range ws.Acknowledgements {
		kept = kept || (a.Key() == "dana@acme-health.example|data-retention|2" && a.Source == workspace.RecordWeb)
	}
	if !kept {
		t.Errorf("the web's acknowledgement did not survive the apply")
	}
}

// The needs-attention list sends each workforce item to the page where it
// is dealt with: the people page for an acknowledgement, the trainings
// page for a training, the policies for a missing one; each opens.
func TestTodoLinksOpenTheWorkforcePages(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedWorkforce()
	c, _ := e.Login(e.Users[store.RoleViewer])
	l := decode[todo.List](t, e.Get(c, "/api/v1/orgs/alpha/todo"))
	seen := map[string]bool{}
	for _, it := range l.Items {
		if it.Kind != todo.KindPolicy && it.Kind != todo.KindTraining {
			continue
		}
		if it.Link == "" {
			t.Errorf("%s item %q has no link", it.Kind, it.Title)
			continue
		}
		path, _, _ := strings.Cut(it.Link, "#")
		if r := e.Get(c, path); r.StatusCode != 200 {
			t.Errorf("%s item %q links %s: %d", it.Kind, it.Title, it.Link, r.StatusCode)
		}
		seen[it.Kind] = true
	}
	if !seen[todo.KindPolicy] || !seen[todo.KindTraining] {
		t.Errorf("the list has no policy or training item: %+v", l.Items)
	}
}

// A state-changing route a member may call must say it acts on the
// caller's own record (Self); without it the route is refused at start.
func TestMemberWritesOnlyWhenSelf(t *testing.T) {
	h := func(*kit.Server, http.ResponseWriter, *http.Request) {}
	if p := (kit.Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h}).Problem(); p == "" {
		t.Errorf("a member's POST without Self is accepted")
	}
	if p := (kit.Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h, Self: true}).Problem(); p != "" {
		t.Errorf("a member's own change is refused: %s", p)
	}
	if p := (kit.Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h, Self: true, Export: true}).Problem(); p == "" {
		t.Errorf("a route both Self and Export is accepted")
	}
	for _, rt := range kit.Routes() {
		if rt.Self && !strings.Contains(rt.Pattern, "/my/") {
			t.Errorf("%s %s is Self but not under /my/: a caller's own changes live there", rt.Method, rt.Pattern)
		}
	}
}

// A member acknowledges through the page only what it could read: the
// box must be ticked, and a version whose text is not in the store is
// shown as such, with nothing to acknowledge.
func TestMemberAckPageNeedsTheText(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	d := e.SeedWorkforce()
	c, csrf := e.Login(e.Users[store.RoleMember])
	r := e.PostForm(c, "/orgs/alpha/my/policies/acceptable-use/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Tick the box") {
		t.Errorf("unticked: %d\n%.400s", r.StatusCode, r.Body)
	}
	// The right way: ticked, readable.
	r = e.PostForm(c, "/orgs/alpha/my/policies/acceptable-use/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}, "read": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d\n%.400s", r.StatusCode, r.Body)
	}
	e.WantAudit("create", store.KindAcknowledgement, "member@alpha.example|acceptable-use|1", "member@alpha.example")
	// A policy whose text never reached the blob store.
	o := e.Store.Org(e.OrgA)
	ghost := workspace.Policy{ID: "ghost", Title: "Ghost policy", Versions: []workspace.PolicyVersion{
		{Version: 1, File: "policies/ghost-v1.md", SHA256: strings.Repeat("0", 64), ApprovedBy: "dana@alpha.example", ApprovedOn: d.AupApproved},
	}}
	if _, err := o.Put(context.Background(), "test", store.KindPolicy, "ghost", ghost); err != nil {
		t.Fatal(err)
	}
	page := e.Get(c, "/orgs/alpha/my/policies/ghost")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "not in ward") || strings.Contains(page.Body, "ack-form") {
		t.Errorf("a missing text: %d\n%.600s", page.StatusCode, page.Body)
	}
	before := e.AuditHead().Seq
	r = e.PostForm(c, "/orgs/alpha/my/policies/ghost/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}, "read": {"1"}})
	if r.StatusCode != http.StatusUnprocessableEntity || e.AuditHead().Seq != before {
		t.Errorf("acknowledging a text that cannot be shown: %d", r.StatusCode)
	}
}
