package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	for _, k := range recordKinds {
		m := k.Meta()
		page, api := "/orgs/{org}/"+m.Path, "/api/v1/orgs/{org}/"+m.Path
		h := func(f func(*kit.Server, recordKind, http.ResponseWriter, *http.Request)) kit.HandlerFunc {
			return func(s *kit.Server, w http.ResponseWriter, r *http.Request) { f(s, k, w, r) }
		}
		if !m.NoListPage {
			kit.Register(
				kit.Route{Method: "GET", Pattern: page, Role: store.RoleViewer, Handler: kit.CachedGET(h(recordListPage))},
				kit.Route{Method: "GET", Pattern: api, Role: store.RoleViewer, Handler: kit.CachedGET(h(recordListAPI))},
			)
		}
		kit.Register(
			kit.Route{Method: "GET", Pattern: page + "/new", Role: store.RoleEditor, Handler: h(recordNewPage)},
			kit.Route{Method: "POST", Pattern: page, Role: store.RoleEditor, Handler: h(recordCreate)},
			kit.Route{Method: "GET", Pattern: page + "/{id}", Role: store.RoleViewer, Handler: h(recordPage)},
			kit.Route{Method: "GET", Pattern: page + "/{id}/edit", Role: store.RoleEditor, Handler: h(recordEditPage)},
			kit.Route{Method: "POST", Pattern: page + "/{id}", Role: store.RoleEditor, Handler: h(recordUpdate)},
			kit.Route{Method: "POST", Pattern: page + "/{id}/retire", Role: store.RoleEditor, Handler: h(recordRetire)},
			kit.Route{Method: "POST", Pattern: api, Role: store.RoleEditor, Handler: h(recordCreateAPI)},
			kit.Route{Method: "GET", Pattern: api + "/{id}", Role: store.RoleViewer, Handler: h(recordAPI)},
			kit.Route{Method: "PUT", Pattern: api + "/{id}", Role: store.RoleEditor, Handler: h(recordUpdateAPI)},
			// POST, not DELETE: a browser session sends its CSRF token in the
			// body, and DELETE has none.
			kit.Route{Method: "POST", Pattern: api + "/{id}/retire", Role: store.RoleEditor, Handler: h(recordRetireAPI)},
		)
	}
}

// Href is a record's page; keys (a flow's from->to#name) are
// escaped as one path segment.
func Href(slug string, m *kindMeta, key string) string {
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
	// Pages is where Rows are among the kind's records on a list page,
	// recordsPerPage at a time (issue 21: 2,000 systems).
	Pages Pages `json:"-"`
}

// recordsPerPage is how many records a list page shows at once.
const recordsPerPage = 100

// navKind links the inventory pages to one another.
type navKind struct {
	Title, Href string
	Current     bool
}

func inventoryNav(slug string, current *kindMeta) []navKind {
	var out []navKind
	for _, k := range recordKinds {
		m := k.Meta()
		out = append(out, navKind{Title: m.Title, Href: listHref(slug, m), Current: m == current})
	}
	return out
}

// loadRecords is the workspace, the date and the gate's findings by
// subject, for a page about records.
func loadRecords(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, map[string][]finding.Finding, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return nil, date.Date{}, nil, false
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return nil, date.Date{}, nil, false
	}
	// The findings by subject, derived once per audit head and date and
	// shared: read them, never change them.
	by, err := kit.Derive(s, r.Context(), kit.CurrentOrg(r), "findings by subject "+asOf.String(), func(ws *workspace.Workspace) (map[string][]finding.Finding, error) {
		by := map[string][]finding.Finding{}
		for _, f := range check.Run(ws, asOf) {
			by[f.Subject] = append(by[f.Subject], f)
		}
		return by, nil
	})
	if err != nil {
		s.ServerError(w, r, api, err)
		return nil, date.Date{}, nil, false
	}
	return ws, asOf, by, true
}

