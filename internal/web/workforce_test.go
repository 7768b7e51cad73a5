package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/todo"
	"ward/internal/workspace"
)

// The workforce's documentation in the web app (issue 18): policies,
// trainings, acknowledgements, the people page and a member's own tasks.

// Policy texts: v1 carries raw HTML and a javascript: link, which the
// pages must never pass through.
const (
	sanctionsV1 = "# Sanctions policy\n\nLevel 1: a warning.\n\n<script>alert('owned')</script>\n\n[click me](javascript:alert(2))\n"
	sanctionsV2 = "# Sanctions policy\n\nLevel 1: a warning.\n\nLevel 2: pasting PHI into an AI tool without a BAA.\n"
	aupV1       = "# Acceptable use\n\nUse company devices for company work.\n"
)

// workforceDays are the seed's dates, relative to today so that the
// rules (nothing dated in the future) hold whenever the tests run.
type workforceDays struct {
	today, v1Approved, aupApproved, memberStart, newHireStart, leaverEnd date.Date
}

// seedWorkforce gives alpha a workforce: people for the member, the
// editor (who may approve) and others, two policies (sanctions v1
// approved, v2 a draft; acceptable use v1 approved), a training and a
// reminder. The member acknowledged sanctions v1.
func (e *testEnv) seedWorkforce() workforceDays {
	e.t.Helper()
	ctx := context.Background()
	today := date.Of(time.Now().UTC())
	d := workforceDays{today: today, v1Approved: today.AddDays(-200), aupApproved: today.AddDays(-10),
		memberStart: today.AddDays(-400), newHireStart: today.AddDays(-40), leaverEnd: today.AddDays(-10)}
	blob := func(text string) string {
		sha, _, err := e.st.Blobs().Put(strings.NewReader(text))
		if err != nil {
			e.t.Fatal(err)
		}
		return sha
	}
	a := e.st.Org(e.orgA)
	if _, err := a.Put(ctx, "test", store.KindOrganization, "", workspace.Organization{Name: "Alpha Health", Roles: []string{workspace.RoleBusinessAssociate}, Answers: workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true}}); err != nil {
		e.t.Fatal(err)
	}
	recs := []struct {
		kind, key string
		v         any
	}{
		{store.KindPerson, "dana@alpha.example", workspace.Person{Email: "dana@alpha.example", Name: "Dana Kim", Role: "coo", Start: today.AddDays(-800)}},
		{store.KindPerson, "member@alpha.example", workspace.Person{Email: "member@alpha.example", Name: "Tom Nguyen", Role: "Data engineer", Start: d.memberStart}},
		{store.KindPerson, "editor@alpha.example", workspace.Person{Email: "editor@alpha.example", Name: "Eve Lead", Role: "Compliance lead", Start: today.AddDays(-700)}},
		{store.KindPerson, "new@alpha.example", workspace.Person{Email: "new@alpha.example", Name: "Nia New", Role: "Support", Start: d.newHireStart}},
		{store.KindPerson, "gone@alpha.example", workspace.Person{Email: "gone@alpha.example", Name: "Gus Gone", Role: "Data engineer", Start: today.AddDays(-900), End: d.leaverEnd, Access: []string{"patient-api"}}},
		{store.KindPolicy, "sanctions", workspace.Policy{ID: "sanctions", Title: "Sanctions policy", Template: "sanctions", Owner: "dana@alpha.example", Versions: []workspace.PolicyVersion{
			{Version: 1, File: "policies/sanctions-v1.md", SHA256: blob(sanctionsV1), ApprovedBy: "dana@alpha.example", ApprovedOn: d.v1Approved},
			{Version: 2, File: "policies/sanctions-v2.md", SHA256: blob(sanctionsV2), Changes: "Level 2 names AI tools."},
		}}},
		{store.KindPolicy, "acceptable-use", workspace.Policy{ID: "acceptable-use", Title: "Acceptable use policy", Template: "acceptable-use", Versions: []workspace.PolicyVersion{
			{Version: 1, File: "policies/acceptable-use-v1.md", SHA256: blob(aupV1), ApprovedBy: "dana@alpha.example", ApprovedOn: d.aupApproved},
		}}},
		{store.KindTraining, "hipaa-awareness", workspace.Training{ID: "hipaa-awareness", Title: "HIPAA awareness"}},
		{store.KindAcknowledgement, "member@alpha.example|sanctions|1", workspace.Acknowledgement{Person: "member@alpha.example", Policy: "sanctions", Version: 1, On: d.v1Approved.AddDays(3)}},
		{store.KindTrainingRecord, "member@alpha.example|hipaa-awareness|" + today.AddDays(-300).String(), workspace.TrainingRecord{Person: "member@alpha.example", Training: "hipaa-awareness", Completed: today.AddDays(-300)}},
		{store.KindReminder, today.AddDays(-5).String() + " No PHI in AI tools", workspace.Reminder{On: today.AddDays(-5), Title: "No PHI in AI tools", Link: "javascript:alert(3)"}},
	}
	for _, r := range recs {
		if _, err := a.Put(ctx, "dana@alpha.example", r.kind, r.key, r.v); err != nil {
			e.t.Fatalf("seed %s %s: %v", r.kind, r.key, err)
		}
	}
	return d
}

