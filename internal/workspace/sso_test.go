package workspace

import (
	"reflect"
	"strings"
	"testing"
)

// TestSSOErrors: organization.sso is checked like every section, each
// error naming file, line and field.
func TestSSOErrors(t *testing.T) {
	files := map[string]string{"ws.yaml": `organization:
  name: Harbor
  sso:
    groups:
      ward-admins: admin
      eng: owner
    domains:
      harbor.example: viewer
      "not a domain": editor
    break_glass: [ops@harbor.example, nobody, OPS@harbor.example]
    local_passwords: false
`}
	_, err := loadIn(t, files, "ws.yaml", Options{})
	got := strings.Join(errorLines(t, err), "\n")
	for _, want := range []string{
		`ws.yaml:6: organization.sso.groups.eng: "owner" is not one of member, viewer, auditor, editor, admin`,
		`ws.yaml:9: organization.sso.domains.not a domain: "not a domain" is not an e-mail domain`,
		`ws.yaml:10: organization.sso.break_glass[1]: "nobody" is not an e-mail address`,
		`ws.yaml:10: organization.sso.break_glass[2]: "OPS@harbor.example" is already sso.break_glass[0]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing error %q in:\n%s", want, got)
		}
	}

	// An unknown key is refused like anywhere else.
	_, err = loadIn(t, map[string]string{"ws.yaml": "organization:\n  name: Harbor\n  sso:\n    group: {eng: editor}\n"}, "ws.yaml", Options{})
	if got := strings.Join(errorLines(t, err), "\n"); !strings.Contains(got, "ws.yaml:4") || !strings.Contains(got, "group") {
		t.Errorf("unknown key sso.group: got %q", got)
	}

	// require_mfa is true or false.
	_, err = loadIn(t, map[string]string{"ws.yaml": "organization:\n  name: Harbor\n  sso:\n    groups: {eng: editor}\n    require_mfa: sometimes\n"}, "ws.yaml", Options{})
	if got := strings.Join(errorLines(t, err), "\n"); !strings.Contains(got, "ws.yaml:5") || !strings.Contains(got, "require_mfa") {
		t.Errorf("require_mfa: sometimes: got %q", got)
	}

	// Passwords off with nothing mapped would lock everyone out.
	_, err = loadIn(t, map[string]string{"ws.yaml": "organization:\n  name: Harbor\n  sso:\n    local_passwords: false\n"}, "ws.yaml", Options{})
	if got := strings.Join(errorLines(t, err), "\n"); !strings.Contains(got, "ws.yaml:4: organization.sso.local_passwords: is false, but sso maps no group and no domain") {
		t.Errorf("passwords off with no mapping: got %q", got)
	}
}

// TestSSORoundTrip: what apply reads, export writes back the same.
func TestSSORoundTrip(t *testing.T) {
	files := map[string]string{"ws.yaml": `organization:
  name: Harbor
  sso:
    groups: {ward-admins: admin, eng: editor}
    domains: {harbor.example: viewer}
    local_passwords: false
    break_glass: [ops@harbor.example]
    require_mfa: true
`}
	first, err := loadIn(t, files, "ws.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := Write(out, first.Workspace, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	second, err := Load(out, Options{})
	if err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	if !reflect.DeepEqual(first.Workspace.Organization.SSO, second.Workspace.Organization.SSO) {
		t.Errorf("sso differs after the round trip:\n%+v\n%+v", first.Workspace.Organization.SSO, second.Workspace.Organization.SSO)
	}
	if s := second.Workspace.Organization.SSO; !s.LocalPasswordsOff() || !s.IsBreakGlass("OPS@Harbor.example") || s.IsBreakGlass("dev@harbor.example") {
		t.Errorf("local passwords / break glass not carried: %+v", s)
	}
	if !second.Workspace.Organization.SSO.RequireMFA {
		t.Errorf("require_mfa not carried")
	}
}

func TestSSORoleFor(t *testing.T) {
	s := &SSO{
		Groups:  map[string]string{"ward-admins": "admin", "eng": "editor", "audit": "auditor"},
		Domains: map[string]string{"harbor.example": "viewer"},
	}
	for _, c := range []struct {
		groups []string
		email  string
		want   string
		n      int
	}{
		{nil, "a@harbor.example", "viewer", 1},
		{nil, "a@HARBOR.example", "viewer", 1},
		{[]string{"eng"}, "a@harbor.example", "editor", 2},
		{[]string{"eng", "ward-admins", "eng"}, "a@other.example", "admin", 2},
		{[]string{"Eng"}, "a@other.example", "", 0}, // group names are exact
		{[]string{"sales"}, "a@sub.harbor.example", "", 0},
		{[]string{"audit"}, "", "auditor", 1},
	} {
		got, matches := s.RoleFor(c.groups, c.email)
		if got != c.want || len(matches) != c.n {
			t.Errorf("RoleFor(%v, %q) = %q, %v; want %q with %d matches", c.groups, c.email, got, matches, c.want, c.n)
		}
	}
	var none *SSO
	if got, _ := none.RoleFor([]string{"eng"}, "a@harbor.example"); got != "" || none.LocalPasswordsOff() || none.IsBreakGlass("a@harbor.example") {
		t.Errorf("no sso section must map nothing and leave passwords on")
	}
}
