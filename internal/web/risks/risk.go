package risks

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// One risk: its page (scores, matrix cells, controls, treatment,
// acceptance, history), the forms that add, edit and accept it, and their
// JSON twins. Every change goes through store.Save, audited under the
// user's email; invalid input is shown next to its field and writes
// nothing.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks/new", Role: store.RoleEditor, Handler: newRiskPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/risks", Role: store.RoleEditor, Handler: createRiskPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks/{id}", Role: store.RoleViewer, Handler: riskPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/risks/{id}/edit", Role: store.RoleEditor, Handler: editRiskPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/risks/{id}", Role: store.RoleEditor, Handler: updateRiskPage},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/risks/{id}/accept", Role: store.RoleEditor, Handler: acceptRiskPage},

		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/risks/{id}", Role: store.RoleViewer, Handler: riskAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/risks", Role: store.RoleEditor, Handler: createRiskAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/risks/{id}", Role: store.RoleEditor, Handler: updateRiskAPI},
		// PUT as for the inventory records: the whole risk, as in the
		// workspace file.
		kit.Route{Method: "PUT", Pattern: "/api/v1/orgs/{org}/risks/{id}", Role: store.RoleEditor, Handler: updateRiskAPI},
		kit.Route{Method: "POST", Pattern: "/api/v1/orgs/{org}/risks/{id}/accept", Role: store.RoleEditor, Handler: acceptRiskAPI},
	)
}

// ControlLink is a control a risk names, linked to its page.
type ControlLink struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Href    string `json:"href"`
	Status  string `json:"status"` // the workspace's status, or "not adopted"
	Adopted bool   `json:"adopted"`
}

// RiskPage is GET /orgs/{org}/risks/{id} and its JSON twin.
type RiskPage struct {
	AsOf     date.Date               `json:"as_of"`
	Scored   risk.Scored             `json:"scored"`
	Analysis *workspace.RiskAnalysis `json:"analysis"`
	// Latest: the risk belongs to the latest analysis (older analyses
	// are a record and are not edited).
	Latest    bool                 `json:"latest"`
	Overdue   bool                 `json:"overdue"`
	Controls  []ControlLink        `json:"controls"`
	Suggested []ControlLink        `json:"suggested_controls"`
	History   []store.HistoryEntry `json:"history"`
	// Version is the risk's version (the API's ETag; the forms carry it).
	Version int64 `json:"version"`

	Inherent template.HTML      `json:"-"`
	Residual template.HTML      `json:"-"`
	People   []workspace.Person `json:"-"`
	Saved    string             `json:"-"` // "saved", "created", "accepted"
	// Accept is the accept form as sent, with its problems.
	AcceptBy     string `json:"-"`
	AcceptReason string `json:"-"`
	AcceptRecord string `json:"-"`
	AcceptSigned bool   `json:"-"`
	// Records are the evidence items with a file, to name a signed
	// acceptance by.
	Records      []workspace.Evidence `json:"-"`
	AcceptErrors map[string]string    `json:"-"`
}

func catalogKnows(id string) bool { return catalog.Default().Control(id) != nil }

func controlLinks(ws *workspace.Workspace, slug string, ids []string) []ControlLink {
	out := []ControlLink{}
	for _, id := range ids {
		l := ControlLink{ID: id, Title: id, Href: "/orgs/" + slug + "/controls/" + id, Status: "not adopted"}
		if c := catalog.Default().Control(id); c != nil {
			l.Title = c.Title
		}
		if c := ws.Control(id); c != nil {
			l.Adopted, l.Status = true, c.Status
		}
		out = append(out, l)
	}
	return out
}

