package cli_test

import (
	"strings"
	"testing"

	"ward/internal/store/storetest"
)

// A PostgreSQL URL may carry its password in the user part or, as pgx
// and libpq also read it, in the query (password=, sslpassword= for the
// client key). docs/cli.md: "A password in a URL is never printed": not in
// ward's errors, which a CI log keeps.
func TestDatabasePasswordIsNeverPrinted(t *testing.T) {
	const secret = "Hunter2-in-the-ci-log"
	check := func(t *testing.T, db string, wantCode int, wantMsg string) {
		t.Helper()
		code, out, errs := wardAt(t, db, "", "check")
		if code != wantCode || !strings.Contains(errs, wantMsg) {
			t.Fatalf("ward --db %s check: exit %d, want %d saying %q\n%s%s", db, code, wantCode, wantMsg, out, errs)
		}
		if strings.Contains(out+errs, secret) {
			t.Errorf("the password is printed:\n%s%s", out, errs)
		}
	}
	// Nothing listens on port 1: the open fails and names the database.
	for _, db := range []string{
		"postgres://ward:" + secret + "@127.0.0.1:1/ward",
		"postgres://ward@127.0.0.1:1/ward?sslmode=disable&password=" + secret,
		"postgres://127.0.0.1:1/ward?user=ward&PASSWORD=" + secret + "&connect_timeout=5",
		"postgres://ward@127.0.0.1:1/ward?sslpassword=" + secret,
	} {
		t.Run("unreachable "+strings.SplitN(db, "?", 2)[0], func(t *testing.T) {
			check(t, db, 1, "open postgres://")
		})
	}
	// A keyword/value connection string (libpq's other form, which ward
	// does not take) is refused naming what was given, its password
	// hidden, quoted or not.
	for _, db := range []string{
		"host=127.0.0.1 port=1 user=ward password=" + secret + " dbname=ward",
		"host=127.0.0.1 user=ward password = '" + secret + " and more' dbname=ward",
		"host=127.0.0.1 user=ward sslpassword=" + secret,
	} {
		t.Run("keyword/value", func(t *testing.T) {
			check(t, db, 1, "use sqlite:PATH or a postgres:// URL")
		})
	}
	// A database that opens and holds no organization names itself too.
	t.Run("empty database", func(t *testing.T) {
		db := storetest.FreshPostgres(t)
		sep := "?"
		if strings.Contains(db, "?") {
			sep = "&"
		}
		check(t, db+sep+"password="+secret, 2, "holds no organization yet")
	})
}