// RecordListAt is the list page of the records of kind k at the indexes
// idx (every record when idx is nil), in that order: one page of a long
// list.
func RecordListAt(k recordKind, ws *workspace.Workspace, slug string, asOf date.Date, by map[string][]finding.Finding, idx []int) RecordList {
	m := k.Meta()
	l := RecordList{Kind: m, AsOf: asOf, Rows: []RecordRow{}, Base: listHref(slug, m), Kinds: inventoryNav(slug, m)}
	for _, f := range m.Fields {
		if f.Column {
			l.Columns = append(l.Columns, f)
		}
	}
	if idx == nil {
		idx = make([]int, k.count(ws))
		for i := range idx {
			idx[i] = i
		}
	}
	for _, i := range idx {
		key := k.keyAt(ws, i)
		vals := formValues(m, k.at(ws, i))
		row := RecordRow{Key: key, Title: k.titleAt(ws, i), Href: Href(slug, m, key),
			Findings: len(by[key]), Failing: finding.HasError(by[key])}
		for _, c := range l.Columns {
			v := vals[c.Name]
			if c.Type == "checkbox" {
				v = map[bool]string{true: "yes", false: "no"}[v != ""]
			}
			if c.Type == "select" && !c.Key {
				v = displayName(ws, v)
			}
			row.Cells = append(row.Cells, v)
		}
		l.Rows = append(l.Rows, row)
	}
	return l
}

func recordListPage(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	page, err := PageParam(r.URL.Query(), "page", 1)
	if err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, err.Error())
		return
	}
	ws, asOf, by, ok := loadRecords(s, w, r, false)
	if !ok {
		return
	}
	pages := ListPages(r.URL.Query(), k.count(ws), page, recordsPerPage)
	from, to := pages.Rows(k.count(ws))
	idx := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		idx = append(idx, i)
	}
	l := RecordListAt(k, ws, kit.CurrentOrg(r).Slug, asOf, by, idx)
	l.Pages = pages
	s.Render(w, r, "records.html", l)
}

// recordListAPI is GET /api/v1/orgs/{org}/systems and the others: the
// records as the workspace files have them, under the section's name.
func recordListAPI(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	list := make([]any, 0, k.count(ws))
	for i := range k.count(ws) {
		list = append(list, k.at(ws, i))
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{k.Meta().Section: list})
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
	// Linked are the records that name this one, or that it names: a
	// vendor's systems, flows and agreements, and so on (linked.go).
	Linked []LinkGroup `json:"linked,omitempty"`
	// Plain are the findings in plain words, in the order of Findings.
	Plain []todo.Plain `json:"-"`
	// For an agreement: the BAA clause review and the signed copy.
	Clauses []ClauseRow `json:"clause_review,omitempty"`
	File    *FileInfo   `json:"file,omitempty"`
	// Version is the record's version (the ETag a PUT sends back in
	// If-Match); ManagedIn where it is managed (files, web, import);
	// Drifted: a files record changed here since the last ward apply.
	Version   int64  `json:"version"`
	ManagedIn string `json:"managed_in"`
	Drifted   bool   `json:"drifted,omitempty"`
	// Error is why a retire was refused.
	Error string    `json:"-"`
	Href  string    `json:"-"`
	List  string    `json:"-"`
	Kinds []navKind `json:"-"`
}

func Detail(k recordKind, ws *workspace.Workspace, i int, slug string, asOf date.Date, by map[string][]finding.Finding) RecordDetail {
	m := k.Meta()
	key := k.keyAt(ws, i)
	rec := k.at(ws, i)
	d := RecordDetail{Kind: m, Key: key, Title: k.titleAt(ws, i), AsOf: asOf, Record: rec,
		Findings: by[key], Href: Href(slug, m, key), List: listHref(slug, m), Kinds: inventoryNav(slug, m)}
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
		if f.Type == "select" {
			if l := choiceLabels(ws, []string{v})[v]; l != "" {
				v = l
			}
		}
		d.Fields = append(d.Fields, ShownField{Label: f.Label, Value: v})
	}
	d.Linked = linkedRecords(ws, slug, rec)
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
		d.Clauses = ClauseRows(rec)
		if rec.File != "" {
			d.File = &FileInfo{Name: rec.File, SHA256: rec.SHA256, Href: d.Href + "/file"}
		}
	}
	for _, f := range d.Findings {
		d.Plain = append(d.Plain, todo.Explain(ws, asOf, slug, f))
	}
	return d
}

// FindingView is a finding as a page shows it: the plain title, why and
// the fix first, the rule id in small print.
type FindingView struct {
	finding.Finding
	todo.Plain
}