// loadRisk reads the workspace and the risk named by {id}; it answers
// the request itself (404, 400, 500) when it returns false.
// loadRisk is the workspace, the risk of the path, the as-of date and the
// risk's version, read before the rest (see recordWithVersion).
func loadRisk(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, *workspace.Risk, date.Date, int64, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return nil, nil, asOf, 0, false
	}
	version, _ := s.Org(r).Version(r.Context(), store.KindRisk, r.PathValue("id"))
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return nil, nil, asOf, 0, false
	}
	rk := risk.Find(ws, r.PathValue("id"))
	if rk == nil {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no risk %q in %s's register", r.PathValue("id"), kit.CurrentOrg(r).Name))
		return nil, nil, asOf, 0, false
	}
	return ws, rk, asOf, version, true
}

func riskPageData(s *kit.Server, r *http.Request, ws *workspace.Workspace, rk workspace.Risk, asOf date.Date) (RiskPage, error) {
	m, err := risk.MatrixFor(ws)
	if err != nil {
		return RiskPage{}, err
	}
	hist, err := s.Org(r).History(r.Context(), store.KindRisk, rk.ID)
	if err != nil {
		return RiskPage{}, err
	}
	slug := kit.CurrentOrg(r).Slug
	lib := risk.LibraryFor(ws)
	sc := risk.Score(rk, m, lib)
	p := RiskPage{AsOf: asOf, Scored: sc, Analysis: ws.RiskAnalysis(rk.Analysis), Overdue: risk.Overdue(rk, asOf),
		Controls: controlLinks(ws, slug, rk.Controls), Suggested: controlLinks(ws, slug, lib.SuggestedControls(rk.Threat, rk.Vulnerability)),
		History: hist, People: ws.People}
	for _, e := range ws.Evidence {
		if e.ID != "" && (e.File != "" || e.SHA256 != "") {
			p.Records = append(p.Records, e)
		}
	}
	if l := risk.Latest(ws, asOf); l != nil && (l.ID == rk.Analysis || (rk.Analysis == "" && len(ws.RiskAnalyses) <= 1)) {
		p.Latest = true
	}
	one := []risk.Scored{sc}
	// HeatmapSVG escapes what it draws and uses presentation attributes
	// only, so it can be inlined under the CSP (as the register does).
	p.Inherent = template.HTML(risk.HeatmapSVG(one, m, risk.Inherent, risk.HeatmapOptions{Title: "Inherent", Cell: 48}))
	p.Residual = template.HTML(risk.HeatmapSVG(one, m, risk.Residual, risk.HeatmapOptions{Title: "Residual", Cell: 48}))
	if u := kit.CurrentUser(r); ws.Person(u.Email) != nil {
		p.AcceptBy = u.Email
	}
	return p, nil
}

func riskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, rk, asOf, version, ok := loadRisk(s, w, r, false)
	if !ok {
		return
	}
	p, err := riskPageData(s, r, ws, *rk, asOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	p.Version = version
	p.Saved = r.URL.Query().Get("saved")
	s.Render(w, r, "risk.html", p)
}

func riskAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, rk, asOf, version, ok := loadRisk(s, w, r, true)
	if !ok {
		return
	}
	p, err := riskPageData(s, r, ws, *rk, asOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	p.Version = version
	records.SetETag(w, version)
	kit.WriteJSON(w, http.StatusOK, p)
}

// RiskForm is the new and edit forms.
type RiskForm struct {
	New bool
	// Version of the risk the form was loaded with (an edit).
	Version  int64
	Risk     workspace.Risk
	Controls string // comma-separated, as typed
	Errors   map[string]string
	// Choices.
	Analyses        []workspace.RiskAnalysis
	Systems         []workspace.System
	People          []workspace.Person
	Threats         []risk.Threat
	Vulnerabilities []risk.Vulnerability
	Treatments      []string
	Likelihood      []risk.ScaleLevel
	Impact          []risk.ScaleLevel
}

func riskForm(ws *workspace.Workspace, rk workspace.Risk, isNew bool) RiskForm {
	lib := risk.LibraryFor(ws)
	return RiskForm{New: isNew, Risk: rk, Controls: strings.Join(rk.Controls, ", "), Errors: map[string]string{},
		Analyses: ws.RiskAnalyses, Systems: ws.Systems, People: ws.People,
		Threats: lib.Threats, Vulnerabilities: lib.Vulnerabilities, Treatments: workspace.RiskTreatments,
		Likelihood: risk.LikelihoodScale, Impact: risk.ImpactScale}
}

