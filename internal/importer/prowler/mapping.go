package prowler

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"

	"ward/internal/catalog"
)

//go:embed exceptions.yaml
var exceptionsYAML []byte

// Mapper translates Prowler's HIPAA and SOC 2 requirement ids into ward's
// catalog ids, and those into the catalog controls mapped to them.
//
// The translation is a rule per framework, checked against the catalog,
// plus the small exceptions table in exceptions.yaml:
//
//	HIPAA 164_308_a_1_ii_a -> 164.308(a)(1)(ii)(A): section, then one
//	      paragraph per part, the fourth level (A), (B) upper case; a
//	      standard written without its "(i)" (164_308_a_1) gets it.
//	SOC2  cc_6_1 -> CC6.1; cc_a_1_1 and a_1_1 -> A1.1; pi_1_2 -> PI1.2.
type Mapper struct {
	cat        *catalog.Catalog
	exceptions map[string][]string // "HIPAA\x00id" -> catalog ids
}

// Target is one catalog requirement a Prowler id maps to.
type Target struct {
	Framework string // catalog framework id: hipaa or soc2
	ID        string
}

// NewMapper loads the exceptions table and checks every target exists in
// cat.
func NewMapper(cat *catalog.Catalog) (*Mapper, error) {
	var doc struct {
		Exceptions []struct {
			Framework string   `yaml:"framework"`
			ID        string   `yaml:"id"`
			To        []string `yaml:"to"`
		} `yaml:"exceptions"`
	}
	if err := yaml.UnmarshalWithOptions(exceptionsYAML, &doc, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("prowler exceptions.yaml: %w", err)
	}
	m := &Mapper{cat: cat, exceptions: map[string][]string{}}
	for i, e := range doc.Exceptions {
		fw := catalogFramework(e.Framework)
		if fw == "" {
			return nil, fmt.Errorf("prowler exceptions.yaml: exceptions[%d].framework: %q is not HIPAA or SOC2", i, e.Framework)
		}
		for _, to := range e.To {
			if cat.Framework(fw).Requirement(to) == nil {
				return nil, fmt.Errorf("prowler exceptions.yaml: exceptions[%d].to: %q is not a %s requirement in the catalog", i, to, fw)
			}
		}
		m.exceptions[e.Framework+"\x00"+e.ID] = e.To
	}
	return m, nil
}

// MustMapper is NewMapper over the default catalog; the embedded table is
// tested, so an error is a programming error.
func MustMapper() *Mapper {
	m, err := NewMapper(catalog.Default())
	if err != nil {
		panic(err)
	}
	return m
}

func catalogFramework(prowler string) string {
	switch Framework(prowler) {
	case "HIPAA":
		return catalog.HIPAA
	case "SOC2":
		return catalog.SOC2
	}
	return ""
}

// Map translates one Prowler requirement; ok is false when it names no
// requirement of the catalog (the caller reports it, never drops it).
func (m *Mapper) Map(r Requirement) (ts []Target, ok bool) {
	fw := catalogFramework(r.Framework)
	if fw == "" {
		return nil, false
	}
	if to, ok := m.exceptions[Framework(r.Framework)+"\x00"+r.ID]; ok {
		for _, id := range to {
			ts = append(ts, Target{fw, id})
		}
		return ts, true
	}
	f := m.cat.Framework(fw)
	var id string
	if fw == catalog.HIPAA {
		id = HIPAACitation(r.ID)
		if id != "" && f.Requirement(id) == nil && f.Requirement(id+"(i)") != nil {
			id += "(i)"
		}
	} else {
		id = SOC2Criterion(r.ID)
	}
	if id == "" || f.Requirement(id) == nil {
		return nil, false
	}
	return []Target{{fw, id}}, true
}

// Controls lists the catalog controls mapped to a requirement; for a
// standard mapped to no control directly, those of its specifications and
// those that serve the standard itself (catalog Control.Serves).
func (m *Mapper) Controls(t Target) []string {
	f := m.cat.Framework(t.Framework)
	r := f.Requirement(t.ID)
	if r == nil {
		return nil
	}
	out := slices.Clone(r.Controls)
	if len(out) == 0 {
		for _, c := range r.Children {
			if cr := f.Requirement(c); cr != nil {
				out = append(out, cr.Controls...)
			}
		}
		// and the controls that carry the standard's own duty
		out = append(out, r.ServedBy...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// HIPAACitation turns Prowler's 164_308_a_1_ii_a into 164.308(a)(1)(ii)(A),
// or "" when the id does not have that shape. It does not check the
// catalog.
func HIPAACitation(id string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(id)), "_")
	if len(parts) < 2 || parts[0] != "164" || len(parts[1]) != 3 || !digits(parts[1]) {
		return ""
	}
	var b strings.Builder
	b.WriteString("164." + parts[1])
	for level, p := range parts[2:] {
		var ok bool
		switch level % 4 {
		case 0: // (a)
			ok = len(p) == 1 && p[0] >= 'a' && p[0] <= 'z'
		case 1: // (1)
			ok = digits(p)
		case 2: // (ii)
			ok = roman(p)
		case 3: // (A)
			ok = len(p) == 1 && p[0] >= 'a' && p[0] <= 'z'
			p = strings.ToUpper(p)
		}
		if !ok {
			return ""
		}
		b.WriteString("(" + p + ")")
	}
	return b.String()
}

// SOC2Criterion turns Prowler's cc_6_1, cc_a_1_1, a_1_1 or pi_1_2 into
// CC6.1, A1.1, PI1.2, or "" when the id does not have that shape. A
// catalog-style id (CC6.1) is returned as is.
func SOC2Criterion(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	if strings.Contains(s, ".") && !strings.Contains(s, "_") {
		return strings.ToUpper(s)
	}
	parts := strings.Split(s, "_")
	if len(parts) == 4 && parts[0] == "cc" {
		parts = parts[1:] // cc_a_1_1: Prowler files every criterion under cc
	}
	if len(parts) != 3 || !digits(parts[1]) || !digits(parts[2]) {
		return ""
	}
	switch parts[0] {
	case "cc", "a", "c", "pi", "p":
	default:
		return ""
	}
	return strings.ToUpper(parts[0]) + parts[1] + "." + parts[2]
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func roman(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	return strings.Trim(s, "ivx") == ""
}