// Views pairs the findings with their plain words.
func (d RecordDetail) Views() []FindingView {
	out := make([]FindingView, len(d.Findings))
	for i, f := range d.Findings {
		out[i] = FindingView{Finding: f}
		if i < len(d.Plain) {
			out[i].Plain = d.Plain[i]
		}
	}
	return out
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
				v.Steps = append(v.Steps, ReasonStep{ID: s, Href: Href(slug, SystemKind.Meta(), s)})
			}
			switch r.SubjectKind {
			case "flow":
				v.SubjectHref = Href(slug, FlowKind.Meta(), r.Subject)
			case phimap.KindSystem:
				v.SubjectHref = Href(slug, SystemKind.Meta(), r.Subject)
			case "vendor":
				v.SubjectHref = Href(slug, VendorKind.Meta(), r.Subject)
			case "agreement":
				v.SubjectHref = Href(slug, AgreementKind.Meta(), r.Subject)
			case phimap.KindCustomer:
				v.SubjectHref = Href(slug, customerKind.Meta(), r.Subject)
			case "organization":
				v.SubjectHref = "/orgs/" + slug + "/plan"
			}
			d.Reasons = append(d.Reasons, v)
		}
	}
}

func RecordAt(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, map[string][]finding.Finding, int, bool) {
	ws, asOf, by, ok := loadRecords(s, w, r, api)
	if !ok {
		return nil, date.Date{}, nil, 0, false
	}
	id := r.PathValue("id")
	i := Find(k, ws, id)
	if i < 0 {
		if retiredRecord(s, k, w, r, api, id) {
			return nil, date.Date{}, nil, 0, false
		}
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("No %s %s in this organization.", k.Meta().Singular, id))
		return nil, date.Date{}, nil, 0, false
	}
	return ws, asOf, by, i, true
}

// retiredRecord answers for a record that was retired: nothing is
// deleted (45 CFR 164.316(b)(2) keeps documentation six years), so its
// URL says 410 Gone with when, and the API gives its last version and its
// history. It reports whether id was such a record.
func retiredRecord(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request, api bool, id string) bool {
	m := k.Meta()
	o := s.Org(r)
	rs, err := o.Retired(r.Context(), m.Kind)
	if err != nil {
		s.ServerError(w, r, api, err)
		return true
	}
	for _, rr := range rs {
		if rr.Key != id {
			continue
		}
		msg := fmt.Sprintf("%s %s was retired on %s. It is kept on record, not deleted; its history is in the audit trail.",
			m.Singular, id, rr.RetiredAt.UTC().Format("2006-01-02 15:04 UTC"))
		if !api {
			s.Fail(w, r, false, http.StatusGone, msg)
			return true
		}
		hist, err := o.History(r.Context(), m.Kind, id)
		if err != nil {
			s.ServerError(w, r, true, err)
			return true
		}
		kit.WriteJSON(w, http.StatusGone, map[string]any{"error": msg, "retired": rr, "history": hist})
		return true
	}
	return false
}

func recordPage(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	d, ok := recordWithVersion(s, k, w, r, false)
	if !ok {
		return
	}
	s.Render(w, r, "record.html", d)
}

func recordAPI(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	d, ok := recordWithVersion(s, k, w, r, true)
	if !ok {
		return
	}
	SetETag(w, d.Version)
	kit.WriteJSON(w, http.StatusOK, d)
}

// recordWithVersion is a record's detail with its version and where it
// is managed. The version is read before the record, so a change landing
// in between makes the version older than what is shown, never newer: an
// edit based on it is refused rather than overwriting.
func recordWithVersion(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request, api bool) (RecordDetail, bool) {
	o := s.Org(r)
	id := r.PathValue("id")
	version, _ := o.Version(r.Context(), k.Meta().Kind, id)
	ws, asOf, by, i, ok := RecordAt(s, k, w, r, api)
	if !ok {
		return RecordDetail{}, false
	}
	d := Detail(k, ws, i, kit.CurrentOrg(r).Slug, asOf, by)
	d.Version = version
	var err error
	if d.ManagedIn, d.Drifted, err = o.Origin(r.Context(), k.Meta().Kind, id); err != nil {
		s.ServerError(w, r, api, err)
		return RecordDetail{}, false
	}
	return d, true
}

// FormField is one field of a create or edit form.
type FormField struct {
	fieldSpec
	Value   string
	Checked bool
	Choices []string
	// Labels name the choices that are records (a vendor, a system, a
	// person) by their names: "OpenAI (openai)".
	Labels   map[string]string
	Error    string
	Disabled bool // a key field, when editing
}