var indexed = regexp.MustCompile(`\[\d+\]$`)

// fieldProblems maps validation errors to form fields (controls[2] is
// the controls field).
func fieldProblems(errs []error) map[string]string {
	out := map[string]string{}
	for f, msg := range risk.Problems(errs) {
		f = indexed.ReplaceAllString(f, "")
		if prev, ok := out[f]; ok {
			msg = prev + "; " + msg
		}
		out[f] = msg
	}
	return out
}

// readRiskForm fills rk from the posted form; unparsable numbers and
// dates are problems by field.
func readRiskForm(r *http.Request, rk *workspace.Risk, isNew bool) map[string]string {
	bad := map[string]string{}
	str := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	num := func(name string, dst *int) {
		v := str(name)
		if v == "" {
			*dst = 0
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad[name] = fmt.Sprintf("%q is not a number from 1 to 5", v)
			return
		}
		*dst = n
	}
	day := func(name string, dst *date.Date) {
		v := str(name)
		if v == "" {
			*dst = date.Date{}
			return
		}
		d, err := date.ParseInput(v)
		if err != nil {
			bad[name] = err.Error()
			return
		}
		*dst = d
	}
	if isNew {
		rk.ID, rk.Analysis = str("id"), str("analysis")
	}
	rk.Asset, rk.Threat, rk.Vulnerability = str("asset"), str("threat"), str("vulnerability")
	num("likelihood", &rk.Likelihood)
	num("impact", &rk.Impact)
	num("residual_likelihood", &rk.ResidualLikelihood)
	num("residual_impact", &rk.ResidualImpact)
	rk.Controls = nil
	for _, c := range strings.Split(r.PostFormValue("controls"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			rk.Controls = append(rk.Controls, c)
		}
	}
	rk.Treatment, rk.Owner = str("treatment"), str("owner")
	day("due", &rk.Due)
	day("completed", &rk.Completed)
	rk.AcceptedBy, rk.AcceptanceReason, rk.Notes = str("accepted_by"), str("acceptance_reason"), str("notes")
	return bad
}

// prepare completes and validates a risk about to be saved: problems by
// field, or none.
func prepare(ws *workspace.Workspace, rk *workspace.Risk, before *workspace.Risk, isNew bool, today date.Date) map[string]string {
	if isNew {
		if rk.Analysis == "" {
			if a := risk.Latest(ws, today); a != nil {
				rk.Analysis = a.ID
			}
		}
		if rk.ID == "" && rk.Asset != "" {
			rk.ID = risk.NewID(ws, rk.Asset, rk.Threat)
		}
	}
	if rk.Treatment == "accept" && rk.AcceptedOn.IsZero() {
		rk.AcceptedOn = today
	}
	errs := fieldProblems(risk.ValidateIn(ws, *rk, isNew, catalogKnows))
	if isNew && rk.Analysis == "" {
		errs["analysis"] = "there is no risk analysis yet: start one (ward risk analysis new) before adding risks"
	}
	return errs
}

func newRiskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	rk := workspace.Risk{Treatment: "mitigate", Asset: r.URL.Query().Get("asset")}
	if a := risk.Latest(ws, s.Today()); a != nil {
		rk.Analysis = a.ID
	}
	s.Render(w, r, "risk_form.html", riskForm(ws, rk, true))
}

func editRiskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, rk, _, version, ok := loadRisk(s, w, r, false)
	if !ok {
		return
	}
	f := riskForm(ws, *rk, false)
	f.Version = version
	s.Render(w, r, "risk_form.html", f)
}

