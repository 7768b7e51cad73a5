package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	for _, k := range recordKinds {
		m := k.meta()
		page, api := "/orgs/{org}/"+m.Path, "/api/v1/orgs/{org}/"+m.Path
		h := func(f func(*Server, recordKind, http.ResponseWriter, *http.Request)) HandlerFunc {
			return func(s *Server, w http.ResponseWriter, r *http.Request) { f(s, k, w, r) }
		}
		if !m.NoListPage {
			register(
				Route{Method: "GET", Pattern: page, Role: store.RoleViewer, Handler: h((*Server).recordListPage)},
				Route{Method: "GET", Pattern: api, Role: store.RoleViewer, Handler: h((*Server).recordListAPI)},
			)
		}
		register(
			Route{Method: "GET", Pattern: page + "/new", Role: store.RoleEditor, Handler: h((*Server).recordNewPage)},
			Route{Method: "POST", Pattern: page, Role: store.RoleEditor, Handler: h((*Server).recordCreate)},
			Route{Method: "GET", Pattern: page + "/{id}", Role: store.RoleViewer, Handler: h((*Server).recordPage)},
			Route{Method: "GET", Pattern: page + "/{id}/edit", Role: store.RoleEditor, Handler: h((*Server).recordEditPage)},
			Route{Method: "POST", Pattern: page + "/{id}", Role: store.RoleEditor, Handler: h((*Server).recordUpdate)},
			Route{Method: "POST", Pattern: page + "/{id}/retire", Role: store.RoleEditor, Handler: h((*Server).recordRetire)},
			Route{Method: "POST", Pattern: api, Role: store.RoleEditor, Handler: h((*Server).recordCreateAPI)},
			Route{Method: "GET", Pattern: api + "/{id}", Role: store.RoleViewer, Handler: h((*Server).recordAPI)},
			Route{Method: "PUT", Pattern: api + "/{id}", Role: store.RoleEditor, Handler: h((*Server).recordUpdateAPI)},
			// POST, not DELETE: a browser session sends its CSRF token in the
			// body, and DELETE has none.
			Route{Method: "POST", Pattern: api + "/{id}/retire", Role: store.RoleEditor, Handler: h((*Server).recordRetireAPI)},
		)
	}
}

// recordHref is a record's page; keys (a flow's from->to#name) are
// escaped as one path segment.
func recordHref(slug string, m *kindMeta, key string) string {
	return "/orgs/" + slug + "/" + m.Path + "/" + url.PathEscape(key)
}

// listHref is where a kind's records are listed.
func listHref(slug string, m *kindMeta) string {
	return "/orgs/" + slug + "/" + m.Path
}

// RecordRow is one line of a list.
type RecordRow struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Href     string   `json:"-"`
	Cells    []string `json:"-"`
	Findings int      `json:"findings"`
	Failing  bool     `json:"failing"`
}

// RecordList is a list page: /orgs/{org}/systems and the others.
type RecordList struct {
	Kind    *kindMeta   `json:"-"`
	Columns []fieldSpec `json:"-"`
	AsOf    date.Date   `json:"as_of"`
	Rows    []RecordRow `json:"-"`
	Base    string      `json:"-"`
	Kinds   []navKind   `json:"-"`
}

// navKind links the inventory pages to one another.
type navKind struct {
	Title, Href string
	Current     bool
}

func inventoryNav(slug string, current *kindMeta) []navKind {
	var out []navKind
	for _, k := range recordKinds {
		m := k.meta()
		out = append(out, navKind{Title: m.Title, Href: listHref(slug, m), Current: m == current})
	}
	return out
}

// loadRecords is the workspace, the date and the gate's findings by
// subject, for a page about records.
func (s *Server) loadRecords(w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, map[string][]finding.Finding, bool) {
	asOf, err := s.requestAsOf(r)
	if err != nil {
		s.fail(w, r, api, http.StatusBadRequest, err.Error())
		return nil, date.Date{}, nil, false
	}
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, api, err)
		return nil, date.Date{}, nil, false
	}
	by := map[string][]finding.Finding{}
	for _, f := range check.Run(ws, asOf) {
		by[f.Subject] = append(by[f.Subject], f)
	}
	return ws, asOf, by, true
}