// RecordForm is the create and edit page.
type RecordForm struct {
	Kind *kindMeta
	Key  string // "" when creating
	// Version is the version of the record the form was loaded with; the
	// save is refused (409) when the record has changed since.
	Version int64
	Action  string
	Cancel  string
	Fields  []FormField
	Error   string // about the record as a whole, or about other records
	// A new record whose id is made from other fields (idRules): the id
	// field is shown under "more", IDFrom names the fields it is made
	// from (space-separated, for forms.js), Taken the ids it may not be,
	// MadeID the id the form's values make now.
	IDField     *FormField
	IDFrom      string
	IDPrefix    string
	IDFromLabel string
	Taken       string
	MadeID      string
	// Then is where a create goes next in a guided flow (onboard.go):
	// "onboard" after a new vendor, "onboard:VENDOR" back to its steps.
	Then string
}

// madeIDs puts a new record's id under "more", made from its name.
func (f *RecordForm) madeIDs(k recordKind, taken map[string]bool, vals map[string]string) {
	rule, ok := IDRules[k.Meta().Kind]
	if !ok || f.Key != "" {
		return
	}
	var labels []string
	for i := range f.Fields {
		ff := &f.Fields[i]
		if ff.Name == "id" {
			f.IDField = ff
		}
		if slices.Contains(rule.From, ff.Name) {
			labels = append(labels, strings.ToLower(ff.Label))
		}
	}
	if f.IDField == nil {
		return
	}
	f.IDFrom, f.IDPrefix, f.Taken = strings.Join(rule.From, " "), rule.Prefix, takenList(taken)
	f.IDFromLabel = strings.Join(labels, " and ")
	if base := IDBase(rule, func(n string) string { return vals[n] }); base != "" {
		f.MadeID = FreeID(base, taken)
	}
}