// saveRisk creates (before == nil) or updates a risk from rk, an update
// based on version (0: unconditional); problems by field when it is not
// valid (nothing written), checked again inside the write's transaction
// against the organization as it is then (an asset retired meanwhile).
func saveRisk(s *kit.Server, r *http.Request, ws *workspace.Workspace, rk *workspace.Risk, before *workspace.Risk, version int64) (map[string]string, error) {
	isNew := before == nil
	problems := prepare(ws, rk, before, isNew, s.Today())
	if p := acceptanceInOtherName(s, r, rk, before); p != "" {
		problems["accepted_by"] = p
	}
	if len(problems) > 0 {
		return problems, nil
	}
	saved := *rk
	_, err := s.Org(r).SaveIf(r.Context(), kit.CurrentUser(r).Email, riskCheck(saved, isNew),
		store.Edit{Kind: store.KindRisk, Value: saved, Update: !isNew, Version: version})
	var refused *records.EditRefused
	switch {
	case errors.As(err, &refused):
		return refused.Errs, nil
	case isNew && errors.Is(err, store.ErrConflict):
		return map[string]string{"id": fmt.Sprintf("%q is taken (also by a retired risk): choose another id", rk.ID)}, nil
	}
	return nil, err
}

// acceptanceInOtherName refuses, in a form or API save of the whole risk,
// an acceptance that is new or changed and not in the name of the person
// logged in: someone else's acceptance is recorded with the accept form
// (or POST .../accept), with the record they signed and a confirmation.
func acceptanceInOtherName(s *kit.Server, r *http.Request, rk *workspace.Risk, before *workspace.Risk) string {
	if rk.AcceptedBy == "" {
		return ""
	}
	if before != nil && before.AcceptedBy == rk.AcceptedBy && before.AcceptanceRecord == rk.AcceptanceRecord &&
		before.AcceptedOn == rk.AcceptedOn && before.AcceptanceReason == rk.AcceptanceReason {
		return "" // the acceptance on record, unchanged
	}
	me := kit.CurrentUser(r).Email
	if strings.EqualFold(rk.AcceptedBy, me) {
		return ""
	}
	return fmt.Sprintf("you are logged in as %s: a risk is accepted here in your own name; to record %s's acceptance, use Accept this risk with the record they signed", me, rk.AcceptedBy)
}

// signedRecord reports whether id is an evidence item with a file.
func signedRecord(ws *workspace.Workspace, id string) bool {
	for _, e := range ws.Evidence {
		if e.ID == id {
			return e.File != "" || e.SHA256 != ""
		}
	}
	return false
}

// riskCheck validates rk inside the write's transaction.
func riskCheck(rk workspace.Risk, isNew bool) func(cur *workspace.Workspace) error {
	return func(cur *workspace.Workspace) error {
		if isNew && risk.Find(cur, rk.ID) != nil {
			return nil // the store refuses the create: ErrConflict
		}
		if errs := fieldProblems(risk.ValidateIn(cur, rk, isNew, catalogKnows)); len(errs) > 0 {
			return &records.EditRefused{Errs: errs}
		}
		return nil
	}
}

// staleProblems is a stale edit as a form's problem: the form is shown
// again with what was typed, at the current version, so saving again is a
// deliberate overwrite.
func staleProblems(err error) (map[string]string, int64, bool) {
	var stale *store.StaleError
	if !errors.As(err, &stale) {
		return nil, 0, false
	}
	return map[string]string{"": "Not saved: " + err.Error() + " Your entries are below; saving again replaces that change."}, stale.Have, true
}

func createRiskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	var rk workspace.Risk
	bad := readRiskForm(r, &rk, true)
	finishForm(s, w, r, ws, rk, nil, bad, "created", 0)
}

func updateRiskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, old, _, _, ok := loadRisk(s, w, r, false)
	if !ok {
		return
	}
	rk := *old
	bad := readRiskForm(r, &rk, false)
	finishForm(s, w, r, ws, rk, old, bad, "saved", records.FormVersion(r.PostForm))
}

