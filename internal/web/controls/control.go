package controls

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/policy"
	"ward/internal/posture"
	"ward/internal/store"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/controls/{id}", Role: store.RoleViewer, Handler: kit.CachedGET(controlPage)},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/controls/{id}", Role: store.RoleViewer, Handler: kit.CachedGET(controlAPI)},
	)
}

// ControlPage is one control's page and GET /api/v1/orgs/{org}/controls/{id}:
// what it is, how the organization runs it, what it answers in each
// framework, its schedule of occurrences and every piece of evidence.
type ControlPage struct {
	AsOf        date.Date `json:"as_of"`
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Family      string    `json:"family,omitempty"`
	// Expected is what an auditor expects to see as evidence (catalog).
	Expected string `json:"expected,omitempty"`
	// Adopted: the organization lists the control in its workspace;
	// evidence can be attached only then.
	Adopted bool `json:"adopted"`
	// Version is the adopted control's version: the edit form carries it,
	// and an edit of a control changed since is refused (409).
	Version int64 `json:"version,omitempty"`
	// Own: the organization's own control, not in the catalog.
	Own    bool   `json:"own"`
	Status string `json:"status"`
	// Standing is how the readiness reports judge the control on the
	// as-of date (met, partial, not-met, not-applicable) and why: current
	// evidence, and no open failing findings from imported scans.
	Standing          posture.ControlState `json:"standing"`
	Owner             string               `json:"owner"`
	Frequency         string               `json:"frequency"`
	Notes             string               `json:"notes"`
	Justification     string               `json:"justification"`
	EquivalentMeasure string               `json:"equivalent_measure"`
	// Addressable lists the HIPAA addressable specifications the control
	// answers: not implementing it needs a reason and an equivalent
	// measure, 45 CFR 164.306(d)(3).
	Addressable []string          `json:"hipaa_addressable"`
	Mappings    []FrameworkLinks  `json:"mappings"`
	Schedule    Schedule          `json:"schedule"`
	Evidence    []kit.EvidenceRow `json:"evidence"`
	// OpenFindings are the failing findings of imported scans (Prowler,
	// CSV) on this control that no newer scan has superseded, most severe
	// first (at most maxOpenFindings); OpenTotal counts them all.
	OpenFindings []store.OpenFinding `json:"open_findings"`
	OpenTotal    int                 `json:"open_total"`
	// For the page: people to choose an owner from, the choices.
	People      []workspace.Person `json:"-"`
	Statuses    []string           `json:"-"`
	Frequencies []string           `json:"-"`
	Added       int                `json:"-"` // files just uploaded (?added=N)
	Existing    int                `json:"-"` // files uploaded that were already evidence (?existing=N)
	// CurrentPeriod names the schedule's period that holds the as-of
	// date (2026-Q4), for the upload form's help.
	CurrentPeriod string `json:"-"`
	Saved         bool   `json:"-"`
	Query         string `json:"-"` // "?as_of=..." when the page was asked for a date
	MaxUpload     string `json:"-"`
}

// FrameworkLinks is the requirements of one framework a control answers.
type FrameworkLinks struct {
	Framework    string              `json:"framework"`
	Name         string              `json:"name"`
	Requirements []MappedRequirement `json:"requirements"`
}

type MappedRequirement struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Section string `json:"section,omitempty"`
	// Addressable is a HIPAA specification that is addressable, not
	// required.
	Addressable bool `json:"addressable,omitempty"`
}

// evidenceRows lists items (live records, superseded or not), newest
// first, with who superseded whom.
func evidenceRows(all, items []workspace.Evidence) []kit.EvidenceRow {
	by := map[string]string{}
	for _, e := range all {
		if e.Supersedes != "" {
			by[e.Supersedes] = e.ID
		}
	}
	rows := make([]kit.EvidenceRow, 0, len(items))
	for _, e := range items {
		name := e.File
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		if strings.HasPrefix(e.File, "evidence/uploads/") && len(name) > 13 && name[12] == '-' {
			name = name[13:] // the hash prefix that keeps uploads apart
		}
		rows = append(rows, kit.EvidenceRow{Evidence: e, Name: name, SupersededBy: by[e.ID], Downloadable: e.File != "" && e.SHA256 != ""})
	}
	slices.SortStableFunc(rows, func(a, b kit.EvidenceRow) int {
		return cmp.Or(b.Collected.Compare(a.Collected), strings.Compare(a.ID, b.ID))
	})
	return rows
}

