package catalog

import (
	"os"
	"strings"
	"testing"
)

// The workspace reference lists the BAA checklist's clause ids, the values
// agreements' clauses and clause_review[].clause accept, and the framework
// ids an own control's mappings are keyed by.
func TestWorkspaceReferenceListsTheChecklistAndFrameworks(t *testing.T) {
	raw, err := os.ReadFile("../../docs/workspace.md")
	if err != nil {
		t.Fatal(err)
	}
	row := func(field string) string {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "| `"+field+"` |") {
				return line
			}
		}
		t.Fatalf("docs/workspace.md has no row for %s", field)
		return ""
	}
	c := Default()
	clauses := row("clauses")
	for _, cl := range c.BAA.Clauses {
		if !strings.Contains(clauses, "`"+cl.ID+"`") {
			t.Errorf("docs/workspace.md: the row for agreements' clauses does not list the checklist clause `%s` (%s, %s): add it", cl.ID, cl.Citation, cl.Title)
		}
	}
	mappings := row("mappings")
	for _, f := range c.Frameworks {
		if !strings.Contains(mappings, "`"+f.ID+"`") {
			t.Errorf("docs/workspace.md: the row for controls' mappings does not list the framework id `%s` (%s): add it", f.ID, f.Name)
		}
	}
}
