package backup

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Restore loads tables in orderTables' order with foreign keys enforced,
// so a table must come after every table it references. The migrations
// of both engines say which tables reference which.
func TestRestoreOrderPutsReferencedTablesFirst(t *testing.T) {
	create := regexp.MustCompile(`(?is)CREATE TABLE (?:IF NOT EXISTS )?(\w+)\s*\((.*?)\n\);`)
	ref := regexp.MustCompile(`(?i)REFERENCES\s+(\w+)`)
	for _, engine := range []string{"sqlite", "postgres"} {
		files, err := filepath.Glob(filepath.Join("..", engine, "migrations", "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s migrations: %v", engine, err)
		}
		refs := map[string][]string{}
		var names []string
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range create.FindAllStringSubmatch(string(raw), -1) {
				table := strings.ToLower(m[1])
				names = append(names, table)
				for _, r := range ref.FindAllStringSubmatch(m[2], -1) {
					if p := strings.ToLower(r[1]); p != table && !slices.Contains(refs[table], p) {
						refs[table] = append(refs[table], p)
					}
				}
			}
		}
		if len(refs) == 0 {
			t.Fatalf("%s: found no foreign keys in the migrations; is the pattern still right?", engine)
		}
		order := orderTables(slices.Clone(names))
		for table, parents := range refs {
			for _, p := range parents {
				if slices.Index(order, p) > slices.Index(order, table) {
					t.Errorf("%s: restore loads %s before %s, which it references: add %s to tableOrder (backup/backup.go) before %s", engine, table, p, p, table)
				}
			}
		}
	}
}