// maxOpenFindings is how many open findings a control page lists.
const maxOpenFindings = 200

// errNoControl is a control id that is neither the organization's nor in
// the catalog.
var errNoControl = errors.New("no such control")

// controlPageData builds the page for control id.
func controlPageData(ws *workspace.Workspace, cat *catalog.Catalog, id string, asOf date.Date) (ControlPage, error) {
	cc := cat.Control(id)
	wc := ws.Control(id)
	if cc == nil && wc == nil {
		return ControlPage{}, errNoControl
	}
	p := ControlPage{AsOf: asOf, ID: id, Adopted: wc != nil, Own: cc == nil, Addressable: []string{}, Mappings: []FrameworkLinks{},
		People: ws.People, Statuses: workspace.ControlStatuses, Frequencies: catalog.Frequencies}
	mappings := map[string][]string{}
	if cc != nil {
		p.Title, p.Description, p.Family, p.Expected, p.Frequency = cc.Title, cc.Description, cc.Family, cc.Evidence, cc.Frequency
		mappings = cc.Mappings
	}
	if wc != nil {
		p.Status, p.Owner, p.Notes, p.Justification, p.EquivalentMeasure = wc.Status, wc.Owner, wc.Notes, wc.Justification, wc.EquivalentMeasure
		if wc.Title != "" {
			p.Title = wc.Title
		}
		if wc.Description != "" {
			p.Description = wc.Description
		}
		if wc.Frequency != "" {
			p.Frequency = wc.Frequency
		}
		if len(wc.Mappings) > 0 {
			mappings = wc.Mappings
		}
	}
	for _, fwID := range ReadinessFrameworks {
		fw := cat.Framework(fwID)
		if fw == nil || len(mappings[fwID]) == 0 {
			continue
		}
		links := FrameworkLinks{Framework: fw.ID, Name: fw.Name}
		ids := slices.Clone(mappings[fwID])
		fw.Sort(ids)
		for _, rid := range ids {
			rq := MappedRequirement{ID: rid}
			if cr := fw.Requirement(rid); cr != nil {
				rq.Title, rq.Section = cr.Title, cr.Section
				rq.Addressable = fwID == catalog.HIPAA && cr.Kind == catalog.KindSpecification && !cr.Required
			}
			if rq.Addressable {
				p.Addressable = append(p.Addressable, rid)
			}
			links.Requirements = append(links.Requirements, rq)
		}
		p.Mappings = append(p.Mappings, links)
	}
	all := ws.Evidence
	mine := evidence.ForControl(all, id)
	p.Evidence = evidenceRows(all, mine)
	for i := range p.Evidence {
		p.Evidence[i].CountsFor, p.Evidence[i].ByCollection = evidence.CountsFor(p.Evidence[i].Evidence, p.Frequency)
	}
	if evidence.Scheduled(p.Frequency) {
		cs, _ := evidence.PeriodOf(p.Frequency, asOf)
		p.CurrentPeriod = evidence.Label(p.Frequency, cs)
	}
	// The strip counts what the workforce records derive (reminders sent,
	// acknowledgements, approvals), as the standing above it does.
	live := evidence.Index(policy.WithDerived(ws).Evidence)[id]
	p.Schedule = controlSchedule(ws, p.Frequency, p.Status, live, asOf)
	p.Standing = posture.Control(ws, cat, id, asOf)
	return p, nil
}

