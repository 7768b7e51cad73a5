package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"ward/internal/date"
	"ward/internal/onboard"
	"ward/internal/plan"
	"ward/internal/workspace"
)

// The onboarding form asks what `ward init` asks (package onboard): the
// organization, the four applicability questions, its HIPAA role, the
// officers, the SOC 2 target and the first systems. The first-run page
// (setup.go) uses it; so can any page that creates an organization (an
// MSP adding a client): render the "_onboarding" partial with an
// OnboardingForm inside a <form>, and read the answers back with
// parseOnboarding.

// onboardingRows is how many system rows the form offers; more systems
// are added afterwards from the inventory.
const onboardingRows = 4

// OnboardingForm is the data of the "_onboarding" partial.
type OnboardingForm struct {
	A         onboard.Answers
	Questions []OnboardingQuestion
	Q         onboardingQuestions
	Roles     []string
	SOC2Types []string
	Kinds     []string
	Rows      []onboard.System // A.Systems, padded with empty rows
	Errors    map[string]string
}

// OnboardingQuestion is one of the four applicability questions with its
// answer: "yes", "no" or "" (not answered yet).
type OnboardingQuestion struct {
	plan.Question
	Answer string
}

type onboardingQuestions struct {
	Name, ProgramStart, Role, PrivacyName, PrivacyEmail, SecurityName, SecurityEmail,
	SOC2Type, ObservationStart, ObservationMonths,
	SystemName, SystemKind, SystemVendor, SystemPHI, SystemLivePHI, SystemEncrypted onboard.Question
}

var theOnboardingQuestions = onboardingQuestions{
	onboard.QName, onboard.QProgramStart, onboard.QRole, onboard.QPrivacyName, onboard.QPrivacyEmail, onboard.QSecurityName, onboard.QSecurityEmail,
	onboard.QSOC2Type, onboard.QObservationStart, onboard.QObservationMonths,
	onboard.QSystemName, onboard.QSystemKind, onboard.QSystemVendor, onboard.QSystemPHI, onboard.QSystemLivePHI, onboard.QSystemEncrypted,
}

// newOnboardingForm is the form for answers a (empty for a new one);
// answered says which applicability questions have an answer.
func newOnboardingForm(a onboard.Answers, answered map[string]bool, errs map[string]string) OnboardingForm {
	f := OnboardingForm{
		A: a, Q: theOnboardingQuestions, Errors: errs,
		Roles: workspace.Roles, SOC2Types: workspace.SOC2Types, Kinds: workspace.SystemKinds,
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	values := answerMap(&f.A.Answers)
	for _, q := range plan.Questions() {
		oq := OnboardingQuestion{Question: q}
		if answered[q.ID] {
			oq.Answer = "no"
			if *values[q.ID] {
				oq.Answer = "yes"
			}
		}
		f.Questions = append(f.Questions, oq)
	}
	f.Rows = append(f.Rows, a.Systems...)
	for len(f.Rows) < max(onboardingRows, len(a.Systems)+1) {
		f.Rows = append(f.Rows, onboard.System{Kind: "service"})
	}
	return f
}

func answerMap(a *workspace.Answers) map[string]*bool {
	return map[string]*bool{
		"handles_phi":               &a.HandlesPHI,
		"sells_to_covered_entities": &a.SellsToCoveredEntities,
		"enterprise_health_systems": &a.EnterpriseHealthSystems,
		"buyers_ask_soc2":           &a.BuyersAskSOC2,
	}
}

// parseOnboarding reads the onboarding form. It returns the answers, which
// applicability questions were answered, and the errors by field: those
// of reading the form (a date that is not one) and onboard's Check.
func parseOnboarding(form url.Values, today date.Date) (onboard.Answers, map[string]bool, map[string]string) {
	errs := map[string]string{}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	readDate := func(field string, def date.Date) date.Date {
		s := get(field)
		if s == "" {
			return def
		}
		d, err := date.ParseInput(s)
		if err != nil {
			errs[field] = err.Error()
		}
		return d
	}
	a := onboard.Answers{
		Name:         get("name"),
		ProgramStart: readDate("program_start", today),
		Role:         get("role"),
		Privacy:      onboard.Officer{Name: get("privacy.name"), Email: get("privacy.email")},
		Security:     onboard.Officer{Name: get("security.name"), Email: get("security.email")},
		SOC2Type:     get("soc2_type"),
	}
	answered := map[string]bool{}
	values := answerMap(&a.Answers)
	for _, q := range plan.Questions() {
		switch get(q.ID) {
		case "yes":
			*values[q.ID], answered[q.ID] = true, true
		case "no":
			answered[q.ID] = true
		default:
			errs[q.ID] = "answer yes or no"
		}
	}
	if !a.Answers.HandlesPHI {
		a.Role = "" // no PHI, no HIPAA role; the form may still send one
	}
	if a.SOC2Type == "type2" {
		a.ObservationStart = readDate("observation_start", date.Date{})
		if s := get("observation_months"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs["observation_months"] = fmt.Sprintf("%q is not a whole number of months", s)
			}
			a.ObservationMonths = n
		} else {
			a.ObservationMonths = onboard.DefaultObservationMonths(a.Answers)
		}
	}
	// System rows: those with a name, in order (an empty row is skipped).
	for i := 0; i < 50; i++ {
		p := "systems." + strconv.Itoa(i) + "."
		if _, ok := form[p+"name"]; !ok {
			break
		}
		s := onboard.System{
			Name: get(p + "name"), Kind: get(p + "kind"), Vendor: get(p + "vendor"),
			PHI: form.Get(p+"phi") == "true", LivePHI: form.Get(p+"live_phi") == "true", EncryptedAtRest: form.Get(p+"encrypted_at_rest") == "true",
		}
		if s.Name == "" && s.Vendor == "" && !s.PHI && !s.LivePHI && !s.EncryptedAtRest {
			continue
		}
		a.Systems = append(a.Systems, s)
	}
	for field, msg := range a.Check().ByField() {
		if _, ok := errs[field]; !ok {
			errs[field] = msg
		}
	}
	return a, answered, errs
}
