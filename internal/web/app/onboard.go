package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/store"
	"ward/internal/todo"
	"ward/internal/web/kit"
	"ward/internal/web/records"
	"ward/internal/workspace"
)

// Vendor onboarding as one guided flow (issue 19 item 3): the vendor,
// the systems it runs for us (does it touch PHI?), the flows that reach
// them, the BAA with its signed PDF uploaded in the same step, then the
// clause review, optional but nudged. Each step is the ordinary form
// prefilled, which comes back here when saved (?then=onboard:VENDOR);
// the BAA step is this page's own form. The page says, as it goes,
// whether the go-live gate passes for the vendor.
func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/vendors/{id}/onboard", Role: store.RoleViewer, Handler: onboardPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/vendors/{id}/onboard", Role: store.RoleViewer, Handler: onboardAPI},
		kit.Route{Method: "POST", Pattern: "/orgs/{org}/vendors/{id}/onboard/baa", Role: store.RoleEditor, Handler: onboardBAA, Upload: true},
	)
}

// OnboardStep is one step of the flow.
type OnboardStep struct {
	Title   string
	Done    bool
	Current bool
	// Optional steps do not hold the vendor back.
	Optional bool
	Note     string
	Href     string // the prefilled form that does it
	Action   string
}

// OnboardRow is a record linked to the vendor.
type OnboardRow struct {
	Label, Href, Note string
}

// VendorOnboard is the page's data.
type VendorOnboard struct {
	Vendor     workspace.Vendor
	Name       string
	Href       string // the vendor's page
	Action     string // the BAA step's form
	AsOf       date.Date
	Steps      []OnboardStep
	Systems    []OnboardRow
	Flows      []OnboardRow
	Agreements []OnboardRow
	TouchesPHI bool
	// Gate: the go-live gate's findings that concern the vendor (it, its
	// systems, their flows, its agreements), in plain words; GatePasses
	// when none is an error.
	Gate       []todo.Plain
	GateRules  []string
	GatePasses bool
	// BAA is the step's form: prefilled, or as submitted with Errors.
	BAA      map[string]string
	Errors   map[string]string
	ShowForm bool
}

func onboardData(s *kit.Server, w http.ResponseWriter, r *http.Request) (*workspace.Workspace, VendorOnboard, bool) {
	asOf, ok := s.PlanAsOf(w, r, false)
	if !ok {
		return nil, VendorOnboard{}, false
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, false, err)
		return nil, VendorOnboard{}, false
	}
	id := r.PathValue("id")
	v := ws.Vendor(id)
	if v == nil {
		s.Fail(w, r, false, http.StatusNotFound, fmt.Sprintf("No vendor %s in this organization.", id))
		return nil, VendorOnboard{}, false
	}
	return ws, vendorOnboard(ws, *v, kit.CurrentOrg(r).Slug, asOf), true
}