func controlData(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (ControlPage, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return ControlPage{}, false
	}
	version, _ := s.Org(r).Version(r.Context(), store.KindControl, r.PathValue("id")) // before the record: see recordWithVersion
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return ControlPage{}, false
	}
	p, err := controlPageData(ws, catalog.Default(), r.PathValue("id"), asOf)
	p.Version = version
	if errors.Is(err, errNoControl) {
		s.Fail(w, r, api, http.StatusNotFound, fmt.Sprintf("there is no control %q in the catalog or in %s's workspace", r.PathValue("id"), kit.CurrentOrg(r).Name))
		return ControlPage{}, false
	}
	if err != nil {
		s.ServerError(w, r, api, err)
		return ControlPage{}, false
	}
	if p.OpenFindings, err = s.Org(r).OpenFindings(r.Context(), p.ID, maxOpenFindings); err != nil {
		s.ServerError(w, r, api, err)
		return ControlPage{}, false
	}
	if p.OpenFindings == nil {
		p.OpenFindings = []store.OpenFinding{}
	}
	p.OpenTotal = ws.ScanFailing[p.ID] // the store loads the counts with the workspace
	p.MaxUpload = kit.HumanBytes(s.MaxUpload())
	if v := r.URL.Query().Get("as_of"); v != "" {
		p.Query = "?" + url.Values{"as_of": {v}}.Encode()
	}
	return p, true
}

func controlPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, ok := controlData(s, w, r, false)
	if !ok {
		return
	}
	fmt.Sscan(r.URL.Query().Get("added"), &p.Added)
	fmt.Sscan(r.URL.Query().Get("existing"), &p.Existing)
	p.Saved = r.URL.Query().Get("saved") == "1"
	s.Render(w, r, "control.html", p)
}

func controlAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if p, ok := controlData(s, w, r, true); ok {
		kit.WriteJSON(w, http.StatusOK, p)
	}
}

// ControlEdit is the control form, and the JSON body POST
// /api/v1/orgs/{org}/controls/{id} takes: a field left out keeps its value.
type ControlEdit struct {
	Status            *string `json:"status"`
	Owner             *string `json:"owner"`
	Frequency         *string `json:"frequency"`
	Notes             *string `json:"notes"`
	Justification     *string `json:"justification"`
	EquivalentMeasure *string `json:"equivalent_measure"`
	// version: If-Match, or the form's version field.
	version int64
}

func readControlEdit(s *kit.Server, r *http.Request) (ControlEdit, error) {
	var ed ControlEdit
	v, ok := records.IfMatch(r)
	if !ok {
		return ed, kit.BadInput(`If-Match must be the ETag of the control (a quoted version such as "3"), or *`)
	}
	ed.version = v
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		if err := strictjson.Decode(r.Body, 1<<20, &ed); err != nil {
			return ed, kit.BadInput("the JSON body: %v", err)
		}
		return ed, nil
	}
	if err := r.ParseForm(); err != nil {
		return ed, kit.BadInput("the form could not be read: %v", err)
	}
	if ed.version == 0 {
		ed.version = records.FormVersion(r.PostForm)
	}
	for field, dst := range map[string]**string{
		"status": &ed.Status, "owner": &ed.Owner, "frequency": &ed.Frequency, "notes": &ed.Notes,
		"justification": &ed.Justification, "equivalent_measure": &ed.EquivalentMeasure,
	} {
		if _, ok := r.PostForm[field]; ok {
			v := strings.TrimSpace(r.PostForm.Get(field))
			*dst = &v
		}
	}
	return ed, nil
}

