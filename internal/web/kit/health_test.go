package kit_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store/storetest"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestHealthReady: /healthz and /readyz answer without a login, on both
// engines; /readyz turns 503 (naming the migration) when the database
// lacks one this binary carries, and 503 when the database is gone,
// while /healthz still answers 200: the process is up.
func TestHealthReady(t *testing.T) {
	t.Parallel()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := webtest.NewEnvAt(t, kit.Config{}, eng.URL(t))
			status := func(path string) (int, kit.HealthBody) {
				t.Helper()
				r := e.Get(e.Client(), path)
				var b kit.HealthBody
				if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
					t.Fatalf("%s: %v in %q", path, err, r.Body)
				}
				if got := r.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s: Cache-Control %q, want no-store (a proxy must not cache a probe)", path, got)
				}
				return r.StatusCode, b
			}
			if code, b := status("/healthz"); code != 200 || b.Status != "ok" {
				t.Errorf("/healthz = %d %+v, want 200 ok", code, b)
			}
			if code, b := status("/readyz"); code != 200 || b.Status != "ready" {
				t.Errorf("/readyz on a migrated database = %d %+v, want 200 ready", code, b)
			}
			req, _ := http.NewRequest("HEAD", e.HTTP.URL+"/readyz", nil)
			if r := e.Send(e.Client(), req); r.StatusCode != 200 {
				t.Errorf("HEAD /readyz = %d, want 200", r.StatusCode)
			}

			// A database one migration behind this binary.
			var last string
			if _, err := e.Store.RawExec(t.Context(), "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
				t.Fatal(err)
			}
			code, b := status("/readyz")
			if code != http.StatusServiceUnavailable || !regexp.MustCompile(`migrations not applied: \d{3}_\w+`).MatchString(b.Error) {
				t.Errorf("/readyz missing a migration = %d %+v, want 503 naming it", code, b)
			}
			last = b.Error
			if code, _ := status("/healthz"); code != 200 {
				t.Errorf("/healthz with a migration missing = %d, want 200 (the process is up)", code)
			}

			// The database is gone.
			e.Store.Close()
			code, b = status("/readyz")
			if code != http.StatusServiceUnavailable || b.Error == last || !strings.Contains(b.Error, "database does not answer") {
				t.Errorf("/readyz with the database closed = %d %+v, want 503 database does not answer", code, b)
			}
			if code, _ := status("/healthz"); code != 200 {
				t.Errorf("/healthz with the database closed = %d, want 200", code)
			}
		})
	}
}
