package prowler

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"ward/internal/catalog"
)

//go:embed hints.yaml
var hintsYAML []byte

// Hint says which controls a Prowler check tests, read from words of its
// id (hints.yaml).
type Hint struct {
	Words    []string `yaml:"words" json:"words"`
	Controls []string `yaml:"controls" json:"controls"`
	// Reason is required when a control is not technical: why a
	// configuration check tests a control of people or documents.
	Reason string `yaml:"reason" json:"reason,omitempty"`
}

type hintTable struct {
	Technical     []string       `yaml:"technical"`
	Hints         []Hint         `yaml:"hints"`
	Disagreements []Disagreement `yaml:"disagreements"`
}

// Disagreement is a Prowler check that tests none of the controls ward
// maps to the requirements Prowler files it under (hints.yaml).
type Disagreement struct {
	Check  string `yaml:"check" json:"check"`
	Reason string `yaml:"reason" json:"reason"`
}

// Disagreements lists them.
func Disagreements() []Disagreement { return slices.Clone(table().Disagreements) }

// disagreement is why ward places the check on none of Prowler's
// requirements, or "".
func disagreement(check string) string {
	for _, d := range table().Disagreements {
		if d.Check == check {
			return d.Reason
		}
	}
	return ""
}

// table is hints.yaml, parsed on first use rather than when the program
// starts (every ward command paid for it, most without reading it).
var table = sync.OnceValue(func() hintTable {
	var doc hintTable
	if err := yaml.UnmarshalWithOptions(hintsYAML, &doc, yaml.Strict()); err != nil {
		panic("prowler hints.yaml: " + err.Error())
	}
	return doc
})

// checkTable checks the embedded table against a catalog: every control
// exists, and a hint naming a control that is not technical says why.
func checkTable(cat *catalog.Catalog) error {
	for _, c := range table().Technical {
		if cat.Control(c) == nil {
			return fmt.Errorf("prowler hints.yaml: technical: %q is not a catalog control", c)
		}
	}
	for i, h := range table().Hints {
		if len(h.Words) == 0 || len(h.Controls) == 0 {
			return fmt.Errorf("prowler hints.yaml: hints[%d]: words and controls are required", i)
		}
		for _, c := range h.Controls {
			if cat.Control(c) == nil {
				return fmt.Errorf("prowler hints.yaml: hints[%d]: %q is not a catalog control", i, c)
			}
			if !Technical(c) && h.Reason == "" {
				return fmt.Errorf("prowler hints.yaml: hints[%d] (%s): %q is not a technical control: give the reason a configuration check tests it", i, h.Words[0], c)
			}
		}
	}
	for i, d := range table().Disagreements {
		if d.Check == "" || d.Reason == "" {
			return fmt.Errorf("prowler hints.yaml: disagreements[%d]: check and reason are required", i)
		}
	}
	return nil
}

// Technical reports whether a cloud configuration check can test the
// control by itself (hints.yaml, technical): a check's findings land only
// on those, unless a hint names another control with a reason.
func Technical(control string) bool { return slices.Contains(table().Technical, control) }

// CheckHints lists the hints whose words the check id contains, in the
// table's order.
func CheckHints(check string) []Hint {
	parts := strings.Split(strings.ToLower(check), "_")
	var out []Hint
	for _, h := range table().Hints {
		for _, w := range h.Words {
			if containsRun(parts, strings.Split(w, "_")) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// containsRun reports whether run appears in parts as consecutive items.
func containsRun(parts, run []string) bool {
	for i := 0; i+len(run) <= len(parts); i++ {
		if slices.Equal(parts[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// matchedWord is the first word of h the check id contains.
func matchedWord(h Hint, check string) string {
	parts := strings.Split(strings.ToLower(check), "_")
	for _, w := range h.Words {
		if containsRun(parts, strings.Split(w, "_")) {
			return w
		}
	}
	return ""
}