func decode[T any](t *testing.T, r response) T {
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
func want422(t *testing.T, what string, r response, fields ...string) {
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
	e := newEnv(t, Config{})
	d := e.seedWorkforce()
	c, _ := e.login(e.users[store.RoleMember])

	r := e.get(c, "/")
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/orgs/alpha/my" {
		t.Errorf("a member's home: %d to %q, want 302 to /orgs/alpha/my", r.StatusCode, r.Header.Get("Location"))
	}
	r = e.get(c, "/orgs/alpha/my")
	if r.StatusCode != 200 {
		t.Fatalf("my tasks: %d\n%.500s", r.StatusCode, r.Body)
	}
	for _, want := range []string{"Acceptable use policy", "due by " + d.aupApproved.AddDays(30).String(), "Sanctions policy", "done " + d.v1Approved.AddDays(3).String(), "HIPAA awareness"} {
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
	m := decode[MyTasks](t, e.get(c, "/api/v1/orgs/alpha/my"))
	if m.Email != "member@alpha.example" || len(m.Policies) != 2 || len(m.Trainings) != 1 || m.Open != 1 || m.Overdue != 0 {
		t.Errorf("my tasks JSON: %+v", m)
	}
	for _, tk := range append(m.Policies, m.Trainings...) {
		if tk.Person != "member@alpha.example" {
			t.Errorf("a member sees another's task: %+v", tk)
		}
	}
	for _, path := range []string{"/orgs/alpha", "/orgs/alpha/policies", "/orgs/alpha/people", "/orgs/alpha/trainings", "/api/v1/orgs/alpha/people", "/api/v1/orgs/alpha/acknowledgements", "/orgs/alpha/policies/sanctions"} {
		if r := e.get(c, path); r.StatusCode != http.StatusForbidden {
			t.Errorf("member GET %s: %d, want 403", path, r.StatusCode)
		}
	}
	// The overview of organizations lists alpha as tasks, without numbers.
	ov := decode[OrgsOverview](t, e.get(c, "/api/v1/overview"))
	if len(ov.Orgs) != 0 || len(ov.Tasks) != 1 || ov.Tasks[0].Slug != slugA {
		t.Errorf("a member's overview: orgs %+v tasks %+v, want alpha as tasks only", ov.Orgs, ov.Tasks)
	}
	// A policy addressed to someone else, or none, is not found.
	if r := e.get(c, "/orgs/alpha/my/policies/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown policy: %d, want 404", r.StatusCode)
	}
}