func recordForm(k recordKind, ws *workspace.Workspace, slug, key string, vals map[string]string, errs map[string]string) RecordForm {
	m := k.Meta()
	f := RecordForm{Kind: m, Key: key, Action: listHref(slug, m), Cancel: listHref(slug, m), Error: errs[""]}
	if m.NoListPage {
		f.Cancel = "/orgs/" + slug + "/flows"
	}
	if key != "" {
		f.Action = Href(slug, m, key)
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
			ff.Labels = choiceLabels(ws, ff.Choices)
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

func recordNewPage(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	vals := map[string]string{}
	for _, f := range k.Meta().Fields {
		vals[f.Name] = r.URL.Query().Get(f.Name) // ?from=patient-api pre-fills
	}
	taken, err := takenIDs(r.Context(), s.Org(r), k, ws)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	f := recordForm(k, ws, kit.CurrentOrg(r).Slug, "", vals, nil)
	f.madeIDs(k, taken, vals)
	f.Then = validThen(r.URL.Query().Get("then"))
	s.Render(w, r, "record_form.html", f)
}

func recordEditPage(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	version, _ := s.Org(r).Version(r.Context(), k.Meta().Kind, r.PathValue("id")) // before the record: see recordWithVersion
	ws, _, _, i, ok := RecordAt(s, k, w, r, false)
	if !ok {
		return
	}
	key := k.keyAt(ws, i)
	f := recordForm(k, ws, kit.CurrentOrg(r).Slug, key, formValues(k.Meta(), k.at(ws, i)), nil)
	f.Version = version
	s.Render(w, r, "record_form.html", f)
}

// EditRefused carries an edit's field errors out of the store's write
// transaction, where they are found.
type EditRefused struct{ Errs map[string]string }

func (e *EditRefused) Error() string {
	var parts []string
	for k, v := range e.Errs {
		parts = append(parts, strings.TrimPrefix(k+": "+v, ": "))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// checkIn is the store's in-transaction check of an edit: rec (nil: a
// retire) validated against the organization as it is when the write
// runs, after every write committed before it. A flow added to a system
// retired meanwhile, or a retire of a system a flow now names, is refused
// there, so two edits in flight cannot both succeed when together they
// break the workspace.
func checkIn(k recordKind, key string, rec any) func(cur *workspace.Workspace) error {
	return func(cur *workspace.Workspace) error {
		if errs := checkEdit(k, cur, Find(k, cur, key), rec); len(errs) > 0 {
			return &EditRefused{errs}
		}
		return nil
	}
}

// Save validates rec against the organization and stores it if c holds,
// in one transaction. errs are the field errors when it is refused
// (nothing is written); err is any other refusal (store.ErrStale,
// store.ErrConflict, store.ErrNotFound) or failure.
//
// ws, when given, is the organization as the handler loaded it: the edit
// is checked against it first, so an edit that is wrong on its face (no
// id) is answered without a write; the check inside the transaction then
// catches what changed since.
func Save(s *kit.Server, r *http.Request, k recordKind, ws *workspace.Workspace, rec any, c store.Cond) (store.Change, map[string]string, error) {
	key := k.keyOf(rec)
	if ws != nil {
		i := Find(k, ws, key)
		taken := c.Create && i >= 0 // the store answers that: ErrConflict
		if errs := checkEdit(k, ws, i, rec); len(errs) > 0 && !taken {
			return store.Change{}, errs, nil
		}
	}
	c.Check = checkIn(k, key, rec)
	ch, err := s.Org(r).PutIf(r.Context(), kit.CurrentUser(r).Email, k.Meta().Kind, key, rec, c)
	var refused *EditRefused
	if errors.As(err, &refused) {
		return ch, refused.Errs, nil
	}
	return ch, nil, err
}

// FormVersion is the version a form was loaded with (0: none sent).
func FormVersion(form url.Values) int64 {
	v, _ := strconv.ParseInt(strings.TrimSpace(form.Get("version")), 10, 64)
	return max(v, 0)
}

// SetETag sends a record's version as its ETag.
func SetETag(w http.ResponseWriter, version int64) {
	if version > 0 {
		w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(version, 10)))
	}
}

// IfMatch is the version a request's If-Match names: 0 when it sends none
// or "*"; ok is false when it is not one of ours.
func IfMatch(r *http.Request) (int64, bool) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, true
	}
	h = strings.TrimPrefix(h, "W/")
	unq, err := strconv.Unquote(h)
	if err != nil {
		unq = h
	}
	v, err := strconv.ParseInt(unq, 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// staleBody is the API's 409 for a stale write: what it would have lost.
type staleBody struct {
	Error string `json:"error"`
	*store.StaleError
}

// WriteRefused answers a write the store refused, or fails with 500.
func WriteRefused(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, err error) {
	var stale *store.StaleError
	switch {
	case errors.As(err, &stale):
		if api {
			kit.WriteJSON(w, http.StatusConflict, staleBody{Error: err.Error(), StaleError: stale})
			return
		}
		s.Fail(w, r, false, http.StatusConflict, err.Error())
	case errors.Is(err, store.ErrConflict):
		s.Fail(w, r, api, http.StatusConflict, err.Error()+" (ids are not reused; PUT changes a record); nothing was written")
	case errors.Is(err, store.ErrNotFound):
		s.Fail(w, r, api, http.StatusNotFound, err.Error()+": it was retired meanwhile; nothing was written")
	default:
		s.ServerError(w, r, api, err)
	}
}

// submitted reads the form into a record; on a type error (a date that is
// no date) the errors are returned instead.
func submitted(k recordKind, ws *workspace.Workspace, i int, form url.Values) (any, map[string]string) {
	m := k.Meta()
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
		vals = formValues(k.Meta(), k.at(ws, i))
	}
	for _, f := range k.Meta().Fields {
		if f.Key && i >= 0 {
			continue
		}
		vals[f.Name] = form.Get(f.Name)
	}
	return vals
}

func recordCreate(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	submitForm(s, k, w, r, ws, -1)
}

func recordUpdate(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, _, _, i, ok := RecordAt(s, k, w, r, false)
	if !ok {
		return
	}
	submitForm(s, k, w, r, ws, i)
}

func submitForm(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, i int) {
	slug := kit.CurrentOrg(r).Slug
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read: "+err.Error())
		return
	}
	key := ""
	c := store.Cond{Create: true}
	if i >= 0 {
		key = k.keyAt(ws, i)
		c = store.Cond{Update: true, Version: FormVersion(r.PostForm)}
	}
	vals := refill(k, ws, i, r.PostForm)
	var taken map[string]bool
	if _, made := IDRules[k.Meta().Kind]; made && i < 0 {
		var err error
		if taken, err = takenIDs(r.Context(), s.Org(r), k, ws); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		// The id left to ward is made from the name (the form keeps it
		// empty when shown again, so a new name makes a new id).
		if strings.TrimSpace(r.PostForm.Get("id")) == "" {
			if id := madeID(k, r.PostForm, taken); id != "" {
				r.PostForm.Set("id", id)
			}
		}
	}
	rec, errs := submitted(k, ws, i, r.PostForm)
	status := http.StatusUnprocessableEntity
	version := c.Version
	if errs == nil {
		var err error
		_, errs, err = Save(s, r, k, ws, rec, c)
		var stale *store.StaleError
		switch {
		case errors.As(err, &stale):
			// Shown again with what the person typed and what changed;
			// saving again (at the current version) is a deliberate
			// overwrite.
			status, version = http.StatusConflict, stale.Have
			errs = map[string]string{"": "Not saved: " + err.Error() + " Your entries are below; saving again replaces that change."}
		case errors.Is(err, store.ErrConflict):
			// Taken: the form says so as validation does, by field.
			if fresh, ferr := s.Org(r).Workspace(r.Context()); ferr == nil {
				errs = checkEdit(k, fresh, -1, rec)
			}
			if len(errs) == 0 {
				errs = map[string]string{k.Meta().Fields[0].Name: fmt.Sprintf("%s %s exists already; nothing was written", k.Meta().Singular, k.keyOf(rec))}
			}
		case err != nil:
			WriteRefused(s, w, r, false, err)
			return
		}
	}
	if len(errs) > 0 {
		fresh, err := s.Org(r).Workspace(r.Context()) // the choices, without the refused edit
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		f := recordForm(k, fresh, slug, key, vals, errs)
		f.Version = version
		if taken != nil {
			f.madeIDs(k, taken, vals)
		}
		f.Then = validThen(r.PostForm.Get("then"))
		s.RenderStatus(w, r, status, "record_form.html", f)
		return
	}
	kit.SetFlash(w, savedMessage(k, ws, i, rec))
	if next := thenHref(slug, k, rec, validThen(r.PostForm.Get("then"))); next != "" && i < 0 {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Href(slug, k.Meta(), k.keyOf(rec)), http.StatusSeeOther)
}

