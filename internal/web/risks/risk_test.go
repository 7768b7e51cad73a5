package risks_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/risks"
	"ward/internal/web/webtest"
	"ward/internal/workspace"
)

// riskEditForm is the edit form of r as a browser would send it.
func riskEditForm(tok string, r workspace.Risk) url.Values {
	v := url.Values{"csrf": {tok}, "asset": {r.Asset}, "threat": {r.Threat}, "vulnerability": {r.Vulnerability},
		"treatment": {r.Treatment}, "owner": {r.Owner}, "notes": {r.Notes}, "controls": {strings.Join(r.Controls, ", ")},
		"accepted_by": {r.AcceptedBy}, "acceptance_reason": {r.AcceptanceReason}}
	num := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	num("likelihood", r.Likelihood)
	num("impact", r.Impact)
	num("residual_likelihood", r.ResidualLikelihood)
	num("residual_impact", r.ResidualImpact)
	if !r.Due.IsZero() {
		v.Set("due", r.Due.String())
	}
	if !r.Completed.IsZero() {
		v.Set("completed", r.Completed.String())
	}
	return v
}

func TestRiskDetailEditAudited(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	ws := e.SeedDemo()
	const id = "r-ransomware"
	orig := *risk.Find(ws, id)
	editor, tok := e.Login(e.Users[store.RoleEditor])
	viewer, vtok := e.Login(e.Users[store.RoleViewer])
	path := "/orgs/alpha/risks/" + id

	// The page: scores, both matrix cells, controls linked to their pages.
	page := e.Get(viewer, path)
	if page.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, page.StatusCode)
	}
	for _, c := range orig.Controls {
		if !strings.Contains(page.Body, `href="/orgs/alpha/controls/`+c+`"`) {
			t.Errorf("the page does not link control %s to its page", c)
		}
	}
	if strings.Count(page.Body, `<g class="cell"`) != 50 || !strings.Contains(page.Body, `data-count="1"`) {
		t.Errorf("the page lacks the two 5×5 grids with the risk's cell")
	}
	if strings.Contains(page.Body, path+"/edit") || strings.Contains(page.Body, path+"/accept") {
		t.Errorf("a viewer is offered the edit or accept form")
	}
	// Viewers cannot edit, accept or add, through the form or the API.
	if r := e.Get(viewer, path+"/edit"); r.StatusCode != 403 {
		t.Errorf("viewer GET edit: %d, want 403", r.StatusCode)
	}
	changed := orig
	changed.Likelihood = 2
	for _, p := range []string{path, path + "/accept", "/orgs/alpha/risks"} {
		if r := e.PostForm(viewer, p, riskEditForm(vtok, changed)); r.StatusCode != 403 {
			t.Errorf("viewer POST %s: %d, want 403", p, r.StatusCode)
		}
	}
	if got, _ := e.StoredRisk(id); got.Likelihood != orig.Likelihood {
		t.Fatalf("a viewer changed the risk")
	}

	// Invalid edits: 422, the message beside the field, nothing written.
	before := e.LastAudit().Seq
	cases := []struct {
		name  string
		edit  func(*workspace.Risk)
		field string
		says  string
	}{
		{"residual above inherent", func(r *workspace.Risk) { r.ResidualLikelihood = 5 }, "residual_likelihood", "is above the inherent"},
		{"owner not a person", func(r *workspace.Risk) { r.Owner = "nobody@x.example" }, "owner", "is not the email of anyone under people"},
		{"unknown control", func(r *workspace.Risk) { r.Controls = append(r.Controls, "warp-drive") }, "controls", "warp-drive"},
		{"accept without reason", func(r *workspace.Risk) { r.Treatment, r.AcceptedBy = "accept", "raj@acme-health.example" }, "acceptance_reason", "is required when treatment is accept"},
	}
	for _, c := range cases {
		r := orig
		r.Controls = slices.Clone(orig.Controls)
		c.edit(&r)
		resp := e.PostForm(editor, path, riskEditForm(tok, r))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", c.name, resp.StatusCode)
			continue
		}
		// The error follows the field's input, inside its label.
		i := strings.Index(resp.Body, `name="`+c.field+`"`)
		j := strings.Index(resp.Body[max(i, 0):], `<span class="field-error">`)
		if i < 0 || j < 0 || !strings.Contains(resp.Body[i+j:min(len(resp.Body), i+j+400)], c.says) || strings.Contains(resp.Body[i:i+j], "</label>") {
			t.Errorf("%s: no %q beside field %s", c.name, c.says, c.field)
		}
	}
	if e.LastAudit().Seq != before {
		t.Fatalf("an invalid edit wrote to the audit trail")
	}

	// A valid edit: 303 back to the page, stored, one audited update by
	// the editor naming the field.
	resp := e.PostForm(editor, path, riskEditForm(tok, changed))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"?saved=saved" {
		t.Fatalf("edit: %d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	if got, _ := e.StoredRisk(id); got.Likelihood != 2 || got.Impact != orig.Impact || !slices.Equal(got.Controls, orig.Controls) {
		t.Errorf("stored %+v", got)
	}
	a := e.LastAudit()
	if a.Action != "update" || a.Kind != store.KindRisk || a.Key != id || a.Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("the edit is not audited as the editor's update: %+v", a)
	}
	page = e.Get(viewer, path)
	if !strings.Contains(page.Body, "likelihood") || !strings.Contains(page.Body, e.Users[store.RoleEditor].Email) {
		t.Errorf("the history on the page lacks the edit by the editor")
	}

	// Accept: who and why are required, then recorded with today's date.
	if r := e.PostForm(editor, path+"/accept", url.Values{"csrf": {tok}, "by": {"raj@acme-health.example"}}); r.StatusCode != 422 || !strings.Contains(r.Body, "164.316(b)(1)") {
		t.Errorf("accept without reason: %d", r.StatusCode)
	}
	// In Raj's name, by the editor: with the record Raj signed, confirmed.
	r := e.PostForm(editor, path+"/accept", url.Values{"csrf": {tok}, "by": {"raj@acme-health.example"}, "reason": {"Immutable backups are in place; the rest is disproportionate."},
		"record": {"ev-twilio-baa"}, "confirm": {"1"}})
	if r.StatusCode != 303 {
		t.Fatalf("accept: %d %.300s", r.StatusCode, r.Body)
	}
	got, _ := e.StoredRisk(id)
	if got.Treatment != "accept" || got.AcceptedBy != "raj@acme-health.example" || got.AcceptedOn.IsZero() || !strings.HasPrefix(got.AcceptanceReason, "Immutable backups") {
		t.Errorf("accepted %+v", got)
	}

	// The JSON twin of the page.
	var api risks.RiskPage
	if err := json.Unmarshal([]byte(e.Get(viewer, "/api/v1/orgs/alpha/risks/"+id).Body), &api); err != nil {
		t.Fatal(err)
	}
	if api.Scored.Risk.ID != id || api.Scored.Risk.Treatment != "accept" || len(api.History) < 3 || api.History[len(api.History)-1].Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("API: %+v", api)
	}
	if r := e.Get(viewer, "/api/v1/orgs/alpha/risks/r-nope"); r.StatusCode != 404 {
		t.Errorf("API unknown risk: %d", r.StatusCode)
	}
}

func TestRiskNewFormAndAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, tok := e.Login(e.Users[store.RoleEditor])
	form := url.Values{"csrf": {tok}, "analysis": {"ra-2026"}, "asset": {"warehouse"}, "threat": {"ransomware"}, "vulnerability": {"backups-not-isolated"},
		"likelihood": {"4"}, "impact": {"5"}, "treatment": {"mitigate"}, "owner": {"raj@acme-health.example"}, "controls": {"backup"}}
	// Mitigate without a due date: beside the due field.
	if r := e.PostForm(editor, "/orgs/alpha/risks", form); r.StatusCode != 422 || !strings.Contains(r.Body, "is required for a mitigate treatment") {
		t.Fatalf("new without due: %d", r.StatusCode)
	}
	form.Set("due", "2027-03-01")
	r := e.PostForm(editor, "/orgs/alpha/risks", form)
	if r.StatusCode != 303 || r.Header.Get("Location") != "/orgs/alpha/risks/r-warehouse-ransomware?saved=created" {
		t.Fatalf("new: %d %s %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if a := e.LastAudit(); a.Action != "create" || a.Key != "r-warehouse-ransomware" || a.Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("create not audited: %+v", a)
	}
	// The same id again is refused.
	form.Set("id", "r-warehouse-ransomware")
	if r := e.PostForm(editor, "/orgs/alpha/risks", form); r.StatusCode != 422 || !strings.Contains(r.Body, "is already a risk") {
		t.Errorf("duplicate id: %d", r.StatusCode)
	}

	// The API: create, problems as JSON by field.
	post := func(path, body string) webtest.Response {
		req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		return e.Send(editor, req)
	}
	resp := post("/api/v1/orgs/alpha/risks", `{"id": "r-email-misdirect", "asset": "email-notifications", "threat": "misdirected-communication", "vulnerability": "untrained-workforce", "likelihood": 3, "impact": 3, "treatment": "transfer"}`)
	var sc risk.Scored
	if resp.StatusCode != 201 || json.Unmarshal([]byte(resp.Body), &sc) != nil || sc.Inherent != risk.Medium || sc.Risk.Analysis != "ra-2026" {
		t.Errorf("API create: %d %s", resp.StatusCode, resp.Body)
	}
	resp = post("/api/v1/orgs/alpha/risks", `{"asset": "email-notifications", "threat": "x", "vulnerability": "y", "likelihood": 7, "impact": 3, "treatment": "transfer"}`)
	var pb risks.ProblemsBody
	if resp.StatusCode != 422 || json.Unmarshal([]byte(resp.Body), &pb) != nil || !strings.Contains(pb.Problems["likelihood"], "7 is outside the scale") {
		t.Errorf("API invalid: %d %s", resp.StatusCode, resp.Body)
	}
	resp = post("/api/v1/orgs/alpha/risks/r-email-misdirect/accept", `{"by": "dana@acme-health.example", "reason": "Covered by the messaging vendor's contract.", "record": "ev-twilio-baa", "confirm": true}`)
	if resp.StatusCode != 200 {
		t.Errorf("API accept: %d %s", resp.StatusCode, resp.Body)
	}
	if got, _ := e.StoredRisk("r-email-misdirect"); got.AcceptedBy != "dana@acme-health.example" {
		t.Errorf("API accept stored %+v", got)
	}
	// PUT replaces the risk, as for the inventory records.
	req, _ := http.NewRequest("PUT", e.HTTP.URL+"/api/v1/orgs/alpha/risks/r-email-misdirect", strings.NewReader(`{"id": "r-email-misdirect", "asset": "email-notifications", "threat": "misdirected-communication", "vulnerability": "untrained-workforce", "likelihood": 2, "impact": 3, "treatment": "mitigate", "due": "2027-01-31"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tok)
	if resp := e.Send(editor, req); resp.StatusCode != 200 {
		t.Errorf("API PUT: %d %s", resp.StatusCode, resp.Body)
	}
	if got, _ := e.StoredRisk("r-email-misdirect"); got.Likelihood != 2 || got.Treatment != "mitigate" {
		t.Errorf("API PUT stored %+v", got)
	}
}

// questionnaireAnswers is "yes" to every question except give.
func questionnaireAnswers(give map[string]risk.Answer) map[string]risk.Answer {
	out := map[string]risk.Answer{}
	for _, q := range risk.Questionnaire() {
		out[q.ID] = risk.Yes
		if a, ok := give[q.ID]; ok {
			out[q.ID] = a
		}
	}
	return out
}

func TestQuestionnaireAPI(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, tok := e.Login(e.Users[store.RoleEditor])
	viewer, _ := e.Login(e.Users[store.RoleViewer])
	var qs struct{ Sections []risks.QuestionnaireSection }
	if err := json.Unmarshal([]byte(e.Get(viewer, "/api/v1/orgs/alpha/risks/questionnaire").Body), &qs); err != nil || len(qs.Sections) != len(risk.Sections) {
		t.Fatalf("questions: %v %d", err, len(qs.Sections))
	}
	post := func(in risks.QuestionnaireInput) webtest.Response {
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/orgs/alpha/risks/questionnaire", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		return e.Send(editor, req)
	}
	in := risks.QuestionnaireInput{Asset: "warehouse", Answers: questionnaireAnswers(map[string]risk.Answer{"con-backup": risk.No, "fac-device-encryption": risk.Unknown})}
	// Incomplete answers name the question.
	partial := in
	partial.Answers = map[string]risk.Answer{"con-backup": risk.No}
	if r := post(partial); r.StatusCode != 422 || !strings.Contains(r.Body, `"wf-training"`) {
		t.Errorf("partial: %d %.300s", r.StatusCode, r.Body)
	}
	before := e.LastAudit().Seq
	r := post(in)
	var res risks.QuestionnaireResult
	if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &res) != nil || len(res.Proposals) != 2 || len(res.Created) != 0 {
		t.Fatalf("propose: %d %s", r.StatusCode, r.Body)
	}
	if e.LastAudit().Seq != before {
		t.Fatal("proposing wrote")
	}
	// 164.310(c) workstation security (device encryption), "don't know".
	if p := res.Proposals[0]; p.Risk.ID != "q-fac-device-encryption-warehouse" || !slices.Equal(p.Citations, []string{"164.310(c)"}) || p.Risk.Likelihood != 5 {
		t.Errorf("first proposal %+v", p)
	}
	in.Create, in.Select = true, []string{"q-con-backup-warehouse"}
	r = post(in)
	if r.StatusCode != 201 || json.Unmarshal([]byte(r.Body), &res) != nil || !slices.Equal(res.Created, []string{"q-con-backup-warehouse"}) {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if a := e.LastAudit(); a.Action != "create" || a.Key != "q-con-backup-warehouse" || a.Actor != e.Users[store.RoleEditor].Email {
		t.Errorf("not audited: %+v", a)
	}
}

// TestBrowserQuestionnaire fills the questionnaire in Chromium, reviews
// the proposed risks and creates them; they appear in the register.
func TestBrowserQuestionnaire(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	e.BrowserLogin(b, e.Users[store.RoleEditor])

	b.Navigate(e.HTTP.URL + "/orgs/alpha/risks/questionnaire")
	b.WaitText("main h1", "Risk questionnaire", 5*time.Second)
	if n := b.Count("fieldset.section"); n != len(risk.Sections) {
		t.Errorf("%d sections, want %d", n, len(risk.Sections))
	}
	b.Do("choose the asset", chromedp.SetValue(chromedp.CSS(`select[name="asset"]`), "warehouse"))
	no := map[string]string{"wf-passwords": "no", "con-testing": "unknown"}
	for _, q := range risk.Questionnaire() {
		a := "yes"
		if v, ok := no[q.ID]; ok {
			a = v
		}
		b.Click(`input[name="q-` + q.ID + `"][value="` + a + `"]`)
	}
	b.Screenshot("questionnaire")
	b.Click(`button[value="review"]`)
	b.WaitText("section.review h2", "Proposed risks for warehouse", 5*time.Second)
	if n := b.Count("table.proposals tr.proposal"); n != 2 {
		t.Fatalf("%d proposals, want 2", n)
	}
	txt := b.Text("table.proposals")
	for _, want := range []string{"q-wf-passwords-warehouse", "Credential phishing", "164.308(a)(5)(ii)(D)", "q-con-testing-warehouse", "164.308(a)(7)(ii)(D)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("review lacks %q: %s", want, txt)
		}
	}
	b.Screenshot("questionnaire-review")
	b.Click(`button[value="create"]`)
	b.WaitText("p.added", "2 proposed risks added", 5*time.Second)
	reg := b.Text("table.risks")
	for _, id := range []string{"q-wf-passwords-warehouse", "q-con-testing-warehouse"} {
		if !strings.Contains(reg, id) {
			t.Errorf("register lacks %s", id)
		}
	}
	b.Screenshot("questionnaire-created")
	// The detail page of one of them.
	b.Click(`a[href="/orgs/alpha/risks/q-wf-passwords-warehouse"]`)
	b.WaitText("main h1", "warehouse", 5*time.Second)
	b.WaitVisible("figure.cells svg")
	b.Screenshot("risk-detail")
	// Edit it: record the residual likelihood after the treatment.
	b.Click(`a[href="/orgs/alpha/risks/q-wf-passwords-warehouse/edit"]`)
	b.WaitText("main h1", "Edit q-wf-passwords-warehouse", 5*time.Second)
	b.Do("set the residual likelihood", chromedp.SetValue(chromedp.CSS(`select[name="residual_likelihood"]`), "2"))
	b.Screenshot("risk-edit")
	b.Click(`button[type="submit"].primary`)
	b.WaitText("p.saved", "Saved", 5*time.Second)
	if txt := b.Text("section.risk-levels"); !strings.Contains(txt, "likelihood 2 × impact 4 = 8") {
		t.Errorf("after the edit the page reads %q", txt)
	}
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("browser problems (CSP violations, script errors): %q", p)
	}
}

// The questionnaire form: an unanswered question is marked where it is
// and nothing is proposed or written; complete answers show the review.
func TestQuestionnaireFormMarksUnanswered(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, tok := e.Login(e.Users[store.RoleEditor])
	viewer, _ := e.Login(e.Users[store.RoleViewer])
	if r := e.Get(viewer, "/orgs/alpha/risks/questionnaire"); r.StatusCode != 403 {
		t.Errorf("viewer GET questionnaire: %d, want 403 (it creates risks)", r.StatusCode)
	}
	form := url.Values{"csrf": {tok}, "asset": {"warehouse"}, "step": {"review"}}
	for id, a := range questionnaireAnswers(nil) {
		if id != "ven-review" {
			form.Set("q-"+id, string(a))
		}
	}
	before := e.LastAudit().Seq
	r := e.PostForm(editor, "/orgs/alpha/risks/questionnaire", form)
	i := strings.Index(r.Body, `data-id="ven-review"`)
	if r.StatusCode != 422 || i < 0 || !strings.Contains(r.Body[i-40:i], "unanswered") || strings.Contains(r.Body, `section class="review"`) {
		t.Fatalf("one unanswered: status %d; the question is not marked or the review shows", r.StatusCode)
	}
	// The other answers are kept.
	if !strings.Contains(r.Body, `name="q-wf-training" value="yes" checked`) {
		t.Errorf("the answers given were not kept")
	}
	form.Set("q-ven-review", "no")
	r = e.PostForm(editor, "/orgs/alpha/risks/questionnaire", form)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "q-ven-review-warehouse") || !strings.Contains(r.Body, "164.308(b)(1)") {
		t.Fatalf("complete: status %d %.500s", r.StatusCode, r.Body)
	}
	// Create with nothing ticked: refused, nothing written.
	form.Set("step", "create")
	if r := e.PostForm(editor, "/orgs/alpha/risks/questionnaire", form); r.StatusCode != 422 || !strings.Contains(r.Body, "choose at least one") {
		t.Errorf("create nothing: %d", r.StatusCode)
	}
	if e.LastAudit().Seq != before {
		t.Errorf("the questionnaire wrote before anything was created")
	}
}

// An uncovered PHI system (risk.coverage) links an editor to the forms
// that cover it, with the asset chosen.
func TestRegisterLinksUncoveredSystemsToTheForms(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	editor, _ := e.Login(e.Users[store.RoleEditor])
	viewer, _ := e.Login(e.Users[store.RoleViewer])
	const link = `href="/orgs/alpha/risks/new?asset=warehouse"`
	if r := e.Get(editor, "/orgs/alpha/risks"); !strings.Contains(r.Body, link) || !strings.Contains(r.Body, `href="/orgs/alpha/risks/r-ransomware"`) {
		t.Errorf("the register lacks the link to cover warehouse or to a risk's page")
	}
	if r := e.Get(viewer, "/orgs/alpha/risks"); strings.Contains(r.Body, link) {
		t.Errorf("a viewer is offered the new-risk form")
	}
	r := e.Get(editor, "/orgs/alpha/risks/new?asset=warehouse")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `<option value="warehouse" selected>`) {
		t.Errorf("new-risk form: %d, warehouse not chosen", r.StatusCode)
	}
}