// saveControl changes how the organization runs a control (adopting a
// catalog control when it is not adopted yet), with the workspace's own
// rules: a known status and frequency, an owner who is listed under
// people, a justification for not-applicable, and for a control that
// answers HIPAA addressable specifications, also the equivalent measure
// (164.306(d)(3)). The change goes through the store, so it is audited.
func saveControl(s *kit.Server, r *http.Request) (_ workspace.Control, version int64, err error) {
	ctx := r.Context()
	id := r.PathValue("id")
	o := s.Org(r)
	ws, err := o.Workspace(ctx)
	if err != nil {
		return workspace.Control{}, 0, err
	}
	page, err := controlPageData(ws, catalog.Default(), id, date.Of(s.Now().UTC()))
	if err != nil {
		return workspace.Control{}, 0, err
	}
	ed, err := readControlEdit(s, r)
	if err != nil {
		return workspace.Control{}, 0, err
	}
	c := workspace.Control{ID: id}
	cond := store.Cond{Create: true}
	if wc := ws.Control(id); wc != nil {
		c = *wc
		cond = store.Cond{Update: true, Version: ed.version}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Status, ed.Status)
	set(&c.Owner, ed.Owner)
	set(&c.Frequency, ed.Frequency)
	set(&c.Notes, ed.Notes)
	set(&c.Justification, ed.Justification)
	set(&c.EquivalentMeasure, ed.EquivalentMeasure)
	switch {
	case !slices.Contains(workspace.ControlStatuses, c.Status):
		return c, 0, kit.BadInput("status: %q is not one of %s", c.Status, strings.Join(workspace.ControlStatuses, ", "))
	case c.Frequency != "" && !slices.Contains(catalog.Frequencies, c.Frequency):
		return c, 0, kit.BadInput("frequency: %q is not one of %s", c.Frequency, strings.Join(catalog.Frequencies, ", "))
	case c.Owner != "" && ws.Person(c.Owner) == nil:
		return c, 0, kit.BadInput("owner: %q is not anyone listed under people", c.Owner)
	case c.Status == "not-applicable" && c.Justification == "":
		return c, 0, kit.BadInput("justification: say why the control does not apply (an auditor will ask)")
	case c.Status == "not-applicable" && len(page.Addressable) > 0 && c.EquivalentMeasure == "":
		return c, 0, kit.BadInput("equivalent_measure: %s answers HIPAA addressable specifications (%s); not implementing it needs the reason and the equivalent alternative measure taken instead, or why none is reasonable (45 CFR 164.306(d)(3))",
			id, strings.Join(page.Addressable, ", "))
	}
	// Then every rule `ward apply` would apply to the record, so that an
	// edit never stores what the workspace files could not hold; checked
	// in the write's transaction, against the organization as it is then
	// (an owner removed meanwhile is caught).
	cond.Check = func(cur *workspace.Workspace) error {
		edited := *cur
		edited.Controls = slices.Clone(cur.Controls)
		i := slices.IndexFunc(edited.Controls, func(x workspace.Control) bool { return x.ID == id })
		if i < 0 {
			i = len(edited.Controls)
			edited.Controls = append(edited.Controls, c)
		} else {
			edited.Controls[i] = c
		}
		if fe := workspace.Validate(&edited, records.ValidationOptions()).FieldErrors("controls", i); len(fe) > 0 {
			fields := slices.Sorted(maps.Keys(fe))
			return kit.BadInput("%s: %s", fields[0], fe[fields[0]])
		}
		return nil
	}
	ch, err := o.PutIf(ctx, kit.CurrentUser(r).Email, store.KindControl, id, c, cond)
	if err != nil {
		return c, 0, err
	}
	return c, ch.Version, nil
}

func saveControlPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	if _, _, err := saveControl(s, r); err != nil {
		answerControlError(s, w, r, false, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/orgs/%s/controls/%s?%s", kit.CurrentOrg(r).Slug, r.PathValue("id"), keepAsOf(r, "saved", "1")), http.StatusSeeOther)
}

func saveControlAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	c, version, err := saveControl(s, r)
	if err != nil {
		answerControlError(s, w, r, true, err)
		return
	}
	records.SetETag(w, version)
	kit.WriteJSON(w, http.StatusOK, c)
}

// keepAsOf is the query for the page to go back to after a POST: the
// ?as_of= it was asked with, plus one key and value.
func keepAsOf(r *http.Request, key, value string) string {
	q := url.Values{key: {value}}
	if v := r.URL.Query().Get("as_of"); v != "" {
		q.Set("as_of", v)
	}
	return q.Encode()
}