// The policy's text is rendered without its raw HTML or unsafe links
// (it is shown to the whole workforce), on the member's page and the
// lead's.
func TestPolicyTextRenderedSafely(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	e.seedWorkforce()
	mc, _ := e.login(e.users[store.RoleMember])
	vc, _ := e.login(e.users[store.RoleViewer])
	for _, page := range []struct {
		c    *http.Client
		path string
	}{{mc, "/orgs/alpha/my/policies/sanctions"}, {vc, "/orgs/alpha/policies/sanctions?version=1"}} {
		r := e.get(page.c, page.path)
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
	r := e.get(vc, "/orgs/alpha/trainings")
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
			e := newEnvAt(t, Config{}, eng.URL(t))
			d := e.seedWorkforce()
			c, csrf := e.login(e.users[store.RoleMember])
			r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "acceptable-use", "version": 1})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("acknowledge: %d\n%s", r.StatusCode, r.Body)
			}
			key := "member@alpha.example|acceptable-use|1"
			e.wantAudit("create", store.KindAcknowledgement, key, "member@alpha.example")
			ws, err := e.st.Org(e.orgA).Workspace(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range ws.Acknowledgements {
				if a.Key() == key {
					found = true
					if !a.On.Equal(d.today) || a.Source != workspace.RecordWeb {
						t.Errorf("stored %+v, want on %s, source web", a, d.today)
					}
				}
			}
			if !found {
				t.Fatalf("no acknowledgement %s stored", key)
			}
			if origin, _, err := e.st.Org(e.orgA).Origin(context.Background(), store.KindAcknowledgement, key); err != nil || origin != store.OriginWeb {
				t.Errorf("origin %q (%v), want web: managed in the web app", origin, err)
			}
			if r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "acceptable-use", "version": 1}); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"already_recorded": true`) {
				t.Errorf("again: %d %s, want 200 already recorded", r.StatusCode, r.Body)
			}
			before := e.auditHead().Seq
			want422(t, "unknown policy", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "nope", "version": 1}), "policy")
			want422(t, "a draft version", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 2}), "version")
			want422(t, "no such version", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 9}), "version")
			want422(t, "no version", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions"}), "version")
			want422(t, "a version that is text", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": "one"}), "version")
			want422(t, "someone else", e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "sanctions", "version": 1, "person": "dana@alpha.example"}), "person")
			vc, vcsrf := e.login(e.users[store.RoleViewer])
			want422(t, "an account that is no person", e.postJSON(vc, "POST", "/api/v1/orgs/alpha/my/acknowledgements", vcsrf, map[string]any{"policy": "sanctions", "version": 1}), "person")
			if after := e.auditHead().Seq; after != before {
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
			e := newEnvAt(t, Config{}, eng.URL(t))
			d := e.seedWorkforce()
			ac, acsrf := e.login(e.users[store.RoleAdmin])
			want422(t, "an admin who is no person", e.postJSON(ac, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", acsrf, map[string]any{}), "approved_by")

			c, csrf := e.login(e.users[store.RoleEditor])
			g := e.get(c, "/api/v1/orgs/alpha/policies/sanctions")
			etag := g.Header.Get("ETag")
			if g.StatusCode != 200 || etag == "" {
				t.Fatalf("GET policy: %d etag %q", g.StatusCode, etag)
			}
			want422(t, "effective in the past", e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"effective": d.today.AddDays(-1).String()}), "effective")
			want422(t, "a version that is approved", e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"version": 1}), "version")
			want422(t, "a bad date", e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{"effective": "2026-02-30"}), "effective")

			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/orgs/alpha/policies/sanctions/approve", strings.NewReader(`{"version": 2}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(csrfHeader, csrf)
			req.Header.Set("If-Match", etag)
			r := e.send(c, req)
			if r.StatusCode != 200 {
				t.Fatalf("approve: %d\n%s", r.StatusCode, r.Body)
			}
			e.wantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
			pv := decode[PolicyView](t, e.get(c, "/api/v1/orgs/alpha/policies/sanctions"))
			if pv.Version != 2 || pv.ApprovedBy != "editor@alpha.example" || !pv.ApprovedOn.Equal(d.today) {
				t.Errorf("after approval: in force v%d by %s on %s, want v2 by editor@alpha.example on %s", pv.Version, pv.ApprovedBy, pv.ApprovedOn, d.today)
			}
			// Everyone owes version 2 now, due 30 days after the approval
			// (organization.workforce.ack_within_days).
			for _, tk := range pv.People {
				if tk.Version != 2 || tk.Status != "open" || !tk.Due.Equal(d.today.AddDays(30)) {
					t.Errorf("after approval, %s: v%d %s due %s, want v2 open due %s", tk.Person, tk.Version, tk.Status, tk.Due, d.today.AddDays(30))
				}
			}
			if len(pv.People) != 4 {
				t.Errorf("%d people owe it, want the 4 employed", len(pv.People))
			}
			// The same If-Match again is stale: the record moved on.
			req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/orgs/alpha/policies/sanctions/review", strings.NewReader(`{"note": "fine"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(csrfHeader, csrf)
			req.Header.Set("If-Match", etag)
			if r := e.send(c, req); r.StatusCode != http.StatusConflict {
				t.Errorf("a stale If-Match: %d, want 409\n%s", r.StatusCode, r.Body)
			}
			want422(t, "no draft left", e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/approve", csrf, map[string]any{}), "version")
			if r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/sanctions/review", csrf, map[string]any{"note": "no change needed"}); r.StatusCode != 200 {
				t.Errorf("review: %d %s", r.StatusCode, r.Body)
			}
			e.wantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
			if origin, drifted, err := e.st.Org(e.orgA).Origin(context.Background(), store.KindPolicy, "sanctions"); err != nil || origin == "" {
				t.Errorf("origin %q drifted %v: %v", origin, drifted, err)
			}
			// A diff between the versions names the new line.
			df := e.get(c, "/api/v1/orgs/alpha/policies/sanctions/diff?from=1&to=2")
			if df.StatusCode != 200 || !strings.Contains(df.Body, `"op": "+"`) || !strings.Contains(df.Body, "Level 2: pasting PHI") {
				t.Errorf("diff: %d %.500s", df.StatusCode, df.Body)
			}
			if r := e.get(c, "/api/v1/orgs/alpha/policies/sanctions/diff?from=1&to=7"); r.StatusCode != http.StatusNotFound {
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
	e := newEnv(t, Config{})
	d := e.seedWorkforce()
	c, _ := e.login(e.users[store.RoleViewer])
	l := decode[PolicyList](t, e.get(c, "/api/v1/orgs/alpha/policies"))
	var san *PolicyRow
	for i := range l.Policies {
		if l.Policies[i].ID == "sanctions" {
			san = &l.Policies[i]
		}
	}
	if san == nil || len(san.Versions) != 2 {
		t.Fatalf("sanctions in the list: %+v", l.Policies)
	}
	if want := d.today.AddMonths(72); !san.Versions[0].RetainUntil.Equal(want) {
		t.Errorf("v1 (in force) kept until %s, want %s", san.Versions[0].RetainUntil, want)
	}
	if !san.Versions[1].RetainUntil.IsZero() {
		t.Errorf("the draft has a retention date %s", san.Versions[1].RetainUntil)
	}
	page := e.get(c, "/orgs/alpha/policies")
	if !strings.Contains(page.Body, "v1 (in force): "+d.today.AddMonths(72).String()) {
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
			e := newEnvAt(t, Config{}, eng.URL(t))
			d := e.seedWorkforce()
			c, csrf := e.login(e.users[store.RoleEditor])
			r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": d.today.String()})
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("record: %d %s", r.StatusCode, r.Body)
			}
			e.wantAudit("create", store.KindTrainingRecord, "new@alpha.example|hipaa-awareness|"+d.today.String(), "editor@alpha.example")
			before := e.auditHead().Seq
			want422(t, "in the future", e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": d.today.AddDays(1).String()}), "completed")
			want422(t, "not a date", e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "completed": "yesterday"}), "completed")
			want422(t, "no one", e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "nobody@alpha.example"}), "person")
			want422(t, "no person", e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{}), "person")
			want422(t, "an unknown field", e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/hipaa-awareness/records", csrf, map[string]any{"person": "new@alpha.example", "certificate": "x"}), "certificate")
			if r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/trainings/nope/records", csrf, map[string]any{"person": "new@alpha.example"}); r.StatusCode != http.StatusNotFound {
				t.Errorf("an unknown training: %d, want 404", r.StatusCode)
			}
			if after := e.auditHead().Seq; after != before {
				t.Errorf("refused completions wrote to the audit trail")
			}
			l := decode[TrainingList](t, e.get(c, "/api/v1/orgs/alpha/trainings"))
			if len(l.Trainings) != 1 || len(l.Reminders) != 1 {
				t.Fatalf("trainings JSON: %+v", l)
			}
			for _, tk := range l.Trainings[0].People {
				if tk.Person == "new@alpha.example" && (tk.Status != "done" || !tk.On.Equal(d.today)) {
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
			e := newEnvAt(t, Config{}, eng.URL(t))
			d := e.seedWorkforce()
			c, csrf := e.login(e.users[store.RoleEditor])
			path := "/api/v1/orgs/alpha/acknowledgements"
			want422(t, "in the future", e.postJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 1, "on": d.today.AddDays(2).String()}), "on")
			want422(t, "before the approval", e.postJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 1, "on": d.aupApproved.AddDays(-1).String()}), "on")
			want422(t, "no one", e.postJSON(c, "POST", path, csrf, map[string]any{"person": "nobody@alpha.example", "policy": "acceptable-use", "version": 1}), "person")
			want422(t, "an unknown version", e.postJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use", "version": 3}), "version")
			want422(t, "an unknown policy", e.postJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "nope"}), "policy")
			r := e.postJSON(c, "POST", path, csrf, map[string]any{"person": "new@alpha.example", "policy": "acceptable-use"})
			if r.StatusCode != http.StatusCreated || !strings.Contains(r.Body, `"version": 1`) {
				t.Fatalf("record: %d %s", r.StatusCode, r.Body)
			}
			e.wantAudit("create", store.KindAcknowledgement, "new@alpha.example|acceptable-use|1", "editor@alpha.example")
			l := decode[struct {
				Acknowledgements []workspace.Acknowledgement `json:"acknowledgements"`
			}](t, e.get(c, path+"?person=new@alpha.example"))
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
	e := newEnv(t, Config{})
	d := e.seedWorkforce()
	c, _ := e.login(e.users[store.RoleViewer])
	b := decode[PeopleBoard](t, e.get(c, "/api/v1/orgs/alpha/people"))
	if b.Total != 5 || len(b.Rows) != 5 {
		t.Fatalf("%d rows of %d, want all 5 people", len(b.Rows), b.Total)
	}
	if len(b.Leavers) != 1 || b.Leavers[0].Person != "gone@alpha.example" || b.Leavers[0].Systems[0] != "patient-api" {
		t.Errorf("leavers with access: %+v", b.Leavers)
	}
	// The new hire started 40 days ago and has not taken the training
	// due 30 days after the start: overdue. Dana never took it and the
	// training counts from her start: overdue too.
	over := decode[PeopleBoard](t, e.get(c, "/api/v1/orgs/alpha/people?overdue=1&training=hipaa-awareness"))
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
	if want := "complete HIPAA awareness (overdue since " + d.newHireStart.AddDays(30).String() + ")"; newHire != want {
		t.Errorf("the new hire's reminder %q, want %q", newHire, want)
	}
	if !strings.Contains(over.RemindText, "To: Nia New <new@alpha.example>") {
		t.Errorf("reminder text:\n%s", over.RemindText)
	}
	role := decode[PeopleBoard](t, e.get(c, "/api/v1/orgs/alpha/people?role=data+engineer"))
	if len(role.Rows) != 2 {
		t.Errorf("role filter: %d rows, want the 2 data engineers", len(role.Rows))
	}
	joiners := decode[PeopleBoard](t, e.get(c, "/api/v1/orgs/alpha/people?who=joiners"))
	if len(joiners.Rows) != 1 || joiners.Rows[0].Email != "new@alpha.example" {
		t.Errorf("joiners: %+v", joiners.Rows)
	}
	pol := decode[PeopleBoard](t, e.get(c, "/api/v1/orgs/alpha/people?policy=acceptable-use"))
	if len(pol.Rows) != 4 {
		t.Errorf("owing acceptable use: %d rows, want the 4 employed", len(pol.Rows))
	}
	for _, bad := range []string{"?policy=nope", "?training=nope", "?who=everyone", "?as_of=yesterday"} {
		if r := e.get(c, "/api/v1/orgs/alpha/people"+bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("people%s: %d, want 400", bad, r.StatusCode)
		}
	}
	page := e.get(c, "/orgs/alpha/people?overdue=1")
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
	e := newEnv(t, Config{})
	d := e.seedWorkforce()
	c, csrf := e.login(e.users[store.RoleEditor])
	page := e.get(c, "/orgs/alpha/policies/sanctions")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `action="/orgs/alpha/policies/sanctions/approve"`) {
		t.Fatalf("policy page: %d, no approve form\n%.2000s", page.StatusCode, page.Body)
	}
	r := e.postForm(c, "/orgs/alpha/policies/sanctions/approve", url.Values{"csrf": {csrf}, "draft": {"2"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%.800s", r.StatusCode, r.Body)
	}
	e.wantAudit("update", store.KindPolicy, "sanctions", "editor@alpha.example")
	r = e.get(c, r.Header.Get("Location"))
	if !strings.Contains(r.Body, "Version 2 approved by editor@alpha.example") {
		t.Errorf("after approval the page reads:\n%.1500s", r.Body)
	}

	before := e.auditHead().Seq
	r = e.upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "new@alpha.example", "completed": d.today.AddDays(1).String()}, nil, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "in the future") {
		t.Errorf("a completion dated tomorrow: %d\n%.500s", r.StatusCode, r.Body)
	}
	if e.auditHead().Seq != before {
		t.Errorf("a refused completion wrote to the audit trail")
	}
	r = e.upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "new@alpha.example", "completed": d.today.String()},
		[][2]string{{"certificate.pdf", "%PDF-1.4 certificate"}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record with a certificate: %d\n%.500s", r.StatusCode, r.Body)
	}
	key := "new@alpha.example|hipaa-awareness|" + d.today.String()
	e.wantAudit("create", store.KindTrainingRecord, key, "editor@alpha.example")
	var rec workspace.TrainingRecord
	if err := e.st.Org(e.orgA).Get(context.Background(), store.KindTrainingRecord, key, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.SHA256 == "" || !strings.HasSuffix(rec.File, ".pdf") || rec.Source != workspace.RecordWeb {
		t.Errorf("stored completion %+v: want the certificate kept", rec)
	}
	// An auditor downloads it from the trainings page: a POST, on the
	// audit trail, the bytes as uploaded.
	ac, acsrf := e.login(e.users[store.RoleAuditor])
	cert := "/orgs/alpha/trainings/hipaa-awareness/certificates/new@alpha.example/" + d.today.String()
	if page := e.get(ac, "/orgs/alpha/trainings"); !strings.Contains(page.Body, `action="`+cert+`"`) {
		t.Errorf("the trainings page has no download of the certificate for an auditor")
	}
	if got := e.fetch(ac, acsrf, cert); got.StatusCode != 200 || got.Body != "%PDF-1.4 certificate" || got.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("certificate download: %d %q %q", got.StatusCode, got.Header.Get("Content-Type"), got.Body)
	}
	e.wantAudit("download", store.KindTrainingRecord, key, "auditor@alpha.example")
	vc, vcsrf := e.login(e.users[store.RoleViewer])
	if got := e.fetch(vc, vcsrf, cert); got.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer downloading the certificate: %d, want 403", got.StatusCode)
	}
	if got := e.fetch(ac, acsrf, "/orgs/alpha/trainings/hipaa-awareness/certificates/dana@alpha.example/"+d.today.String()); got.StatusCode != http.StatusNotFound {
		t.Errorf("a completion that does not exist: %d, want 404", got.StatusCode)
	}
	// The form's date input takes the US order too, as every form's does.
	y := d.today.AddDays(-1)
	us := fmt.Sprintf("%02d/%02d/%d", int(y.Month()), y.Day(), y.Year())
	r = e.upload(c, "/orgs/alpha/trainings/hipaa-awareness/records", map[string]string{"csrf": csrf, "person": "dana@alpha.example", "completed": us}, nil, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record on %s: %d\n%.500s", us, r.StatusCode, r.Body)
	}
	e.wantAudit("create", store.KindTrainingRecord, "dana@alpha.example|hipaa-awareness|"+y.String(), "editor@alpha.example")
}