func recordList(k recordKind, ws *workspace.Workspace, slug string, asOf date.Date, by map[string][]finding.Finding) RecordList {
	m := k.meta()
	l := RecordList{Kind: m, AsOf: asOf, Rows: []RecordRow{}, Base: listHref(slug, m), Kinds: inventoryNav(slug, m)}
	for _, f := range m.Fields {
		if f.Column {
			l.Columns = append(l.Columns, f)
		}
	}
	for i := range k.count(ws) {
		key := k.keyAt(ws, i)
		vals := formValues(m, k.at(ws, i))
		row := RecordRow{Key: key, Title: k.titleAt(ws, i), Href: recordHref(slug, m, key),
			Findings: len(by[key]), Failing: finding.HasError(by[key])}
		for _, c := range l.Columns {
			v := vals[c.Name]
			if c.Type == "checkbox" {
				v = map[bool]string{true: "yes", false: "no"}[v != ""]
			}
			row.Cells = append(row.Cells, v)
		}
		l.Rows = append(l.Rows, row)
	}
	return l
}

func (s *Server) recordListPage(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, asOf, by, ok := s.loadRecords(w, r, false)
	if !ok {
		return
	}
	s.render(w, r, "records.html", recordList(k, ws, currentOrg(r).Slug, asOf, by))
}

// recordListAPI is GET /api/v1/orgs/{org}/systems and the others: the
// records as the workspace files have them, under the section's name.
func (s *Server) recordListAPI(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	list := make([]any, 0, k.count(ws))
	for i := range k.count(ws) {
		list = append(list, k.at(ws, i))
	}
	writeJSON(w, http.StatusOK, map[string]any{k.meta().Section: list})
}

// ShownField is one field of a record's page.
type ShownField struct {
	Label string
	Value string
}

// RecordDetail is a record's page and its JSON twin.
type RecordDetail struct {
	Kind     *kindMeta         `json:"-"`
	Key      string            `json:"key"`
	Title    string            `json:"-"`
	AsOf     date.Date         `json:"as_of"`
	Record   any               `json:"record"`
	Fields   []ShownField      `json:"-"`
	Findings []finding.Finding `json:"findings"`
	// For a system: where PHI reaches it from — for each PHI flow into
	// it, the chain of system ids from where that PHI starts — whether
	// PHI starts here (marked phi or live_phi), and the error rules that
	// block it going live.
	PHIFrom   [][]string `json:"phi_from,omitempty"`
	PHIOrigin bool       `json:"phi_origin,omitempty"`
	BlockedBy []string   `json:"blocked_by,omitempty"`
	// BlockReasons say, per rule, the real cause and the path PHI takes
	// between it and this system or customer (issue 19).
	BlockReasons []phimap.Reason `json:"blocked_reasons,omitempty"`
	Reasons      []ReasonView    `json:"-"`
	// For an agreement: the BAA clause review and the signed copy.
	Clauses []ClauseRow `json:"clause_review,omitempty"`
	File    *FileInfo   `json:"file,omitempty"`
	// Error is why a retire was refused.
	Error string    `json:"-"`
	Href  string    `json:"-"`
	List  string    `json:"-"`
	Kinds []navKind `json:"-"`
}

func recordDetail(k recordKind, ws *workspace.Workspace, i int, slug string, asOf date.Date, by map[string][]finding.Finding) RecordDetail {
	m := k.meta()
	key := k.keyAt(ws, i)
	rec := k.at(ws, i)
	d := RecordDetail{Kind: m, Key: key, Title: k.titleAt(ws, i), AsOf: asOf, Record: rec,
		Findings: by[key], Href: recordHref(slug, m, key), List: listHref(slug, m), Kinds: inventoryNav(slug, m)}
	if m.NoListPage {
		d.List = "/orgs/" + slug + "/flows"
	}
	if d.Findings == nil {
		d.Findings = []finding.Finding{}
	}
	vals := formValues(m, rec)
	for _, f := range m.Fields {
		v := vals[f.Name]
		if f.Type == "checkbox" {
			v = map[bool]string{true: "yes", false: "no"}[v != ""]
		}
		d.Fields = append(d.Fields, ShownField{Label: f.Label, Value: v})
	}
	switch rec := rec.(type) {
	case workspace.System:
		// The vendor's findings (its missing BAA) are this system's too.
		if rec.Vendor != "" {
			d.Findings = append(d.Findings, by[rec.Vendor]...)
		}
		g := phimap.Build(ws)
		d.PHIOrigin = rec.PHI || rec.LivePHI
		for _, f := range ws.Flows {
			if f.To == rec.ID && g.CarriesPHI(f) {
				d.PHIFrom = append(d.PHIFrom, append(g.Path(f.From), rec.ID))
			}
		}
		d.blocked(ws, asOf, slug, phimap.KindSystem, rec.ID)
	case workspace.Customer:
		d.blocked(ws, asOf, slug, phimap.KindCustomer, rec.ID)
	case workspace.Agreement:
		d.Clauses = clauseRows(rec)
		if rec.File != "" {
			d.File = &FileInfo{Name: rec.File, SHA256: rec.SHA256, Href: d.Href + "/file"}
		}
	}
	return d
}

