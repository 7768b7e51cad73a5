package prowler

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

//go:embed hints.yaml
var hintsYAML []byte

type hint struct {
	Words    []string `yaml:"words"`
	Controls []string `yaml:"controls"`
}

var hints = func() []hint {
	var doc struct {
		Hints []hint `yaml:"hints"`
	}
	if err := yaml.UnmarshalWithOptions(hintsYAML, &doc, yaml.Strict()); err != nil {
		panic("prowler hints.yaml: " + err.Error())
	}
	return doc.Hints
}()

// CheckHints is the controls a Prowler check's id says it tests
// (hints.yaml), in the table's order without repeats; none when no word
// of the id matches.
func CheckHints(check string) []string {
	parts := strings.Split(strings.ToLower(check), "_")
	var out []string
	for _, h := range hints {
		for _, w := range h.Words {
			if containsRun(parts, strings.Split(w, "_")) {
				for _, c := range h.Controls {
					if !slices.Contains(out, c) {
						out = append(out, c)
					}
				}
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
