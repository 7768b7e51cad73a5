// Package onboard is the short first-run onboarding of a new organization:
// the few answers a company gives before ward can plan its program (the
// four applicability questions, its HIPAA role, its two officers, its SOC 2
// target and its first systems), checked, and turned into a workspace.
//
// The same answers are asked on a terminal (`ward init`), on the web app's
// first-run page, and when a managed-service provider adds a client
// organization, so all three build the same workspace. It depends on the
// workspace model only: no storage, no HTTP, no clock (the caller gives
// the program's start date).
package onboard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
	"ward/internal/workspace"
)

// Officer is a person the organization names as an officer.
type Officer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// System is one of the first systems: what it is, who runs it, and where
// it stands with PHI.
type System struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Vendor          string `json:"vendor"` // the vendor's name; empty: run in-house
	PHI             bool   `json:"phi"`
	LivePHI         bool   `json:"live_phi"`
	EncryptedAtRest bool   `json:"encrypted_at_rest"`
}

// Answers are everything the onboarding asks.
type Answers struct {
	Name         string            `json:"name"`
	ProgramStart date.Date         `json:"program_start"`
	Answers      workspace.Answers `json:"answers"`
	// Role is the organization's role under HIPAA: covered-entity,
	// business-associate or subcontractor; empty when it handles no PHI.
	Role     string  `json:"role"`
	Privacy  Officer `json:"privacy"`
	Security Officer `json:"security"`
	// SOC2Type is none, type1 or type2; a Type II target has an
	// observation window (its start may be left to the plan).
	SOC2Type          string    `json:"soc2_type"`
	ObservationStart  date.Date `json:"observation_start"`
	ObservationMonths int       `json:"observation_months"`
	Systems           []System  `json:"systems"`
}

// Question is one thing the onboarding asks, in a person's words: the
// terminal and the web form show the same text.
type Question struct {
	Field string `json:"field"` // the Answers field, as Errors name it
	Text  string `json:"text"`
	Help  string `json:"help,omitempty"`
}

// Questions the onboarding asks besides the plan's four applicability
// questions (plan.Questions), in the order asked.
var (
	QName         = Question{"name", "What is the organization's name?", "As documents will print it, such as Acme Health."}
	QProgramStart = Question{"program_start", "When does the compliance program start?", "Week 1 of the roadmap. Today is a good answer."}
	QRole         = Question{"role", "What is the organization under HIPAA?",
		"covered-entity: a health care provider, health plan or clearinghouse. business-associate: you handle PHI for covered entities (most health-tech companies). subcontractor: you handle PHI for a business associate. (45 CFR 160.103)"}
	QPrivacyName   = Question{"privacy.name", "Who is the Privacy Officer? (name)", "The person responsible for the privacy policies (45 CFR 164.530(a)); one person may hold both officer roles."}
	QPrivacyEmail  = Question{"privacy.email", "The Privacy Officer's e-mail address", ""}
	QSecurityName  = Question{"security.name", "Who is the Security Officer? (name)", "The one official responsible for the security policies (45 CFR 164.308(a)(2))."}
	QSecurityEmail = Question{"security.email", "The Security Officer's e-mail address", ""}
	QSOC2Type      = Question{"soc2_type", "Which SOC 2 report do you aim for?",
		"none; type1 (controls designed, at one date); type2 (controls operating over an observation period, what most buyers ask for)."}
	QObservationStart  = Question{"observation_start", "When does the Type II observation period start?", "Leave it empty and the plan proposes one (month 4 of the program)."}
	QObservationMonths = Question{"observation_months", "How many months does it last?", "3 is typical for a first report; health systems increasingly ask for 6."}
	QSystemName        = Question{"name", "System name", "A service, database, SaaS tool, laptop fleet or network that holds or carries PHI, such as Patient API."}
	QSystemKind        = Question{"kind", "What kind of system is it?", strings.Join(workspace.SystemKinds, ", ")}
	QSystemVendor      = Question{"vendor", "Which vendor runs it?", "Such as AWS or Twilio; leave it empty when you run it yourselves. A vendor that PHI reaches needs a BAA."}
	QSystemPHI         = Question{"phi", "Does it store or process PHI (test or real)?", ""}
	QSystemLivePHI     = Question{"live_phi", "Does it hold real patients' PHI today (not test data)?", ""}
	QSystemEncrypted   = Question{"encrypted_at_rest", "Is the data encrypted at rest?", ""}
)