func recordRetire(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	ws, asOf, by, i, ok := RecordAt(s, k, w, r, false)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.Fail(w, r, false, http.StatusBadRequest, "the form could not be read: "+err.Error())
		return
	}
	slug := kit.CurrentOrg(r).Slug
	key := k.keyAt(ws, i)
	d := Detail(k, ws, i, slug, asOf, by)
	_, err := s.Org(r).RetireIf(r.Context(), kit.CurrentUser(r).Email, k.Meta().Kind, key,
		store.Cond{Version: FormVersion(r.PostForm), Check: checkIn(k, key, nil)})
	var refused *EditRefused
	if errors.As(err, &refused) {
		d.Error = "Not retired: other records still name it (" + refused.Errs[""] + "). Change or retire them first."
		d.Version, _ = s.Org(r).Version(r.Context(), k.Meta().Kind, key)
		s.RenderStatus(w, r, http.StatusConflict, "record.html", d)
		return
	}
	if err != nil {
		WriteRefused(s, w, r, false, err)
		return
	}
	kit.SetFlash(w, kit.Capitalize(k.Meta().Singular)+" "+d.Title+" retired. It is kept on record, not deleted.")
	http.Redirect(w, r, d.List, http.StatusSeeOther)
}

// RecordError is the API's answer to a refused change.
type RecordError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

const maxRecordBody = 1 << 20

func apiRecord(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) (any, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRecordBody+1))
	if err != nil || len(body) > maxRecordBody {
		kit.APIError(w, http.StatusBadRequest, "the request body could not be read, or is over 1 MiB")
		return nil, false
	}
	rec, err := k.decode(body)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, fmt.Sprintf("the body must be a %s as JSON, with the workspace file's field names: %v", k.Meta().Singular, err))
		return nil, false
	}
	return rec, true
}

