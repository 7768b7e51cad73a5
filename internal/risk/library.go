package risk

import (
	"embed"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"

	"ward/internal/workspace"
)

// Threat categories of NIST SP 800-30 Rev. 1, Appendix D, Table D-2.
var ThreatCategories = workspace.ThreatCategories

// Threat is a library threat event.
type Threat struct {
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Category    string `yaml:"category" json:"category"`
	Description string `yaml:"description" json:"description"`
	// Sources are ids of Sources.
	Sources []string `yaml:"sources" json:"sources"`
	// Vulnerabilities it commonly exploits (library ids).
	Vulnerabilities []string `yaml:"vulnerabilities" json:"vulnerabilities"`
	// Controls are the unified control ids that mitigate it.
	Controls []string `yaml:"controls" json:"controls"`
	// Own: the organization's own entry (workspace threats), not the
	// embedded library's.
	Own bool `yaml:"-" json:"own,omitempty"`
}

// Vulnerability is a library vulnerability or predisposing condition.
type Vulnerability struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Description string   `yaml:"description" json:"description"`
	Sources     []string `yaml:"sources" json:"sources"`
	Controls    []string `yaml:"controls" json:"controls"`
	Own         bool     `yaml:"-" json:"own,omitempty"` // the organization's own (workspace vulnerabilities)
}

// Sources names the documents the libraries cite.
var Sources = map[string]string{
	"sp800-30-D": "NIST SP 800-30 Rev. 1, Guide for Conducting Risk Assessments (2012), Appendix D: Threat Sources",
	"sp800-30-E": "NIST SP 800-30 Rev. 1 (2012), Appendix E: Threat Events",
	"sp800-30-F": "NIST SP 800-30 Rev. 1 (2012), Appendix F: Vulnerabilities and Predisposing Conditions",
	"hicp-2023":  "HHS 405(d), Health Industry Cybersecurity Practices (HICP), 2023 edition: the five most prevalent threats",
	"ocr-2026":   "HHS OCR ransomware enforcement actions announced April 2026, each citing an inadequate risk analysis",
	"sr-164":     "45 CFR Part 164 Subpart C, the HIPAA Security Rule safeguards",
}

//go:embed data/*.yaml
var dataFS embed.FS

// Embedded is the library without any organization's entries, parsed on
// first use rather than when the program starts: every ward command paid
// for parsing it (4 to 10 ms), most of them without reading it. It is
// shared: callers do not change it.
var Embedded = sync.OnceValue(func() *Library {
	var l Library
	if err := load("data/threats.yaml", &l.Threats); err != nil {
		panic(err)
	}
	if err := load("data/vulnerabilities.yaml", &l.Vulnerabilities); err != nil {
		panic(err)
	}
	return &l
})

func load(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalWithOptions(b, v, yaml.Strict()); err != nil {
		return fmt.Errorf("internal/risk/%s: %w", name, err)
	}
	return nil
}

// Threats is the threat library, in file order.
func Threats() []Threat { return slices.Clone(Embedded().Threats) }

// Vulnerabilities is the vulnerability library, in file order.
func Vulnerabilities() []Vulnerability { return slices.Clone(Embedded().Vulnerabilities) }

// Library is the embedded threat and vulnerability libraries followed by
// an organization's own entries (workspace threats and vulnerabilities):
// what its risks name, its forms offer and its report lists.
type Library struct {
	Threats         []Threat        `json:"threats"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}

// LibraryFor is the embedded library with ws's own entries after it.
func LibraryFor(ws *workspace.Workspace) *Library {
	if ws == nil || len(ws.Threats)+len(ws.Vulnerabilities) == 0 {
		return Embedded()
	}
	e := Embedded()
	l := &Library{Threats: slices.Clone(e.Threats), Vulnerabilities: slices.Clone(e.Vulnerabilities)}
	for _, t := range ws.Threats {
		l.Threats = append(l.Threats, Threat{ID: t.ID, Title: t.Title, Category: t.Category, Description: t.Description,
			Vulnerabilities: t.Vulnerabilities, Controls: t.Controls, Own: true})
	}
	for _, v := range ws.Vulnerabilities {
		l.Vulnerabilities = append(l.Vulnerabilities, Vulnerability{ID: v.ID, Title: v.Title, Description: v.Description, Controls: v.Controls, Own: true})
	}
	return l
}

// Threat is the threat with that id, or nil.
func (l *Library) Threat(id string) *Threat {
	for i := range l.Threats {
		if l.Threats[i].ID == id {
			t := l.Threats[i]
			return &t
		}
	}
	return nil
}

// Vulnerability is the vulnerability with that id, or nil.
func (l *Library) Vulnerability(id string) *Vulnerability {
	for i := range l.Vulnerabilities {
		if l.Vulnerabilities[i].ID == id {
			v := l.Vulnerabilities[i]
			return &v
		}
	}
	return nil
}

// ThreatTitle is the title for a threat id; a risk's threat may also be
// free text, returned as is.
func (l *Library) ThreatTitle(s string) string {
	if t := l.Threat(s); t != nil {
		return t.Title
	}
	return s
}

// VulnerabilityTitle is like ThreatTitle for vulnerabilities.
func (l *Library) VulnerabilityTitle(s string) string {
	if v := l.Vulnerability(s); v != nil {
		return v.Title
	}
	return s
}

// SuggestedControls is the union of the controls the library suggests for
// a risk's threat and vulnerability, in library order; empty for free
// text.
func (l *Library) SuggestedControls(threat, vulnerability string) []string {
	var out []string
	add := func(ids []string) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	if t := l.Threat(threat); t != nil {
		add(t.Controls)
	}
	if v := l.Vulnerability(vulnerability); v != nil {
		add(v.Controls)
	}
	return out
}

// ThreatByID is the embedded library's threat with that id, or nil.
func ThreatByID(id string) *Threat { return Embedded().Threat(id) }

// VulnerabilityByID is the embedded library's vulnerability, or nil.
func VulnerabilityByID(id string) *Vulnerability { return Embedded().Vulnerability(id) }

// ThreatTitle is Embedded().ThreatTitle.
func ThreatTitle(s string) string { return Embedded().ThreatTitle(s) }

// VulnerabilityTitle is Embedded().VulnerabilityTitle.
func VulnerabilityTitle(s string) string { return Embedded().VulnerabilityTitle(s) }

// SuggestedControls is Embedded().SuggestedControls.
func SuggestedControls(threat, vulnerability string) []string {
	return Embedded().SuggestedControls(threat, vulnerability)
}