// ReasonView is a block reason with the links the page draws: each
// system of the path, and the finding's subject.
type ReasonView struct {
	phimap.Reason
	Steps       []ReasonStep
	SubjectHref string
}

// ReasonStep is one system of a reason's path.
type ReasonStep struct{ ID, Href string }

// blocked fills the rules that block the subject's live PHI and why.
func (d *RecordDetail) blocked(ws *workspace.Workspace, asOf date.Date, slug, kind, id string) {
	for _, b := range phimap.Gate(ws, asOf).Blocked {
		if b.Kind != kind || b.Subject != id {
			continue
		}
		d.BlockedBy, d.BlockReasons = b.Rules, b.Reasons
		for _, r := range b.Reasons {
			v := ReasonView{Reason: r}
			for _, s := range r.Path {
				v.Steps = append(v.Steps, ReasonStep{ID: s, Href: recordHref(slug, systemKind.meta(), s)})
			}
			switch r.SubjectKind {
			case "flow":
				v.SubjectHref = recordHref(slug, flowKind.meta(), r.Subject)
			case phimap.KindSystem:
				v.SubjectHref = recordHref(slug, systemKind.meta(), r.Subject)
			case "vendor":
				v.SubjectHref = recordHref(slug, vendorKind.meta(), r.Subject)
			case "agreement":
				v.SubjectHref = recordHref(slug, agreementKind.meta(), r.Subject)
			case phimap.KindCustomer:
				v.SubjectHref = recordHref(slug, customerKind.meta(), r.Subject)
			case "organization":
				v.SubjectHref = "/orgs/" + slug + "/plan"
			}
			d.Reasons = append(d.Reasons, v)
		}
	}
}

func (s *Server) recordAt(k recordKind, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, map[string][]finding.Finding, int, bool) {
	ws, asOf, by, ok := s.loadRecords(w, r, api)
	if !ok {
		return nil, date.Date{}, nil, 0, false
	}
	id := r.PathValue("id")
	i := find(k, ws, id)
	if i < 0 {
		if s.retiredRecord(k, w, r, api, id) {
			return nil, date.Date{}, nil, 0, false
		}
		s.fail(w, r, api, http.StatusNotFound, fmt.Sprintf("No %s %s in this organization.", k.meta().Singular, id))
		return nil, date.Date{}, nil, 0, false
	}
	return ws, asOf, by, i, true
}

// retiredRecord answers for a record that was retired: nothing is
// deleted (45 CFR 164.316(b)(2) keeps documentation six years), so its
// URL says 410 Gone with when, and the API gives its last version and its
// history. It reports whether id was such a record.
func (s *Server) retiredRecord(k recordKind, w http.ResponseWriter, r *http.Request, api bool, id string) bool {
	m := k.meta()
	o := s.org(r)
	rs, err := o.Retired(r.Context(), m.Kind)
	if err != nil {
		s.serverError(w, r, api, err)
		return true
	}
	for _, rr := range rs {
		if rr.Key != id {
			continue
		}
		msg := fmt.Sprintf("%s %s was retired on %s. It is kept on record, not deleted; its history is in the audit trail.",
			m.Singular, id, rr.RetiredAt.UTC().Format("2006-01-02 15:04 UTC"))
		if !api {
			s.fail(w, r, false, http.StatusGone, msg)
			return true
		}
		hist, err := o.History(r.Context(), m.Kind, id)
		if err != nil {
			s.serverError(w, r, true, err)
			return true
		}
		writeJSON(w, http.StatusGone, map[string]any{"error": msg, "retired": rr, "history": hist})
		return true
	}
	return false
}

func (s *Server) recordPage(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, asOf, by, i, ok := s.recordAt(k, w, r, false)
	if !ok {
		return
	}
	s.render(w, r, "record.html", recordDetail(k, ws, i, currentOrg(r).Slug, asOf, by))
}

func (s *Server) recordAPI(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, asOf, by, i, ok := s.recordAt(k, w, r, true)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, recordDetail(k, ws, i, currentOrg(r).Slug, asOf, by))
}

// FormField is one field of a create or edit form.
type FormField struct {
	fieldSpec
	Value    string
	Checked  bool
	Choices  []string
	Error    string
	Disabled bool // a key field, when editing
}

