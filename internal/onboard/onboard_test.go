package onboard

import (
	"reflect"
	"strings"
	"testing"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/workspace"
)

func clinicBA() Answers {
	return Answers{
		Name:         "Brightline Health",
		ProgramStart: date.MustParse("2027-01-04"),
		Answers:      workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true},
		Role:         workspace.RoleBusinessAssociate,
		Privacy:      Officer{Name: "Ana Ruiz", Email: "ana@brightline.example"},
		Security:     Officer{Name: "Ben Cho", Email: "Ben@Brightline.example"},
		SOC2Type:     "type2", ObservationMonths: 3,
		Systems: []System{
			{Name: "Patient API", Kind: "service", Vendor: "AWS", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{Name: "Patient DB", Kind: "datastore", Vendor: "AWS", PHI: true, EncryptedAtRest: true},
			{Name: "Reminders", Kind: "saas", Vendor: "Twilio", PHI: true},
			{Name: "Laptops", Kind: "endpoint"},
		},
	}
}

func TestWorkspaceFromAnswersIsValidAndComplete(t *testing.T) {
	a := clinicBA()
	if es := a.Check(); len(es) > 0 {
		t.Fatalf("Check: %v", es)
	}
	ws := a.Workspace()
	if es := workspace.Validate(ws, check.WorkspaceOptions()); len(es) > 0 {
		t.Fatalf("the workspace the onboarding builds does not validate as ward apply would:\n%v", es)
	}
	o := ws.Organization
	if o.Slug != "brightline-health" || !reflect.DeepEqual(o.Roles, []string{"business-associate"}) || o.ProgramStart.String() != "2027-01-04" {
		t.Errorf("organization: %+v", o)
	}
	if o.Officers.Privacy != "ana@brightline.example" || o.Officers.Security != "ben@brightline.example" {
		t.Errorf("officers are the people's addresses, lower-cased: %+v", o.Officers)
	}
	if len(ws.People) != 2 || ws.Person("ben@brightline.example") == nil {
		t.Errorf("people: %+v", ws.People)
	}
	if o.SOC2.Type != "type2" || o.SOC2.ObservationMonths != 3 {
		t.Errorf("soc2: %+v", o.SOC2)
	}
	var ids []string
	for _, s := range ws.Systems {
		ids = append(ids, s.ID+"@"+s.Vendor)
		if s.Owner != "ben@brightline.example" {
			t.Errorf("%s is owned by %q, want the Security Officer", s.ID, s.Owner)
		}
	}
	if got := strings.Join(ids, " "); got != "patient-api@aws patient-db@aws reminders@twilio laptops@" {
		t.Errorf("systems: %s", got)
	}
	if len(ws.Vendors) != 2 || ws.Vendor("aws").Name != "AWS" || ws.Vendor("twilio") == nil {
		t.Errorf("vendors, one per name: %+v", ws.Vendors)
	}
	// The gate runs over it: a fresh program has work to do, and says so
	// (no BAA with AWS yet, no risk analysis).
	var rules []string
	for _, f := range check.Run(ws, date.MustParse("2027-01-04")) {
		rules = append(rules, f.Rule)
	}
	for _, want := range []string{"baa.downstream.missing", "risk-analysis.missing", "storage.unencrypted"} {
		if !strings.Contains(strings.Join(rules, " "), want) {
			t.Errorf("ward check on the new workspace: want %s among %v", want, rules)
		}
	}
}

func TestOneOfficerForBoth(t *testing.T) {
	a := clinicBA()
	a.Security = Officer{Name: "Ana Ruiz", Email: "ANA@brightline.example"}
	ws := a.Workspace()
	if len(ws.People) != 1 || ws.People[0].Role != "Privacy and Security Officer" {
		t.Errorf("one person may hold both roles (164.308(a)(2), 164.530(a)): %+v", ws.People)
	}
	if es := workspace.Validate(ws, check.WorkspaceOptions()); len(es) > 0 {
		t.Error(es)
	}
}

func TestCheckNamesTheField(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(a *Answers)
		field string
	}{
		{"no name", func(a *Answers) { a.Name = " " }, "name"},
		{"name without letters", func(a *Answers) { a.Name = "!!!" }, "name"},
		{"no start", func(a *Answers) { a.ProgramStart = date.Date{} }, "program_start"},
		{"PHI without a role", func(a *Answers) { a.Role = "" }, "role"},
		{"unknown role", func(a *Answers) { a.Role = "vendor" }, "role"},
		{"no privacy e-mail", func(a *Answers) { a.Privacy.Email = "" }, "privacy.email"},
		{"bad security e-mail", func(a *Answers) { a.Security.Email = "ben at brightline" }, "security.email"},
		{"one address, two names", func(a *Answers) { a.Security.Email = a.Privacy.Email }, "security.name"},
		{"unknown SOC 2 type", func(a *Answers) { a.SOC2Type = "type3" }, "soc2_type"},
		{"Type II without months", func(a *Answers) { a.ObservationMonths = 0 }, "observation_months"},
		{"window before the program", func(a *Answers) { a.ObservationStart = date.MustParse("2026-12-01") }, "observation_start"},
		{"system without a name", func(a *Answers) { a.Systems[1].Name = "" }, "systems[1].name"},
		{"two systems, one name", func(a *Answers) { a.Systems[2].Name = "patient api" }, "systems[2].name"},
		{"unknown kind", func(a *Answers) { a.Systems[0].Kind = "server" }, "systems[0].kind"},
		{"live PHI but no PHI", func(a *Answers) { a.Systems[3].LivePHI = true }, "systems[3].live_phi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := clinicBA()
			c.edit(&a)
			es := a.Check()
			if _, ok := es.ByField()[c.field]; !ok || len(es) != 1 {
				t.Errorf("want one error on %s, got %v", c.field, es)
			}
		})
	}
	// Without PHI there is no HIPAA role to give.
	a := clinicBA()
	a.Answers, a.Role = workspace.Answers{BuyersAskSOC2: true}, ""
	if es := a.Check(); len(es) > 0 {
		t.Errorf("no PHI, no role: %v", es)
	}
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		a           workspace.Answers
		role, soc2  string
		observation int
	}{
		{workspace.Answers{}, "", "none", 3},
		{workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, BuyersAskSOC2: true}, "business-associate", "type2", 3},
		{workspace.Answers{HandlesPHI: true}, "covered-entity", "none", 3},
		{workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, EnterpriseHealthSystems: true, BuyersAskSOC2: true}, "business-associate", "type2", 6},
	}
	for _, c := range cases {
		if r, s, m := DefaultRole(c.a), DefaultSOC2(c.a), DefaultObservationMonths(c.a); r != c.role || s != c.soc2 || m != c.observation {
			t.Errorf("%+v: %q %q %d, want %q %q %d", c.a, r, s, m, c.role, c.soc2, c.observation)
		}
	}
}
