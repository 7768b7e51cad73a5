package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/store/storetest"
)

// ward apply opens a new database while it reads the files, but invalid
// files leave it as it was, on both engines: not even the schema is
// written. Valid files then apply into it.
func TestApplyInvalidFilesLeaveNewDatabaseEmpty(t *testing.T) {
	t.Setenv("WARD_ACTOR", "ops@tiny.example")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Setenv("WARD_BLOBS", t.TempDir())
			db := eng.URL(t)
			ws := t.TempDir()
			bad := "organization:\n  name: Tiny Clinic\n  roles: [covered-entity]\nflows:\n  - from: ehr\n    to: fax\n"
			os.WriteFile(filepath.Join(ws, "tiny.yaml"), []byte(bad), 0o644)
			code, out, errs := wardAt(t, db, "", "apply", "-f", ws)
			if code != cli.ExitBadInput || !strings.Contains(errs, "nothing was written") {
				t.Fatalf("apply of invalid files: exit %d\n%s%s", code, out, errs)
			}
			driver, dsn := "pgx", db
			if eng.Name == "sqlite" {
				driver, dsn = "sqlite", strings.TrimPrefix(db, "sqlite:")
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			var n int
			if err := raw.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err == nil {
				t.Errorf("invalid files left %d migrations recorded in the new database", n)
			}

			os.WriteFile(filepath.Join(ws, "tiny.yaml"), []byte("organization:\n  name: Tiny Clinic\n  roles: [covered-entity]\n"), 0o644)
			if out := mustWardAt(t, db, "", "apply", "-f", ws); !strings.Contains(out, "created") {
				t.Errorf("apply of valid files:\n%s", out)
			}
			if err := raw.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
				t.Errorf("after a valid apply: %d migrations recorded, %v", n, err)
			}
		})
	}
}
