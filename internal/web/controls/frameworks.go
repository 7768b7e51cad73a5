package controls

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/store"
	"ward/internal/web/kit"
)

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/frameworks", Role: store.RoleViewer, Handler: frameworksPage},
		kit.Route{Method: "GET", Pattern: "/orgs/{org}/frameworks/{fw}", Role: store.RoleViewer, Handler: frameworkPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/frameworks", Role: store.RoleViewer, Handler: frameworksAPI},
		kit.Route{Method: "GET", Pattern: "/api/v1/orgs/{org}/frameworks/{fw}", Role: store.RoleViewer, Handler: frameworkAPI},
	)
}

// FrameworkSummary is one framework of the list (the JSON of
// `ward frameworks --format json`).
type FrameworkSummary struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	Source       string `json:"source"`
	Published    string `json:"published"`
	Requirements int    `json:"requirements"`
	// Status is "proposed" for an overlay of a rule not yet law, with the
	// date ward last checked; empty for a framework in force.
	Status        string `json:"status,omitempty"`
	StatusChecked string `json:"status_checked,omitempty"`
}

// FrameworkList is GET /orgs/{org}/frameworks and its JSON twin.
type FrameworkList struct {
	Frameworks []FrameworkSummary `json:"frameworks"`
}

func frameworkList() FrameworkList {
	l := FrameworkList{Frameworks: []FrameworkSummary{}}
	for _, f := range catalog.Default().Frameworks {
		l.Frameworks = append(l.Frameworks, FrameworkSummary{f.ID, f.Name, f.Version, f.Source, f.Published, len(f.Assessable()), f.Status, f.StatusChecked})
	}
	return l
}

// RequirementHref is the address of a requirement in its framework's
// tree: the page opens the branches down to it and scrolls to it. A
// control's page links back to the requirements it maps to with it.
func RequirementHref(slug, framework, id string) string {
	return "/orgs/" + slug + "/frameworks/" + framework + "?req=" + url.QueryEscape(id) + "#" + requirementAnchor(id)
}

// requirementAnchor is the HTML id of a requirement's entry in the tree.
func requirementAnchor(id string) string { return "req-" + id }

// TreeNode is one entry of a framework tree: a group (HIPAA section of
// the CFR, SOC 2 category), or a requirement with the controls mapped to
// it.
type TreeNode struct {
	ID       string
	Anchor   string
	Title    string
	Kind     string
	Badge    string // HIPAA: R or A on a specification, R on a standard without one
	Excerpt  string
	Controls []TreeControl
	// Mapped counts the controls under the node (its own and its
	// descendants', each once).
	Mapped   int
	Open     bool
	Leaf     bool // assessable: a requirement no other refines
	Selected bool // the requirement the address named (?req=)
	Slug     string
	Children []*TreeNode
}

// TreeControl is a catalog control a requirement maps to.
type TreeControl struct {
	ID, Title string
}

// FrameworkTree is GET /orgs/{org}/frameworks/{fw}.
type FrameworkTree struct {
	Framework *catalog.Framework
	Roots     []*TreeNode
	Leaves    int
	Unmapped  int // leaves no control maps to
	Selected  string
	// Crosswalks are the frameworks this one has a crosswalk page to.
	Crosswalks []string
}

// hipaaParts names the CFR sections the HIPAA Security Rule's safeguard
// families live in.
var hipaaParts = map[string]string{
	"Administrative": "164.308 Administrative safeguards",
	"Physical":       "164.310 Physical safeguards",
	"Technical":      "164.312 Technical safeguards",
	"Organizational": "164.314 Organizational requirements",
	"Policies":       "164.316 Policies and procedures and documentation requirements",
}

var soc2CategoryNames = map[string]string{
	"security":             "Security (common criteria)",
	"availability":         "Availability",
	"confidentiality":      "Confidentiality",
	"processing-integrity": "Processing integrity",
	"privacy":              "Privacy",
}