// An approval in the web follows the one-source-of-truth model: a policy
// the files manage, approved here, has drifted, and applying the same
// (now stale) files stops with the policy listed and nothing written;
// an acknowledgement made here is the web's and survives an apply of
// files that lack it.
func TestWebApprovalDriftsFilesPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	e.seedDemo()
	dana := e.addUser("dana@acme-health.example", "Dana", e.orgA, store.RoleEditor)
	c, csrf := e.login(dana)
	o := e.st.Org(e.orgA)
	if origin, drifted, _ := o.Origin(context.Background(), store.KindPolicy, "data-retention"); origin != store.OriginFiles || drifted {
		t.Fatalf("before: origin %q drifted %v, want the files'", origin, drifted)
	}
	if r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/policies/data-retention/approve", csrf, map[string]any{"version": 2}); r.StatusCode != 200 {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	if origin, drifted, _ := o.Origin(context.Background(), store.KindPolicy, "data-retention"); origin != store.OriginFiles || !drifted {
		t.Errorf("after: origin %q drifted %v, want the files' record drifted", origin, drifted)
	}
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
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
	r := e.postJSON(c, "POST", "/api/v1/orgs/alpha/my/acknowledgements", csrf, map[string]any{"policy": "data-retention", "version": 2})
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
	e := newEnv(t, Config{})
	e.seedWorkforce()
	c, _ := e.login(e.users[store.RoleViewer])
	l := decode[todo.List](t, e.get(c, "/api/v1/orgs/alpha/todo"))
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
		if r := e.get(c, path); r.StatusCode != 200 {
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
	h := func(*Server, http.ResponseWriter, *http.Request) {}
	if p := (Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h}).Problem(); p == "" {
		t.Errorf("a member's POST without Self is accepted")
	}
	if p := (Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h, Self: true}).Problem(); p != "" {
		t.Errorf("a member's own change is refused: %s", p)
	}
	if p := (Route{Method: "POST", Pattern: "/orgs/{org}/x", Role: store.RoleMember, Handler: h, Self: true, Export: true}).Problem(); p == "" {
		t.Errorf("a route both Self and Export is accepted")
	}
	for _, rt := range Routes() {
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
	e := newEnv(t, Config{})
	d := e.seedWorkforce()
	c, csrf := e.login(e.users[store.RoleMember])
	r := e.postForm(c, "/orgs/alpha/my/policies/acceptable-use/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Tick the box") {
		t.Errorf("unticked: %d\n%.400s", r.StatusCode, r.Body)
	}
	// The right way: ticked, readable.
	r = e.postForm(c, "/orgs/alpha/my/policies/acceptable-use/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}, "read": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d\n%.400s", r.StatusCode, r.Body)
	}
	e.wantAudit("create", store.KindAcknowledgement, "member@alpha.example|acceptable-use|1", "member@alpha.example")
	// A policy whose text never reached the blob store.
	o := e.st.Org(e.orgA)
	ghost := workspace.Policy{ID: "ghost", Title: "Ghost policy", Versions: []workspace.PolicyVersion{
		{Version: 1, File: "policies/ghost-v1.md", SHA256: strings.Repeat("0", 64), ApprovedBy: "dana@alpha.example", ApprovedOn: d.aupApproved},
	}}
	if _, err := o.Put(context.Background(), "test", store.KindPolicy, "ghost", ghost); err != nil {
		t.Fatal(err)
	}
	page := e.get(c, "/orgs/alpha/my/policies/ghost")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "not in ward") || strings.Contains(page.Body, "ack-form") {
		t.Errorf("a missing text: %d\n%.600s", page.StatusCode, page.Body)
	}
	before := e.auditHead().Seq
	r = e.postForm(c, "/orgs/alpha/my/policies/ghost/acknowledge", url.Values{"csrf": {csrf}, "version": {"1"}, "read": {"1"}})
	if r.StatusCode != http.StatusUnprocessableEntity || e.auditHead().Seq != before {
		t.Errorf("acknowledging a text that cannot be shown: %d", r.StatusCode)
	}
}