// DefaultRole is the HIPAA role the answers suggest: none without PHI, a
// business associate when selling to covered entities, else a covered
// entity (a practice or plan handling its own PHI).
func DefaultRole(a workspace.Answers) string {
	switch {
	case !a.HandlesPHI:
		return ""
	case a.SellsToCoveredEntities:
		return workspace.RoleBusinessAssociate
	}
	return workspace.RoleCoveredEntity
}

// DefaultSOC2 is the SOC 2 target the answers suggest: Type II when buyers
// ask for a report, none otherwise.
func DefaultSOC2(a workspace.Answers) string {
	if a.BuyersAskSOC2 {
		return "type2"
	}
	return "none"
}

// DefaultObservationMonths is 6 when enterprise health systems are
// buyers (they increasingly ask for it), else 3, typical for a first
// report.
func DefaultObservationMonths(a workspace.Answers) int {
	if a.EnterpriseHealthSystems {
		return 6
	}
	return 3
}

// Errors are problems with the answers, by field ("name",
// "privacy.email", "systems[1].kind"), in the order found.
type Errors []FieldError

type FieldError struct {
	Field string `json:"field"`
	Msg   string `json:"message"`
}

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s", e.Field, e.Msg)
	}
	return b.String()
}

// ByField is the first error of each field, for showing beside a form's
// inputs.
func (es Errors) ByField() map[string]string {
	m := map[string]string{}
	for _, e := range es {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Msg
		}
	}
	return m
}