// BuildFrameworkTree builds the browsable tree: HIPAA part → CFR section →
// standard → implementation specification; SOC 2 category → series →
// criterion; CSF function → category → subcategory; the breach rule
// section → provision. selected is opened down to.
func BuildFrameworkTree(f *catalog.Framework, slug, selected string) FrameworkTree {
	cat := catalog.Default()
	t := FrameworkTree{Framework: f, Selected: selected}
	for _, id := range crosswalkFrameworks {
		if id != f.ID && slices.Contains(crosswalkFrameworks, f.ID) {
			t.Crosswalks = append(t.Crosswalks, id)
		}
	}
	open := map[string]bool{}
	for r := f.Requirement(selected); r != nil; r = f.Requirement(r.Parent) {
		open[r.ID] = true
		open["group:"+groupOf(f, r)] = true
		if r.Parent == "" {
			break
		}
	}
	var build func(r *catalog.Requirement) *TreeNode
	build = func(r *catalog.Requirement) *TreeNode {
		n := &TreeNode{ID: r.ID, Anchor: requirementAnchor(r.ID), Title: r.Title, Kind: r.Kind, Excerpt: r.Excerpt,
			Open: open[r.ID], Leaf: r.Assessable(), Selected: r.ID == selected, Slug: slug}
		if f.ID == catalog.HIPAA && r.Assessable() {
			n.Badge = "A"
			if r.Required {
				n.Badge = "R"
			}
		}
		seen := map[string]bool{}
		for _, id := range r.Controls {
			c := cat.Control(id)
			title := ""
			if c != nil {
				title = c.Title
			}
			n.Controls = append(n.Controls, TreeControl{id, title})
			seen[id] = true
		}
		for _, cid := range r.Children {
			if cr := f.Requirement(cid); cr != nil {
				ch := build(cr)
				n.Children = append(n.Children, ch)
			}
		}
		if r.Assessable() {
			t.Leaves++
			if len(r.Controls) == 0 {
				t.Unmapped++
			}
		}
		n.Mapped = len(controlsUnder(f, r, seen))
		return n
	}
	groups := map[string]*TreeNode{}
	for _, r := range f.Requirements {
		if r.Parent != "" {
			continue
		}
		n := build(r)
		g := groupOf(f, r)
		if g == "" {
			n.Open = n.Open || selected == ""
			t.Roots = append(t.Roots, n)
			continue
		}
		gn := groups[g]
		if gn == nil {
			gn = &TreeNode{ID: g, Anchor: "group-" + g, Title: groupTitle(f, g), Kind: "group", Open: open["group:"+g] || selected == "", Slug: slug}
			groups[g] = gn
			t.Roots = append(t.Roots, gn)
		}
		gn.Children = append(gn.Children, n)
		gn.Mapped += n.Mapped
	}
	// A group's count is of distinct controls.
	for g, gn := range groups {
		seen := map[string]bool{}
		for _, r := range f.Requirements {
			if r.Parent == "" && groupOf(f, r) == g {
				controlsUnder(f, r, seen)
			}
		}
		gn.Mapped = len(seen)
	}
	return t
}

// controlsUnder adds the controls mapped to r and its descendants to seen.
func controlsUnder(f *catalog.Framework, r *catalog.Requirement, seen map[string]bool) map[string]bool {
	for _, id := range r.Controls {
		seen[id] = true
	}
	for _, cid := range r.Children {
		if cr := f.Requirement(cid); cr != nil {
			controlsUnder(f, cr, seen)
		}
	}
	return seen
}

// groupOf is the top level of the tree a root requirement sits in: its
// CFR section for HIPAA, its Trust Services category for SOC 2, none
// elsewhere (CSF functions and breach sections are roots themselves).
func groupOf(f *catalog.Framework, r *catalog.Requirement) string {
	for r.Parent != "" {
		p := f.Requirement(r.Parent)
		if p == nil {
			break
		}
		r = p
	}
	switch f.ID {
	case catalog.HIPAA:
		return r.Section
	case catalog.SOC2:
		return r.Category
	}
	return ""
}

func groupTitle(f *catalog.Framework, g string) string {
	switch f.ID {
	case catalog.HIPAA:
		if t, ok := hipaaParts[g]; ok {
			return t
		}
	case catalog.SOC2:
		if t, ok := soc2CategoryNames[g]; ok {
			return t
		}
	}
	return g
}

func frameworksPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, "frameworks.html", frameworkList())
}

func frameworksAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	kit.WriteJSON(w, http.StatusOK, frameworkList())
}

func lookupFramework(r *http.Request) (*catalog.Framework, string) {
	id := r.PathValue("fw")
	if f := catalog.Default().Framework(id); f != nil {
		return f, ""
	}
	var ids []string
	for _, f := range catalog.Default().Frameworks {
		ids = append(ids, f.ID)
	}
	return nil, "No framework " + id + ": ward carries " + strings.Join(ids, ", ") + "."
}

func frameworkPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	f, msg := lookupFramework(r)
	if f == nil {
		s.Fail(w, r, false, http.StatusNotFound, msg)
		return
	}
	s.Render(w, r, "framework.html", BuildFrameworkTree(f, kit.CurrentOrg(r).Slug, r.URL.Query().Get("req")))
}

// frameworkAPI is the framework as `ward framework show ID --format json`
// prints it: every requirement with its controls.
func frameworkAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	f, msg := lookupFramework(r)
	if f == nil {
		kit.APIError(w, http.StatusNotFound, msg)
		return
	}
	kit.WriteJSON(w, http.StatusOK, f)
}