func apiSave(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace, rec any, c store.Cond) {
	ch, errs, err := Save(s, r, k, ws, rec, c)
	switch {
	case err != nil:
		WriteRefused(s, w, r, true, err)
	case len(errs) > 0:
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: fmt.Sprintf("the %s is not valid; nothing was written", k.Meta().Singular), Fields: errs})
	default:
		status := http.StatusOK
		if c.Create {
			status = http.StatusCreated
		}
		SetETag(w, ch.Version)
		kit.WriteJSON(w, status, map[string]any{"record": rec, "change": ch})
	}
}

// recordCreateAPI is POST /api/v1/orgs/{org}/systems and the others: a
// new record, 201; 409 when it exists (whoever created it first).
func recordCreateAPI(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	rec, ok := apiRecord(s, k, w, r)
	if !ok {
		return
	}
	ws, err := s.Org(r).Workspace(r.Context())
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	if errs := uploadedOnly(nil, rec); len(errs) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: fmt.Sprintf("the %s is not valid; nothing was written", k.Meta().Singular), Fields: errs})
		return
	}
	apiSave(s, k, w, r, ws, rec, store.Cond{Create: true})
}

// uploadedOnly refuses, by field, a change through the record API to what
// only an upload sets: an agreement's signed copy (file, sha256). Files
// are kept by their SHA-256 in a blob store every organization shares, so
// a hash set by hand could name another organization's file, which the
// agreement's download would then serve; the upload route
// (agreements/{id}/file) sets both from the bytes it received. stored is
// the record as it is (nil for a new one); a body that sends back what a
// GET gave is no change.
func uploadedOnly(stored, rec any) map[string]string {
	a, ok := rec.(workspace.Agreement)
	if !ok {
		return nil
	}
	var was workspace.Agreement
	if stored != nil {
		was = stored.(workspace.Agreement)
	}
	const msg = "is set by uploading the signed copy (POST .../agreements/{id}/file), not in the record: send back the value stored (%q)"
	errs := map[string]string{}
	if a.File != was.File {
		errs["file"] = fmt.Sprintf(msg, was.File)
	}
	if a.SHA256 != was.SHA256 {
		errs["sha256"] = fmt.Sprintf(msg, was.SHA256)
	}
	return errs
}

// recordUpdateAPI is PUT /api/v1/orgs/{org}/systems/{id} and the others:
// the body replaces the record. With If-Match (the ETag of a GET), a
// record changed since is refused: 409 naming the changes it would lose.
func recordUpdateAPI(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	version, ok := IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the record (a quoted version such as "3"), or *`)
		return
	}
	ws, _, _, i, ok := RecordAt(s, k, w, r, true)
	if !ok {
		return
	}
	rec, ok := apiRecord(s, k, w, r)
	if !ok {
		return
	}
	if got, want := k.keyOf(rec), k.keyAt(ws, i); got != want {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: fmt.Sprintf("the body's key is %q, not %q: keys cannot be changed (retire the record and create a new one)", got, want)})
		return
	}
	if errs := uploadedOnly(k.at(ws, i), rec); len(errs) > 0 {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: fmt.Sprintf("the %s is not valid; nothing was written", k.Meta().Singular), Fields: errs})
		return
	}
	apiSave(s, k, w, r, ws, rec, store.Cond{Update: true, Version: version})
}

// recordRetireAPI is POST .../{id}/retire; If-Match as for PUT.
func recordRetireAPI(s *kit.Server, k recordKind, w http.ResponseWriter, r *http.Request) {
	version, ok := IfMatch(r)
	if !ok {
		kit.APIError(w, http.StatusBadRequest, `If-Match must be the ETag of the record (a quoted version such as "3"), or *`)
		return
	}
	ws, _, _, i, ok := RecordAt(s, k, w, r, true)
	if !ok {
		return
	}
	key := k.keyAt(ws, i)
	ch, err := s.Org(r).RetireIf(r.Context(), kit.CurrentUser(r).Email, k.Meta().Kind, key, store.Cond{Version: version, Check: checkIn(k, key, nil)})
	var refused *EditRefused
	switch {
	case errors.As(err, &refused):
		kit.WriteJSON(w, http.StatusConflict, RecordError{Error: "not retired: other records still name it; change or retire them first", Fields: refused.Errs})
	case err != nil:
		WriteRefused(s, w, r, true, err)
	default:
		kit.WriteJSON(w, http.StatusOK, map[string]any{"retired": key, "kind": k.Meta().Kind, "version": ch.Version})
	}
}