func finishForm(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, rk workspace.Risk, before *workspace.Risk, bad map[string]string, done string, version int64) {
	problems := bad
	status := http.StatusUnprocessableEntity
	if len(bad) == 0 {
		var err error
		problems, err = saveRisk(s, r, ws, &rk, before, version)
		if p, have, ok := staleProblems(err); ok {
			problems, version, status, err = p, have, http.StatusConflict, nil
		}
		if err != nil {
			records.WriteRefused(s, w, r, false, err)
			return
		}
	}
	if len(problems) > 0 {
		f := riskForm(ws, rk, before == nil)
		f.Version = version
		f.Controls = r.PostFormValue("controls")
		for k, v := range problems {
			f.Errors[k] = v
		}
		s.RenderStatus(w, r, status, "risk_form.html", f)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/risks/%s?saved=%s", kit.CurrentOrg(r).Slug, rk.ID, done), http.StatusSeeOther)
}

// acceptBody is an acceptance as the form and the API send it. Record
// and Confirm are for an acceptance in someone else's name: the evidence
// item holding what they signed, and the confirmation of the person
// entering it that it is their signed acceptance.
type acceptBody struct {
	By      string `json:"by"`
	Reason  string `json:"reason"`
	Record  string `json:"record,omitempty"`
	Confirm bool   `json:"confirm,omitempty"`
}

// accept records the acceptance of a risk; problems by field (by,
// reason, record, confirm) when the form is incomplete. A risk is accepted
// in the name of the person logged in, or in someone else's with the
// record they signed (an evidence item with a file) and a confirmation:
// an editor cannot make the CEO accept a risk (issue 20 finding 8).
func accept(s *kit.Server, r *http.Request, ws *workspace.Workspace, rk workspace.Risk, b acceptBody, version int64) (workspace.Risk, map[string]string, error) {
	problems := map[string]string{}
	by, reason, record := strings.TrimSpace(b.By), strings.TrimSpace(b.Reason), strings.TrimSpace(b.Record)
	me := kit.CurrentUser(r).Email
	if by == "" {
		problems["by"] = "say who accepts the risk"
	} else if ws.Person(by) == nil {
		problems["by"] = fmt.Sprintf("%q is not anyone under people", by)
	} else if record != "" && !signedRecord(ws, record) {
		problems["record"] = fmt.Sprintf("%q is not an evidence item with a file", record)
	} else if !strings.EqualFold(by, me) {
		switch {
		case record == "":
			problems["record"] = fmt.Sprintf("you are logged in as %s: a risk is accepted in your own name, or in %s's with the acceptance they signed (upload it as evidence, then name it here)", me, by)
		case !b.Confirm:
			problems["confirm"] = fmt.Sprintf("confirm that %s signed this record accepting the risk", by)
		}
	}
	if reason == "" {
		problems["reason"] = "say why keeping the risk is reasonable and appropriate (164.316(b)(1): the decision is documented)"
	}
	if len(problems) > 0 {
		return rk, problems, nil
	}
	acc, err := risk.Accept(rk, by, reason, s.Today())
	if err != nil {
		return rk, map[string]string{"reason": err.Error()}, nil
	}
	acc.AcceptanceRecord = record
	if errs := fieldProblems(risk.ValidateIn(ws, acc, false, catalogKnows)); len(errs) > 0 {
		return rk, errs, nil
	}
	_, err = s.Org(r).SaveIf(r.Context(), kit.CurrentUser(r).Email, riskCheck(acc, false), store.Edit{Kind: store.KindRisk, Value: acc, Update: true, Version: version})
	var refused *records.EditRefused
	if errors.As(err, &refused) {
		return rk, refused.Errs, nil
	}
	return acc, nil, err
}

func acceptRiskPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, rk, asOf, _, ok := loadRisk(s, w, r, false)
	if !ok {
		return
	}
	b := acceptBody{By: r.PostFormValue("by"), Reason: r.PostFormValue("reason"), Record: r.PostFormValue("record"), Confirm: r.PostFormValue("confirm") != ""}
	version := records.FormVersion(r.PostForm)
	_, problems, err := accept(s, r, ws, *rk, b, version)
	status := http.StatusUnprocessableEntity
	if p, have, ok := staleProblems(err); ok {
		problems, version, status, err = p, have, http.StatusConflict, nil
	}
	if err != nil {
		records.WriteRefused(s, w, r, false, err)
		return
	}
	if len(problems) > 0 {
		p, err := riskPageData(s, r, ws, *rk, asOf)
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		p.AcceptBy, p.AcceptReason, p.AcceptRecord, p.AcceptSigned, p.AcceptErrors, p.Version = b.By, b.Reason, b.Record, b.Confirm, problems, version
		s.RenderStatus(w, r, status, "risk.html", p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/risks/%s?saved=accepted", kit.CurrentOrg(r).Slug, rk.ID), http.StatusSeeOther)
}

// ProblemsBody is a 422 answer of the API: the message and each field's
// problem.
type ProblemsBody struct {
	Error    string            `json:"error"`
	Problems map[string]string `json:"problems"`
}

func writeProblems(w http.ResponseWriter, problems map[string]string) {
	kit.WriteJSON(w, http.StatusUnprocessableEntity, ProblemsBody{Error: "the risk is not valid; nothing was written", Problems: problems})
}

func scoredAnswer(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, rk workspace.Risk, status int) {
	m, err := risk.MatrixFor(ws)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, status, risk.Score(rk, m, risk.LibraryFor(ws)))
}

// createRiskAPI: POST a workspace risk as JSON (the workspace file's
// field names); 201 with its scores, 422 with problems by field.
func createRiskAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	var rk workspace.Risk
	if err := records.ReadJSON(r, &rk); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	saveRiskAnswer(s, w, r, ws, rk, nil, http.StatusCreated, 0)
}

