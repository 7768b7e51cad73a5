// Package policy is the documentation the HIPAA Security Rule asks for
// and SOC 2 auditors test: written policies from ward's own templates,
// their versions and approvals, the workforce's acknowledgements,
// trainings and their completions, joiners and leavers. It holds the
// rules over them (ward check's policy.*, training.* and workforce.*
// findings), the evidence they give the controls they cover, and the
// people board a compliance lead works from.
//
// It depends on the workspace model, the catalog (control frequencies)
// and the plan's applicability; never on storage or HTTP.
package policy

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/goccy/go-yaml"

	"ward/internal/catalog"
	"ward/internal/workspace"
)

//go:embed templates/*.md
var templateFS embed.FS

// TemplatesVersion is the edition of the embedded templates, recorded
// with every policy created from one.
const TemplatesVersion = "2026.1"

// Template is one built-in policy template: ward's own text, written for
// this project, citing the sections and criteria it answers.
type Template struct {
	ID      string `yaml:"id" json:"id"`
	Title   string `yaml:"title" json:"title"`
	Summary string `yaml:"summary" json:"summary"`
	// HIPAA are the 45 CFR sections it answers (Security Rule 164.3xx,
	// Breach Notification 164.4xx, Privacy Rule 164.5xx); SOC2 the
	// Trust Services Criteria ids.
	HIPAA []string `yaml:"hipaa" json:"hipaa"`
	SOC2  []string `yaml:"soc2" json:"soc2"`
	// Controls are the unified controls an approved policy from it is
	// evidence for (the ones whose evidence is the document itself).
	Controls []string `yaml:"controls" json:"controls"`
	// CoveredEntity: a Privacy Rule policy, for covered entities only.
	CoveredEntity bool   `yaml:"covered_entity" json:"covered_entity"`
	Body          string `yaml:"-" json:"-"`

	tmpl *template.Template
}

// TemplateIDs are the built-in template ids in the order ward lists them
// (the contract: policy.missing names these).
var TemplateIDs = []string{
	"information-security", "risk-management", "access-control", "workforce-security", "sanctions",
	"security-training", "incident-response", "contingency", "device-media", "encryption", "audit-logging",
	"change-management", "vendor-management", "data-retention", "facility-workstation", "acceptable-use",
	"minimum-necessary", "uses-disclosures", "individual-rights", "privacy-notice",
}

var (
	loadOnce  sync.Once
	templates []*Template
	loadErr   error
)

// Templates returns every built-in template, in TemplateIDs order. The
// embedded files are checked by the tests; a broken one panics at first
// use rather than serving half a set.
func Templates() []*Template {
	loadOnce.Do(func() { templates, loadErr = loadTemplates(templateFS) })
	if loadErr != nil {
		panic("policy: embedded templates: " + loadErr.Error())
	}
	return templates
}

// TemplateByID returns a built-in template, or nil.
func TemplateByID(id string) *Template {
	for _, t := range Templates() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// KnownTemplate reports whether id is a built-in template id.
func KnownTemplate(id string) bool { return slices.Contains(TemplateIDs, id) }

func loadTemplates(fsys fs.FS) ([]*Template, error) {
	var out []*Template
	for _, id := range TemplateIDs {
		raw, err := fs.ReadFile(fsys, "templates/"+id+".md")
		if err != nil {
			return nil, err
		}
		t, err := parseTemplate(raw)
		if err != nil {
			return nil, fmt.Errorf("%s.md: %w", id, err)
		}
		if t.ID != id {
			return nil, fmt.Errorf("%s.md: id is %q", id, t.ID)
		}
		out = append(out, t)
	}
	return out, nil
}

// parseTemplate reads a template file: YAML front matter between ---
// lines, then the Markdown body (a text/template over Fill).
func parseTemplate(raw []byte) (*Template, error) {
	rest, ok := bytes.CutPrefix(raw, []byte("---\n"))
	if !ok {
		return nil, fmt.Errorf("no front matter (--- first)")
	}
	front, body, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return nil, fmt.Errorf("front matter does not end with ---")
	}
	t := &Template{}
	if err := yaml.UnmarshalWithOptions(front, t, yaml.Strict()); err != nil {
		return nil, err
	}
	t.Body = string(body)
	tm, err := template.New(t.ID).Option("missingkey=error").Parse(t.Body)
	if err != nil {
		return nil, err
	}
	t.tmpl = tm
	return t, nil
}

// Citation is the line under a rendered policy's title: what it answers.
func (t *Template) Citation() string {
	var parts []string
	if len(t.HIPAA) > 0 {
		parts = append(parts, "45 CFR "+strings.Join(t.HIPAA, ", "))
	}
	if len(t.SOC2) > 0 {
		parts = append(parts, "SOC 2 "+strings.Join(t.SOC2, ", "))
	}
	return strings.Join(parts, "; ")
}

// Render fills the template from the workspace: a complete Markdown
// policy under title (the template's when empty), ready to approve.
func (t *Template) Render(ws *workspace.Workspace, title string, reviewMonths int) (string, error) {
	f := NewFill(ws, catalog.Default(), reviewMonths)
	var b bytes.Buffer
	if title == "" {
		title = t.Title
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "%s. This policy answers %s.\n\n", f.Org, t.Citation())
	if err := t.tmpl.Execute(&b, f); err != nil {
		return "", fmt.Errorf("template %s: %w", t.ID, err)
	}
	return tidy(b.String()), nil
}

// tidy collapses the blank lines template conditionals leave and ends the
// text with one newline.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
