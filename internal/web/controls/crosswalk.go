package controls

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/crosswalk", Role: store.RoleViewer, Handler: crosswalkPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/crosswalk", Role: store.RoleViewer, Handler: crosswalkAPI},
	)
}

// crosswalkFrameworks are the frameworks with requirements and mappings to
// cross (HITRUST is by name only; the breach rule is mapped in HIPAA's
// terms).
var crosswalkFrameworks = []string{catalog.HIPAA, catalog.SOC2, catalog.CSF}

var shortNames = map[string]string{catalog.HIPAA: "HIPAA", catalog.SOC2: "SOC 2", catalog.CSF: "CSF"}

// CrosswalkPage is GET /orgs/{org}/crosswalk?from=hipaa&to=soc2 and its
// JSON twin: the crosswalk as `ward crosswalk --format json` prints it,
// the reuse both ways as `ward crosswalk --reuse` does, and where each
// mapping comes from.
type CrosswalkPage struct {
	From      string            `json:"from"`
	To        string            `json:"to"`
	FromName  string            `json:"from_name"`
	ToName    string            `json:"to_name"`
	FromShort string            `json:"-"` // HIPAA, SOC 2, CSF
	ToShort   string            `json:"-"`
	Scope     []string          `json:"scope"` // SOC 2 categories in scope
	Crosswalk catalog.Crosswalk `json:"crosswalk"`
	// Reuse: the controls mapped to From, measured against To; Reverse
	// the other way round (what To's controls leave of From).
	Reuse   catalog.Reuse `json:"reuse"`
	Reverse catalog.Reuse `json:"reverse"`
	// Pairs are the crosswalk's pairs with titles and, for each shared
	// control, where its mapping on either side comes from.
	Pairs      []CrosswalkPair `json:"pairs"`
	Provenance Provenance      `json:"provenance"`
	// Organization is the reuse both ways in the SOC 2 scope the
	// organization chose (organization.yaml soc2.categories), as `ward
	// crosswalk --reuse` prints it by default; set when SOC 2 is a side.
	Organization *OrgReuse `json:"organization,omitempty"`
	// Standards, between HIPAA and CSF, puts NIST SP 800-66r2's mapping
	// of HIPAA standards to CSF subcategories beside ward's
	// control-derived one, as `ward crosswalk --source both` does:
	// agreement, and ward's reason wherever they differ.
	Standards *catalog.StandardCrosswalk `json:"standards,omitempty"`

	Heatmap    template.HTML `json:"-"`
	Frameworks []string      `json:"-"`
}

// OrgReuse is the reuse for the organization's own SOC 2 scope.
type OrgReuse struct {
	Scope   []string      `json:"scope"`
	Reuse   catalog.Reuse `json:"reuse"`
	Reverse catalog.Reuse `json:"reverse"`
	// BreachRule is what the Breach Notification Rule (164.400-414), a
	// framework of its own, adds beyond SOC 2's controls when HIPAA is a
	// side: part of what HIPAA needs that SOC 2 does not.
	BreachRule *catalog.Reuse `json:"breach_rule,omitempty"`
}

// orgReuse fills p.Organization from the organization's settings.
func orgReuse(s *kit.Server, r *http.Request, p *CrosswalkPage) error {
	if p.From != catalog.SOC2 && p.To != catalog.SOC2 {
		return nil
	}
	var o workspace.Organization
	if err := s.Org(r).Get(r.Context(), store.KindOrganization, store.OrganizationKey, &o); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	cat := catalog.Default()
	scope := catalog.Scope{SOC2Categories: o.SOC2.Categories}
	or := &OrgReuse{Scope: scope.Categories()}
	var err error
	if or.Reuse, err = cat.Reuse(p.From, p.To, nil, scope); err != nil {
		return err
	}
	if or.Reverse, err = cat.Reuse(p.To, p.From, nil, scope); err != nil {
		return err
	}
	if p.From == catalog.HIPAA || p.To == catalog.HIPAA {
		b, err := cat.Reuse(catalog.SOC2, catalog.HIPAABreach, nil, scope)
		if err != nil {
			return err
		}
		or.BreachRule = &b
	}
	p.Organization = or
	return nil
}

// CrosswalkPair is one cell of the matrix.
type CrosswalkPair struct {
	From      string       `json:"from"`
	FromTitle string       `json:"from_title"`
	To        string       `json:"to"`
	ToTitle   string       `json:"to_title"`
	Via       []SharedCtrl `json:"via"`
}

// SharedCtrl is a control two requirements share, with the provenance of
// its mapping to each: catalog.SourceNIST ("nist-sp-800-66r2") where NIST
// SP 800-66r2's HIPAA-to-CSF mapping backs it, catalog.SourceWard ("ward")
// where it is our judgement.
type SharedCtrl struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	FromSource string `json:"from_source"`
	ToSource   string `json:"to_source"`
}