// updateRiskAPI: POST the whole risk as JSON; its id must be the path's.
func updateRiskAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	version, ok := records.IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the risk (a quoted version such as "3"), or *`)
		return
	}
	ws, old, _, _, ok := loadRisk(s, w, r, true)
	if !ok {
		return
	}
	var rk workspace.Risk
	if err := records.ReadJSON(r, &rk); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	if rk.ID == "" {
		rk.ID = old.ID
	}
	if rk.ID != old.ID {
		writeProblems(w, map[string]string{"id": "an id cannot be changed by an edit"})
		return
	}
	if rk.Analysis == "" {
		rk.Analysis = old.Analysis
	}
	saveRiskAnswer(s, w, r, ws, rk, old, http.StatusOK, version)
}

// saveRiskAnswer saves rk (over old, nil for a new risk) and answers the
// API call: its scores with status, or 422 with the problems by field.
func saveRiskAnswer(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, rk workspace.Risk, old *workspace.Risk, status int, version int64) {
	problems, err := saveRisk(s, r, ws, &rk, old, version)
	if err != nil {
		records.WriteRefused(s, w, r, true, err)
		return
	}
	if len(problems) > 0 {
		writeProblems(w, problems)
		return
	}
	scoredAnswer(s, w, r, ws, rk, status)
}

// acceptRiskAPI: POST {"by": EMAIL, "reason": TEXT}, and for someone
// else's acceptance "record": EVIDENCE-ID, "confirm": true.
func acceptRiskAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	version, ok := records.IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the risk (a quoted version such as "3"), or *`)
		return
	}
	ws, rk, _, _, ok := loadRisk(s, w, r, true)
	if !ok {
		return
	}
	var body acceptBody
	if err := records.ReadJSON(r, &body); err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	acc, problems, err := accept(s, r, ws, *rk, body, version)
	if err != nil {
		records.WriteRefused(s, w, r, true, err)
		return
	}
	if len(problems) > 0 {
		writeProblems(w, problems)
		return
	}
	scoredAnswer(s, w, r, ws, acc, http.StatusOK)
}