func vendorOnboard(ws *workspace.Workspace, v workspace.Vendor, slug string, asOf date.Date) VendorOnboard {
	base := "/orgs/" + slug
	then := "onboard:" + v.ID
	p := VendorOnboard{Vendor: v, Name: records.NameOr(v.Name, v.ID), Href: records.Href(slug, records.VendorKind.Meta(), v.ID), AsOf: asOf,
		Action: records.OnboardHref(slug, v.ID) + "/baa", Errors: map[string]string{}}
	g := phimap.Build(ws)
	mine := map[string]bool{}
	for _, sys := range ws.Systems {
		if sys.Vendor != v.ID {
			continue
		}
		mine[sys.ID] = true
		note := "no PHI"
		if sys.PHI || sys.LivePHI {
			note = "holds PHI"
			p.TouchesPHI = true
		}
		p.Systems = append(p.Systems, OnboardRow{Label: records.NameOr(sys.Name, sys.ID), Href: records.Href(slug, records.SystemKind.Meta(), sys.ID), Note: note})
	}
	subjects := map[string]bool{v.ID: true}
	for id := range mine {
		subjects[id] = true
	}
	var firstFlowTarget string
	for _, f := range ws.Flows {
		if !mine[f.From] && !mine[f.To] {
			continue
		}
		subjects[f.Key()] = true
		note := "no PHI"
		if g.CarriesPHI(f) {
			p.TouchesPHI = true
			note = "carries PHI"
			if f.EncryptedInTransit {
				note += ", encrypted"
			} else {
				note += ", not encrypted"
			}
		}
		p.Flows = append(p.Flows, OnboardRow{Label: records.FlowTitle(f), Href: records.Href(slug, records.FlowKind.Meta(), f.Key()), Note: note})
	}
	var baa *workspace.Agreement
	for i := range ws.Agreements {
		a := &ws.Agreements[i]
		if a.Counterparty != v.ID {
			continue
		}
		subjects[a.ID] = true
		note := a.Status
		if a.InForce(asOf) {
			note = "in force"
		}
		if a.File != "" {
			note += ", signed copy on file"
		}
		p.Agreements = append(p.Agreements, OnboardRow{Label: strings.ToUpper(a.Kind) + " " + a.ID, Href: records.Href(slug, records.AgreementKind.Meta(), a.ID), Note: note})
		if a.Kind == "baa" && a.Direction == "downstream" && a.InForce(asOf) && (baa == nil || a.File != "") {
			baa = a
		}
	}
	for _, f := range phimap.Gate(ws, asOf).Findings {
		if !subjects[f.Subject] {
			continue
		}
		p.Gate = append(p.Gate, todo.Explain(ws, asOf, slug, f))
		p.GateRules = append(p.GateRules, f.Severity+" "+f.Rule)
	}
	p.GatePasses = !slices.ContainsFunc(p.GateRules, func(s string) bool { return strings.HasPrefix(s, finding.Error+" ") })

	firstSystem := ""
	for _, sys := range ws.Systems {
		if mine[sys.ID] {
			firstSystem = sys.ID
			break
		}
	}
	firstFlowTarget = firstSystem
	sysQ := url.Values{"vendor": {v.ID}, "kind": {"saas"}, "phi": {"true"}, "encrypted_at_rest": {"true"}, "then": {then}}
	flowQ := url.Values{"to": {firstFlowTarget}, "phi": {"true"}, "encrypted_in_transit": {"true"}, "then": {then}}
	hasBAA := baa != nil
	signed := hasBAA && baa.File != ""
	reviewed := hasBAA && baa.Reviewed()
	p.Steps = []OnboardStep{
		{Title: "The vendor: " + p.Name, Done: true, Href: p.Href + "/edit", Action: "Edit the vendor"},
		{Title: "Does it touch PHI? The systems it runs for you", Done: len(p.Systems) > 0,
			Note: "Add each system the vendor runs for you (a hosted database, an email or AI service), and tick \"Stores or processes PHI\" when it does. A vendor that never touches PHI needs no BAA: you can stop here.",
			Href: base + "/systems/new?" + sysQ.Encode(), Action: "Add a system run by " + p.Name},
		{Title: "Its flows: where PHI reaches it from", Done: len(p.Flows) > 0,
			Note: "Draw each flow into or out of its systems, and say whether it carries PHI and is encrypted in transit.",
			Href: base + "/flows/new?" + flowQ.Encode(), Action: "Add a flow"},
		{Title: "The BAA, with the signed PDF", Done: signed,
			Note: "A downstream BAA in force before PHI reaches the vendor (45 CFR 164.308(b), 164.314(a)); upload the signed copy in the same step."},
		{Title: "Clause review (optional)", Done: reviewed, Optional: true,
			Note: "Check the signed BAA against the clauses 45 CFR 164.504(e)(2) and 164.314(a)(2) require: optional, and the gate counts an executed BAA as the law does, but an unreviewed BAA may lack a clause."},
	}
	if !p.TouchesPHI && len(p.Systems) > 0 {
		p.Steps[3].Note = "No system of this vendor holds PHI and no PHI flow reaches it: no BAA is needed unless that changes."
	}
	if hasBAA {
		p.Steps[4].Href, p.Steps[4].Action = records.Href(slug, records.AgreementKind.Meta(), baa.ID)+"#clauses", "Review the clauses"
		if !signed {
			p.Steps[3].Href, p.Steps[3].Action = records.Href(slug, records.AgreementKind.Meta(), baa.ID)+"#clauses", "Upload the signed copy on the agreement's page"
		}
	}
	for i := range p.Steps {
		if !p.Steps[i].Done {
			p.Steps[i].Current = true
			break
		}
	}
	p.ShowForm = !hasBAA
	// The id the agreement form would make (ids.go): baa-VENDOR, or the
	// next free one.
	taken := map[string]bool{}
	for _, a := range ws.Agreements {
		taken[a.ID] = true
	}
	made := map[string]string{"kind": "baa", "counterparty": v.ID}
	id := records.FreeID(records.IDBase(records.IDRules[store.KindAgreement], func(k string) string { return made[k] }), taken)
	p.BAA = map[string]string{"id": id, "effective": asOf.String()}
	return p
}