// Provenance counts the control-to-requirement mappings the crosswalk
// rests on, by source.
type Provenance struct {
	NIST     int    `json:"nist"`
	Ward     int    `json:"ward"`
	NISTName string `json:"nist_name"`
	NISTDate string `json:"nist_published"`
	NISTSrc  string `json:"nist_source"`
}

// crosswalkScope is ?categories=availability,privacy (SOC 2 categories
// besides security), every category when absent: the catalog-wide view,
// what `ward crosswalk` shows without a database. The organization's own
// scope, what `ward crosswalk` uses by default when its database holds one
// organization, is the page's Organization block beside it.
func crosswalkScope(r *http.Request) catalog.Scope {
	if v := r.URL.Query().Get("categories"); v != "" {
		return catalog.Scope{SOC2Categories: strings.Split(v, ",")}
	}
	return catalog.AllCategories()
}

// crosswalk builds the page; msg says what is wrong with the request.
func crosswalk(r *http.Request, page bool) (CrosswalkPage, string) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" {
		from = catalog.HIPAA
	}
	if to == "" {
		to = catalog.SOC2
	}
	if !slices.Contains(crosswalkFrameworks, from) || !slices.Contains(crosswalkFrameworks, to) || from == to {
		return CrosswalkPage{}, "from and to must be two different frameworks among " + strings.Join(crosswalkFrameworks, ", ") + " (e.g. ?from=hipaa&to=soc2)."
	}
	cat := catalog.Default()
	scope := crosswalkScope(r)
	cw, err := cat.Crosswalk(from, to, scope)
	if err != nil {
		return CrosswalkPage{}, err.Error() + "."
	}
	p := CrosswalkPage{
		From: from, To: to, FromName: cat.Framework(from).Name, ToName: cat.Framework(to).Name,
		FromShort: shortNames[from], ToShort: shortNames[to],
		Scope: scope.Categories(), Crosswalk: cw, Pairs: []CrosswalkPair{}, Frameworks: crosswalkFrameworks,
	}
	if p.Reuse, err = cat.Reuse(from, to, nil, scope); err != nil {
		return CrosswalkPage{}, err.Error() + "."
	}
	if p.Reverse, err = cat.Reuse(to, from, nil, scope); err != nil {
		return CrosswalkPage{}, err.Error() + "."
	}
	if n := cat.NIST; n != nil {
		p.Provenance.NISTName, p.Provenance.NISTDate, p.Provenance.NISTSrc = n.Name, n.Published, n.Source
	}
	ff, tf := cat.Framework(from), cat.Framework(to)
	for _, pr := range cw.Pairs {
		cp := CrosswalkPair{From: pr.From, FromTitle: ff.Requirement(pr.From).Title, To: pr.To, ToTitle: tf.Requirement(pr.To).Title}
		for _, id := range pr.Via {
			sc := SharedCtrl{ID: id, FromSource: cat.Source(id, from, pr.From), ToSource: cat.Source(id, to, pr.To)}
			if c := cat.Control(id); c != nil {
				sc.Title = c.Title
			}
			for _, src := range []string{sc.FromSource, sc.ToSource} {
				if src == catalog.SourceNIST {
					p.Provenance.NIST++
				} else {
					p.Provenance.Ward++
				}
			}
			cp.Via = append(cp.Via, sc)
		}
		p.Pairs = append(p.Pairs, cp)
	}
	if (from == catalog.HIPAA && to == catalog.CSF) || (from == catalog.CSF && to == catalog.HIPAA) {
		sc, err := cat.StandardCrosswalk(catalog.SourceBoth)
		if err != nil {
			return CrosswalkPage{}, err.Error() + "."
		}
		p.Standards = &sc
	}
	if page {
		svg, err := cat.CrosswalkSVG(cw, scope)
		if err != nil {
			return CrosswalkPage{}, err.Error() + "."
		}
		p.Heatmap = template.HTML(svg)
	}
	return p, ""
}

func crosswalkPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, msg := crosswalk(r, true)
	if msg != "" {
		s.Fail(w, r, false, http.StatusBadRequest, msg)
		return
	}
	if err := orgReuse(s, r, &p); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	s.Render(w, r, "crosswalk.html", p)
}

func crosswalkAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	p, msg := crosswalk(r, false)
	if msg != "" {
		kit.APIError(w, http.StatusBadRequest, msg)
		return
	}
	if err := orgReuse(s, r, &p); err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	kit.WriteJSON(w, http.StatusOK, p)
}
