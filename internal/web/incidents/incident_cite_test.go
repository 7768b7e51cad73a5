package incidents_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// TestIncidentDeterminationCitesOnce: the determination line of an
// incident names its section of 164.402 once — the reason already ends
// with it for the demo's breach (164.402(2)); the citation is added only
// when the reason does not carry it.
func TestIncidentDeterminationCitesOnce(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	c, _ := e.Login(e.Users[store.RoleViewer])
	res := e.Get(c, "/orgs/alpha/incidents/inc-2026-001")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	m := regexp.MustCompile(`(?s)<p class="determination">(.*?)</p>`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no determination paragraph")
	}
	if n := strings.Count(m[1], "164.402(2)"); n != 1 {
		t.Errorf("determination names 164.402(2) %d times, want once: %s", n, m[1])
	}
}
