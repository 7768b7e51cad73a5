package risk

import (
	"embed"
	"fmt"
	"slices"

	"github.com/goccy/go-yaml"
)

// Threat categories of NIST SP 800-30 Rev. 1, Appendix D, Table D-2.
var ThreatCategories = []string{"adversarial", "accidental", "structural", "environmental"}

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
}

// Vulnerability is a library vulnerability or predisposing condition.
type Vulnerability struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Description string   `yaml:"description" json:"description"`
	Sources     []string `yaml:"sources" json:"sources"`
	Controls    []string `yaml:"controls" json:"controls"`
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

var threats, vulnerabilities = mustLoad()

func mustLoad() ([]Threat, []Vulnerability) {
	var ts []Threat
	var vs []Vulnerability
	if err := load("data/threats.yaml", &ts); err != nil {
		panic(err)
	}
	if err := load("data/vulnerabilities.yaml", &vs); err != nil {
		panic(err)
	}
	return ts, vs
}

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
func Threats() []Threat { return slices.Clone(threats) }

// Vulnerabilities is the vulnerability library, in file order.
func Vulnerabilities() []Vulnerability { return slices.Clone(vulnerabilities) }

// ThreatByID is the library threat with that id, or nil.
func ThreatByID(id string) *Threat {
	for i := range threats {
		if threats[i].ID == id {
			t := threats[i]
			return &t
		}
	}
	return nil
}

// VulnerabilityByID is the library vulnerability with that id, or nil.
func VulnerabilityByID(id string) *Vulnerability {
	for i := range vulnerabilities {
		if vulnerabilities[i].ID == id {
			v := vulnerabilities[i]
			return &v
		}
	}
	return nil
}

// ThreatTitle is the library title for a threat id; a risk's threat may
// also be free text (an organization's own threat), returned as is.
func ThreatTitle(s string) string {
	if t := ThreatByID(s); t != nil {
		return t.Title
	}
	return s
}

// VulnerabilityTitle is like ThreatTitle for vulnerabilities.
func VulnerabilityTitle(s string) string {
	if v := VulnerabilityByID(s); v != nil {
		return v.Title
	}
	return s
}

// SuggestedControls is the union of the controls the library suggests for a
// risk's threat and vulnerability, in library order; empty for free text.
func SuggestedControls(threat, vulnerability string) []string {
	var out []string
	add := func(ids []string) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	if t := ThreatByID(threat); t != nil {
		add(t.Controls)
	}
	if v := VulnerabilityByID(vulnerability); v != nil {
		add(v.Controls)
	}
	return out
}