// RecordForm is the create and edit page.
type RecordForm struct {
	Kind   *kindMeta
	Key    string // "" when creating
	Action string
	Cancel string
	Fields []FormField
	Error  string // about the record as a whole, or about other records
}

func recordForm(k recordKind, ws *workspace.Workspace, slug, key string, vals map[string]string, errs map[string]string) RecordForm {
	m := k.meta()
	f := RecordForm{Kind: m, Key: key, Action: listHref(slug, m), Cancel: listHref(slug, m), Error: errs[""]}
	if m.NoListPage {
		f.Cancel = "/orgs/" + slug + "/flows"
	}
	if key != "" {
		f.Action = recordHref(slug, m, key)
		f.Cancel = f.Action
	}
	shown := map[string]bool{"": true}
	for _, spec := range m.Fields {
		ff := FormField{fieldSpec: spec, Value: vals[spec.Name], Error: errs[spec.Name], Disabled: spec.Key && key != ""}
		ff.Checked = ff.Value != "" && ff.Value != "false"
		if spec.Choices != nil {
			ff.Choices = spec.Choices(ws)
			if ff.Value != "" && !slices.Contains(ff.Choices, ff.Value) {
				ff.Choices = append(ff.Choices, ff.Value) // keep what was typed or stored, so the error makes sense
			}
		}
		shown[spec.Name] = true
		f.Fields = append(f.Fields, ff)
	}
	for name, msg := range errs {
		if !shown[name] {
			f.Error = strings.TrimPrefix(f.Error+"; "+name+": "+msg, "; ")
		}
	}
	return f
}

func (s *Server) recordNewPage(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	vals := map[string]string{}
	for _, f := range k.meta().Fields {
		vals[f.Name] = r.URL.Query().Get(f.Name) // ?from=patient-api pre-fills
	}
	s.render(w, r, "record_form.html", recordForm(k, ws, currentOrg(r).Slug, "", vals, nil))
}

func (s *Server) recordEditPage(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, _, _, i, ok := s.recordAt(k, w, r, false)
	if !ok {
		return
	}
	key := k.keyAt(ws, i)
	s.render(w, r, "record_form.html", recordForm(k, ws, currentOrg(r).Slug, key, formValues(k.meta(), k.at(ws, i)), nil))
}

// save validates rec as record i of ws (i < 0: a new one) and stores it.
// errs are the field errors when it is refused (nothing is written).
func (s *Server) save(r *http.Request, k recordKind, ws *workspace.Workspace, i int, rec any) (store.Change, map[string]string, error) {
	if errs := checkEdit(k, ws, i, rec); len(errs) > 0 {
		return store.Change{}, errs, nil
	}
	c, err := s.org(r).Put(r.Context(), currentUser(r).Email, k.meta().Kind, k.keyOf(rec), rec)
	return c, nil, err
}

// submitted reads the form into a record; on a type error (a date that is
// no date) the errors are returned instead.
func submitted(k recordKind, ws *workspace.Workspace, i int, form url.Values) (any, map[string]string) {
	m := k.meta()
	var base map[string]any
	if i >= 0 {
		base = jsonMap(k.at(ws, i))
	}
	fields, errs := fromForm(m, base, form, i >= 0)
	if len(errs) > 0 {
		return nil, errs
	}
	body, _ := json.Marshal(fields)
	rec, err := k.decode(body)
	if err != nil {
		return nil, map[string]string{"": err.Error()}
	}
	return rec, nil
}

// refill is the form as submitted, for showing it again with its errors.
func refill(k recordKind, ws *workspace.Workspace, i int, form url.Values) map[string]string {
	vals := map[string]string{}
	if i >= 0 {
		vals = formValues(k.meta(), k.at(ws, i))
	}
	for _, f := range k.meta().Fields {
		if f.Key && i >= 0 {
			continue
		}
		vals[f.Name] = form.Get(f.Name)
	}
	return vals
}

func (s *Server) recordCreate(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, false, err)
		return
	}
	s.submitForm(k, w, r, ws, -1)
}

func (s *Server) recordUpdate(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, _, _, i, ok := s.recordAt(k, w, r, false)
	if !ok {
		return
	}
	s.submitForm(k, w, r, ws, i)
}