// Check reports every problem with the answers.
func (a Answers) Check() Errors {
	var es Errors
	bad := func(field, format string, args ...any) {
		es = append(es, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(a.Name) == "" {
		bad("name", "is missing: the organization's name")
	} else if err := bounds.Line(a.Name, bounds.MaxName); err != nil {
		bad("name", "%v", err)
	} else if workspace.Slug(a.Name) == "" {
		bad("name", "%q has no letters or digits to name the organization by", a.Name)
	}
	if a.ProgramStart.IsZero() {
		bad("program_start", "is missing: the date the program starts (YYYY-MM-DD)")
	}
	switch {
	case a.Role == "" && a.Answers.HandlesPHI:
		bad("role", "is missing: an organization that handles PHI is a covered entity, a business associate or a subcontractor")
	case a.Role != "" && !slices.Contains(workspace.Roles, a.Role):
		bad("role", "%q is not one of %s", a.Role, strings.Join(workspace.Roles, ", "))
	}
	officer := func(prefix, title string, o Officer) {
		if err := bounds.Line(o.Name, bounds.MaxName); err != nil {
			bad(prefix+".name", "%v", err)
		}
		switch email := strings.TrimSpace(o.Email); {
		case email == "":
			bad(prefix+".email", "is missing: the %s's e-mail address", title)
		case bounds.Email(email) != nil:
			bad(prefix+".email", "%v", bounds.Email(email))
		}
	}
	officer("privacy", "Privacy Officer", a.Privacy)
	officer("security", "Security Officer", a.Security)
	if same(a.Privacy.Email, a.Security.Email) && a.Privacy.Name != "" && a.Security.Name != "" && a.Privacy.Name != a.Security.Name {
		bad("security.name", "%s is already the Privacy Officer's address, under the name %s: one person may hold both roles, under one name", a.Security.Email, a.Privacy.Name)
	}
	if !slices.Contains(workspace.SOC2Types, a.SOC2Type) {
		bad("soc2_type", "%q is not one of %s", a.SOC2Type, strings.Join(workspace.SOC2Types, ", "))
	}
	if a.SOC2Type == "type2" && (a.ObservationMonths < bounds.MinObservationMonths || a.ObservationMonths > bounds.MaxObservationMonths) {
		bad("observation_months", "%d is not a number of months from %d to %d", a.ObservationMonths, bounds.MinObservationMonths, bounds.MaxObservationMonths)
	}
	if a.SOC2Type == "type2" && !a.ObservationStart.IsZero() && !a.ProgramStart.IsZero() && a.ObservationStart.Before(a.ProgramStart) {
		bad("observation_start", "%s is before the program starts (%s)", a.ObservationStart, a.ProgramStart)
	}
	seen := map[string]int{}
	for i, s := range a.Systems {
		f := "systems[" + strconv.Itoa(i) + "]."
		id := workspace.Slug(s.Name)
		switch {
		case strings.TrimSpace(s.Name) == "":
			bad(f+"name", "is missing: the system's name")
		case bounds.Line(s.Name, bounds.MaxName) != nil:
			bad(f+"name", "%v", bounds.Line(s.Name, bounds.MaxName))
		case id == "":
			bad(f+"name", "%q has no letters or digits to name the system by", s.Name)
		default:
			if j, dup := seen[id]; dup {
				bad(f+"name", "%q is the same system as number %d (%s): give each system its own name", s.Name, j+1, a.Systems[j].Name)
			}
			seen[id] = i
		}
		if !slices.Contains(workspace.SystemKinds, s.Kind) {
			bad(f+"kind", "%q is not one of %s", s.Kind, strings.Join(workspace.SystemKinds, ", "))
		}
		if err := bounds.Line(s.Vendor, bounds.MaxName); err != nil {
			bad(f+"vendor", "%v", err)
		} else if s.Vendor != "" && workspace.Slug(s.Vendor) == "" {
			bad(f+"vendor", "%q has no letters or digits to name the vendor by", s.Vendor)
		}
		if s.LivePHI && !s.PHI {
			bad(f+"live_phi", "a system with real PHI today holds PHI: answer yes to both")
		}
	}
	return es
}

func same(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Workspace builds the organization's first workspace from checked
// answers: the organization with its answers, role, officers and SOC 2
// target; the officers under people; the systems (owned by the Security
// Officer) and the vendors behind them.
func (a Answers) Workspace() *workspace.Workspace {
	ws := &workspace.Workspace{}
	o := &ws.Organization
	o.Name = strings.TrimSpace(a.Name)
	o.Slug = workspace.Slug(o.Name)
	o.ProgramStart = a.ProgramStart
	o.Answers = a.Answers
	if a.Role != "" {
		o.Roles = []string{a.Role}
	}
	privacy, security := strings.ToLower(strings.TrimSpace(a.Privacy.Email)), strings.ToLower(strings.TrimSpace(a.Security.Email))
	o.Officers = workspace.Officers{Privacy: privacy, Security: security}
	o.SOC2.Type = a.SOC2Type
	if a.SOC2Type == "type2" {
		o.SOC2.ObservationStart = a.ObservationStart
		o.SOC2.ObservationMonths = a.ObservationMonths
	}
	if privacy == security {
		ws.People = append(ws.People, workspace.Person{Email: privacy, Name: name(a.Privacy, a.Security), Role: "Privacy and Security Officer"})
	} else {
		ws.People = append(ws.People,
			workspace.Person{Email: privacy, Name: strings.TrimSpace(a.Privacy.Name), Role: "Privacy Officer"},
			workspace.Person{Email: security, Name: strings.TrimSpace(a.Security.Name), Role: "Security Officer"})
	}
	vendors := map[string]bool{}
	for _, s := range a.Systems {
		sys := workspace.System{
			ID: workspace.Slug(s.Name), Name: strings.TrimSpace(s.Name), Kind: s.Kind,
			PHI: s.PHI, LivePHI: s.LivePHI, EncryptedAtRest: s.EncryptedAtRest, Owner: security,
		}
		if v := strings.TrimSpace(s.Vendor); v != "" {
			sys.Vendor = workspace.Slug(v)
			if !vendors[sys.Vendor] {
				vendors[sys.Vendor] = true
				ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: sys.Vendor, Name: v})
			}
		}
		ws.Systems = append(ws.Systems, sys)
	}
	return ws
}

func name(a, b Officer) string {
	if n := strings.TrimSpace(a.Name); n != "" {
		return n
	}
	return strings.TrimSpace(b.Name)
}