// onboardAPI is the steps page's twin: each step done or not, whether the
// gate passes for the vendor, and the findings that say why not.
func onboardAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		kit.APIError(w, http.StatusBadRequest, err.Error())
		return
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	v := ws.Vendor(r.PathValue("id"))
	if v == nil {
		kit.APIError(w, http.StatusNotFound, "No vendor "+r.PathValue("id")+" in this organization.")
		return
	}
	p := vendorOnboard(ws, *v, kit.CurrentOrg(r).Slug, asOf)
	type step struct {
		Title    string `json:"title"`
		Done     bool   `json:"done"`
		Optional bool   `json:"optional,omitempty"`
		Href     string `json:"href,omitempty"`
	}
	steps := []step{}
	for _, st := range p.Steps {
		steps = append(steps, step{st.Title, st.Done, st.Optional, st.Href})
	}
	gate := p.Gate
	if gate == nil {
		gate = []todo.Plain{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"vendor": v.ID, "as_of": asOf, "steps": steps, "gate_passes": p.GatePasses, "gate": gate, "gate_rules": p.GateRules})
}

func onboardPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	_, p, ok := onboardData(s, w, r)
	if !ok {
		return
	}
	s.Render(w, r, "vendor_onboard.html", p)
}

// onboardBAA records the vendor's downstream BAA, executed, and its
// signed PDF in one step: the file is read first (into the blob store,
// content-addressed), then the agreement is created pointing at it, and
// the copy is kept as evidence as an upload on the agreement's page is.
func onboardBAA(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	form, err := s.ReadUpload(r, pdfOnly)
	var np notPDF
	var big *kit.TooBig
	var in kit.InputError
	switch {
	case errors.As(err, &np):
		s.Fail(w, r, false, http.StatusUnprocessableEntity, np.name+" is not a PDF: upload the signed agreement as a PDF")
		return
	case errors.As(err, &big):
		s.Fail(w, r, false, http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is over %d MiB", big.Name, maxAgreementFile>>20))
		return
	case errors.Is(err, kit.ErrTooLarge):
		s.Fail(w, r, false, http.StatusRequestEntityTooLarge, kit.TooLarge(r.ContentLength, s.MaxUpload()))
		return
	case errors.As(err, &in):
		s.Fail(w, r, false, http.StatusBadRequest, in.Msg)
		return
	case err != nil:
		s.ServerError(w, r, false, err)
		return
	}
	ws, p, ok := onboardData(s, w, r)
	if !ok {
		return
	}
	v := p.Vendor
	get := func(k string) string { return strings.TrimSpace(form.Fields.Get(k)) }
	a := workspace.Agreement{ID: get("id"), Kind: "baa", Counterparty: v.ID, Direction: "downstream", Status: "executed"}
	if a.ID == "" {
		a.ID = p.BAA["id"]
	}
	errs := map[string]string{}
	for _, f := range []struct {
		name string
		to   *date.Date
	}{{"effective", &a.Effective}, {"expires", &a.Expires}} {
		if raw := get(f.name); raw != "" {
			d, err := date.ParseInput(raw)
			if err != nil {
				errs[f.name] = fmt.Sprintf("%q is not a date: write 2026-12-01 or 12/01/2026", raw)
				continue
			}
			*f.to = d
		}
	}
	if a.Effective.IsZero() && errs["effective"] == "" {
		errs["effective"] = "the date the BAA took effect is needed for it to be in force"
	}
	if raw := get("breach_notice_days"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			errs["breach_notice_days"] = fmt.Sprintf("%q is not a number of days", raw)
		}
		a.BreachNoticeDays = n
	}
	files := form.Files["file"]
	if len(files) != 1 || files[0].Size == 0 {
		errs["file"] = "choose the signed PDF (one file)"
	} else {
		a.File, a.SHA256 = path.Join("agreements", a.ID+".pdf"), files[0].SHA256
	}
	if len(errs) == 0 {
		var err error
		_, errs, err = records.Save(s, r, records.AgreementKind, ws, a, store.Cond{Create: true})
		switch {
		case errors.Is(err, store.ErrConflict):
			errs = map[string]string{"id": "agreement " + a.ID + " exists already; nothing was written"}
		case err != nil:
			records.WriteRefused(s, w, r, false, err)
			return
		}
	}
	if len(errs) > 0 {
		p.BAA = map[string]string{"id": a.ID, "effective": get("effective"), "expires": get("expires"), "breach_notice_days": get("breach_notice_days")}
		p.Errors = errs
		s.RenderStatus(w, r, http.StatusUnprocessableEntity, "vendor_onboard.html", p)
		return
	}
	if err := baaEvidence(s, r, ws, a, files[0].SHA256, files[0].Size); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	kit.SetFlash(w, "BAA "+a.ID+" with "+p.Name+" recorded, with its signed copy ("+files[0].Name+").")
	http.Redirect(w, r, records.OnboardHref(kit.CurrentOrg(r).Slug, v.ID)+"#steps", http.StatusSeeOther)
}