func (s *Server) submitForm(k recordKind, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, i int) {
	slug := currentOrg(r).Slug
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, false, http.StatusBadRequest, "the form could not be read: "+err.Error())
		return
	}
	key := ""
	if i >= 0 {
		key = k.keyAt(ws, i)
	}
	vals := refill(k, ws, i, r.PostForm)
	rec, errs := submitted(k, ws, i, r.PostForm)
	if errs == nil {
		var err error
		if _, errs, err = s.save(r, k, ws, i, rec); err != nil {
			s.serverError(w, r, false, err)
			return
		}
	}
	if len(errs) > 0 {
		fresh, err := s.org(r).Workspace(r.Context()) // the choices, without the refused edit
		if err != nil {
			s.serverError(w, r, false, err)
			return
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "record_form.html", recordForm(k, fresh, slug, key, vals, errs))
		return
	}
	http.Redirect(w, r, recordHref(slug, k.meta(), k.keyOf(rec)), http.StatusSeeOther)
}

func (s *Server) recordRetire(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, asOf, by, i, ok := s.recordAt(k, w, r, false)
	if !ok {
		return
	}
	slug := currentOrg(r).Slug
	key := k.keyAt(ws, i)
	d := recordDetail(k, ws, i, slug, asOf, by)
	if errs := checkEdit(k, ws, i, nil); len(errs) > 0 {
		d.Error = "Not retired: other records still name it (" + errs[""] + "). Change or retire them first."
		s.renderStatus(w, r, http.StatusConflict, "record.html", d)
		return
	}
	if err := s.org(r).Retire(r.Context(), currentUser(r).Email, k.meta().Kind, key); err != nil {
		s.serverError(w, r, false, err)
		return
	}
	http.Redirect(w, r, d.List, http.StatusSeeOther)
}

// recordError is the API's answer to a refused change.
type recordError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

const maxRecordBody = 1 << 20

func (s *Server) apiRecord(k recordKind, w http.ResponseWriter, r *http.Request) (any, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRecordBody+1))
	if err != nil || len(body) > maxRecordBody {
		apiError(w, http.StatusBadRequest, "the request body could not be read, or is over 1 MiB")
		return nil, false
	}
	rec, err := k.decode(body)
	if err != nil {
		apiError(w, http.StatusBadRequest, fmt.Sprintf("the body must be a %s as JSON, with the workspace file's field names: %v", k.meta().Singular, err))
		return nil, false
	}
	return rec, true
}

func (s *Server) apiSave(k recordKind, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, i int, rec any) {
	c, errs, err := s.save(r, k, ws, i, rec)
	switch {
	case err != nil:
		s.serverError(w, r, true, err)
	case len(errs) > 0:
		writeJSON(w, http.StatusUnprocessableEntity, recordError{Error: fmt.Sprintf("the %s is not valid; nothing was written", k.meta().Singular), Fields: errs})
	default:
		status := http.StatusOK
		if i < 0 {
			status = http.StatusCreated
		}
		writeJSON(w, status, map[string]any{"record": rec, "change": c})
	}
}

func (s *Server) recordCreateAPI(k recordKind, w http.ResponseWriter, r *http.Request) {
	rec, ok := s.apiRecord(k, w, r)
	if !ok {
		return
	}
	ws, err := s.org(r).Workspace(r.Context())
	if err != nil {
		s.serverError(w, r, true, err)
		return
	}
	if key := k.keyOf(rec); key != "" && find(k, ws, key) >= 0 {
		writeJSON(w, http.StatusConflict, recordError{Error: fmt.Sprintf("%s %s already exists: PUT it to change it", k.meta().Singular, key)})
		return
	}
	s.apiSave(k, w, r, ws, -1, rec)
}

func (s *Server) recordUpdateAPI(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, _, _, i, ok := s.recordAt(k, w, r, true)
	if !ok {
		return
	}
	rec, ok := s.apiRecord(k, w, r)
	if !ok {
		return
	}
	if got, want := k.keyOf(rec), k.keyAt(ws, i); got != want {
		writeJSON(w, http.StatusUnprocessableEntity, recordError{Error: fmt.Sprintf("the body's key is %q, not %q: keys cannot be changed (retire the record and create a new one)", got, want)})
		return
	}
	s.apiSave(k, w, r, ws, i, rec)
}

func (s *Server) recordRetireAPI(k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, _, _, i, ok := s.recordAt(k, w, r, true)
	if !ok {
		return
	}
	key := k.keyAt(ws, i)
	if errs := checkEdit(k, ws, i, nil); len(errs) > 0 {
		writeJSON(w, http.StatusConflict, recordError{Error: "not retired: other records still name it; change or retire them first", Fields: errs})
		return
	}
	err := s.org(r).Retire(r.Context(), currentUser(r).Email, k.meta().Kind, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		apiError(w, http.StatusNotFound, err.Error())
	case err != nil:
		s.serverError(w, r, true, err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"retired": key, "kind": k.meta().Kind})
	}
}
