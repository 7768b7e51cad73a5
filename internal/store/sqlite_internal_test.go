package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/store/postgres"
)

// The durability and safety settings are what the crash test and the
// concurrent-writer test depend on; check that every pooled connection
// has them, not just the first.
func TestSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var conns []interface{ Close() error }
	for i := range 3 {
		c, err := s.db.Conn(ctx) // distinct pooled connections
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "15000", "temp_store": "2", "page_size": "16384"} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if !strings.EqualFold(got, want) {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestRebindPostgres(t *testing.T) {
	s := &Store{eng: postgres.Engine{}}
	got := s.q("SELECT a FROM t WHERE x = ? AND y = '?' AND z = ?")
	if want := "SELECT a FROM t WHERE x = $1 AND y = '?' AND z = $2"; got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
}

func TestSplitSQL(t *testing.T) {
	got := splitSQL("-- comment\nCREATE TABLE a (x INT);\n\nCREATE INDEX i ON a(x);\n")
	if len(got) != 2 || !strings.HasPrefix(got[1], "CREATE INDEX") {
		t.Errorf("splitSQL = %q", got)
	}
}
