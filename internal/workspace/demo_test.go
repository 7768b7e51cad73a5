package workspace

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
)

// catalogIDs are the unified control ids the catalog defines that the
// demo uses (the catalog package is not imported here: this package must
// not depend on it).
var catalogIDs = []string{
	"access-review", "mfa", "encryption-at-rest", "encryption-in-transit", "audit-logging", "log-review",
	"backup", "restore-test", "incident-response-plan", "security-training", "vendor-review", "baa-management",
	"change-management", "vulnerability-scanning", "risk-analysis", "risk-management", "sanctions-policy",
	"contingency-plan", "media-disposal", "facility-access", "automatic-logoff", "unique-user-ids",
	"endpoint-protection", "mdm", "patch-management", "penetration-test", "security-officer", "privacy-officer",
	"asset-inventory", "data-flow-map", "information-security-policy", "policy-review", "policy-acknowledgment",
	"acceptable-use", "security-reminders", "background-checks", "offboarding", "role-based-training",
}

// The demo must load cleanly: `ward demo` applies it, and a demo that
// fails validation is no demo.
func loadDemo(t *testing.T) *Workspace {
	t.Helper()
	l, err := Load(demoDir, Options{KnownControl: catalogOf(catalogIDs...)})
	if err != nil {
		t.Fatalf("the demo workspace does not load:\n%v", err)
	}
	return l.Workspace
}

func TestDemoLoads(t *testing.T) {
	loadDemo(t)
}

// The demo exists to show ward's findings; these are the facts each
// deliberate gap rests on (the comments in the YAML files say which
// finding each demonstrates). If one is edited away, the demo stops
// demonstrating it.
func TestDemoDeliberateGaps(t *testing.T) {
	ws := loadDemo(t)
	d := date.MustParse
	asOf := d("2026-11-25") // the demo is written to be viewed in late November 2026

	agreement := func(id string) *Agreement {
		for i := range ws.Agreements {
			if ws.Agreements[i].ID == id {
				return &ws.Agreements[i]
			}
		}
		return nil
	}
	inForceBAA := func(counterparty string) bool {
		for _, a := range ws.AgreementsWith(counterparty) {
			if a.Kind == "baa" && a.InForce(asOf) {
				return true
			}
		}
		return false
	}
	covered := func(control, from, to string) bool {
		for _, e := range ws.Evidence {
			if slices.Contains(e.ControlIDs(), control) && e.Covers(d(from), d(to)) {
				return true
			}
		}
		return false
	}
	acked := func(person, policy string, version int) bool {
		return slices.ContainsFunc(ws.Acknowledgements, func(a Acknowledgement) bool {
			return a.Person == person && a.Policy == policy && a.Version == version
		})
	}
	trained := func(person, training string) bool {
		return slices.ContainsFunc(ws.TrainingRecords, func(r TrainingRecord) bool { return r.Person == person && r.Training == training })
	}
	flow := func(from, to string) *Flow {
		for i := range ws.Flows {
			if ws.Flows[i].From == from && ws.Flows[i].To == to {
				return &ws.Flows[i]
			}
		}
		return nil
	}
	risk := func(id string) *Risk {
		for i := range ws.Risks {
			if ws.Risks[i].ID == id {
				return &ws.Risks[i]
			}
		}
		return nil
	}

	checks := []struct {
		name string
		ok   bool
	}{
		{"a business associate with the program starting 2026-06-01",
			ws.Organization.HasRole(RoleBusinessAssociate) && ws.Organization.ProgramStart.Equal(d("2026-06-01"))},
		{"SOC 2 Type II, six months from 2026-10-01, availability and confidentiality",
			ws.Organization.SOC2.Type == "type2" && ws.Organization.SOC2.ObservationStart.Equal(d("2026-10-01")) &&
				ws.Organization.SOC2.ObservationMonths == 6 &&
				slices.Equal(ws.Organization.SOC2.Categories, []string{"availability", "confidentiality"})},
		{"9 people (seven named by the program, a new hire and a leaver), both officers among them",
			len(ws.People) == 9 && ws.Person(ws.Organization.Officers.Privacy) != nil && ws.Person(ws.Organization.Officers.Security) != nil},
		{"about 14 systems", len(ws.Systems) >= 12 && len(ws.Systems) <= 16},
		{"about 37 controls (30, and 7 the workforce records evidence)", len(ws.Controls) >= 35 && len(ws.Controls) <= 39},
		{"about 25 evidence items", len(ws.Evidence) >= 22 && len(ws.Evidence) <= 32},
		{"about 15 risks", len(ws.Risks) >= 12 && len(ws.Risks) <= 16},
		{"ra-2026 carries risks over from ra-2025 (the yearly review is a diff)", sharedRisks(ws, "ra-2025", "ra-2026") >= 2},

		{"BAAs executed with aws and twilio", inForceBAA("aws") && inForceBAA("twilio")},
		{"baa.expired: sendgrid's BAA ended 2026-09-30 and PHI still goes to sendgrid",
			agreement("baa-sendgrid") != nil && agreement("baa-sendgrid").Expires.Equal(d("2026-09-30")) && !inForceBAA("sendgrid") &&
				flow("patient-api", "email-notifications").PHI},
		{"baa.downstream.missing: openai has no agreement while visit transcripts reach it",
			len(ws.AgreementsWith("openai")) == 0 && ws.System("visit-summaries").Vendor == "openai" && ws.System("visit-summaries").LivePHI},
		{"baa.flowdown: zendesk may take 30 days while the clinics were promised 10",
			agreement("baa-zendesk").BreachNoticeDays == 30 && agreement("baa-st-marys").BreachNoticeDays == 10},
		{"baa.no-signed-copy and baa.unreviewed: aws's BAA, accepted in AWS Artifact, has neither a copy nor a review",
			agreement("baa-aws").File == "" && !agreement("baa-aws").Reviewed()},
		{"baa.unreviewed: zendesk's signed BAA was never reviewed",
			agreement("baa-zendesk").File != "" && !agreement("baa-zendesk").Reviewed()},
		{"the clinics' BAAs, on our template, are signed and reviewed",
			agreement("baa-st-marys").File != "" && agreement("baa-st-marys").Reviewed() &&
				agreement("baa-lakeside-cardiology").File != "" && agreement("baa-lakeside-cardiology").Reviewed() &&
				agreement("baa-northside-pediatrics").File != "" && agreement("baa-northside-pediatrics").Reviewed()},
		{"baa.upstream.missing: 3 of 4 clinics have an executed BAA; valley-endo has live PHI without one",
			len(ws.Customers) == 4 && inForceBAA("st-marys") && inForceBAA("lakeside-cardiology") && inForceBAA("northside-pediatrics") &&
				!inForceBAA("valley-endo") && ws.Customer("valley-endo").LivePHI},
		{"transitive PHI: the log pipeline sends PHI on to a warehouse marked phi: false, covered by no BAA",
			flow("patient-api", "log-pipeline").PHI && flow("log-pipeline", "warehouse").PHI &&
				!ws.System("log-pipeline").PHI && !ws.System("warehouse").PHI && !inForceBAA("snowflake")},
		{"flow.unencrypted: device readings cross the VPC in plain HTTP",
			flow("rpm-ingest", "patient-api").PHI && !flow("rpm-ingest", "patient-api").EncryptedInTransit},
		{"storage.unencrypted: laptops hold PHI unencrypted", ws.System("laptops").PHI && !ws.System("laptops").EncryptedAtRest},

		{"ra-2026 performed 2026-07-15, approved by the Security Officer, reviewing ra-2025 of 2025-06-20",
			ws.RiskAnalysis("ra-2026").Performed.Equal(d("2026-07-15")) &&
				ws.RiskAnalysis("ra-2026").ApprovedBy == ws.Organization.Officers.Security &&
				ws.RiskAnalysis("ra-2026").Previous == "ra-2025" && ws.RiskAnalysis("ra-2025").Performed.Equal(d("2025-06-20"))},
		{"risk.overdue: a mitigation due 2026-10-31 with no completion",
			risk("r-laptop-loss").Treatment == "mitigate" && risk("r-laptop-loss").Due.Equal(d("2026-10-31")) && risk("r-laptop-loss").Completed.IsZero()},
		{"an accepted risk says who accepted it and why",
			risk("r-sms-content").Treatment == "accept" && risk("r-sms-content").AcceptedBy != "" && risk("r-sms-content").AcceptanceReason != ""},
		{"a transferred risk", risk("r-region-outage").Treatment == "transfer"},

		{"controls: planned, in-progress, and a justified not-applicable",
			ws.Control("penetration-test").Status == "planned" && ws.Control("mdm").Status == "in-progress" &&
				ws.Control("facility-access").Status == "not-applicable" && ws.Control("facility-access").Justification != ""},
		{"evidence.missing: access-review (quarterly) covered in 2026-Q3, not in 2026-Q4",
			ws.Control("access-review").Frequency == "quarterly" && covered("access-review", "2026-07-01", "2026-09-30") &&
				!covered("access-review", "2026-10-01", "2026-12-31")},
		{"Type II exception: vulnerability-scanning (monthly) skipped October 2026",
			ws.Control("vulnerability-scanning").Frequency == "monthly" && covered("vulnerability-scanning", "2026-09-01", "2026-09-30") &&
				!covered("vulnerability-scanning", "2026-10-01", "2026-10-31") && covered("vulnerability-scanning", "2026-11-01", "2026-11-30")},
		{"the Type II window has covered occurrences", covered("mfa", "2026-10-01", "2026-10-31") && covered("backup", "2026-11-01", "2026-11-30")},

		{"the policy set: the 16 templates of a business associate, each with an approved version",
			len(ws.Policies) == 16 && func() bool {
				for i := range ws.Policies {
					if ws.Policies[i].Template == "" || ws.Policies[i].InForce(asOf) == nil {
						return false
					}
				}
				return true
			}()},
		{"sanctions version 2 approved 2026-11-02: its acknowledgements fall due 2026-12-02, a few given",
			ws.Policy("sanctions").InForce(asOf).Version == 2 && ws.Policy("sanctions").InForce(asOf).ApprovedOn.Equal(d("2026-11-02")) &&
				acked("dana@acme-health.example", "sanctions", 2) && !acked("lena@acme-health.example", "sanctions", 2)},
		{"a draft in review: data-retention version 2", ws.Policy("data-retention").Version(2) != nil && !ws.Policy("data-retention").Version(2).Approved()},
		{"policy.review-overdue: acceptable-use, approved 2025-08-04 and never reviewed",
			ws.Policy("acceptable-use").LastReview(asOf).Equal(d("2025-08-04")) && ws.Policy("acceptable-use").ReviewDue(asOf).Before(asOf)},
		{"policy.ack-overdue: priya never acknowledged access-control version 1 (approved 2026-06-29)",
			!acked("priya@acme-health.example", "access-control", 1) && acked("lena@acme-health.example", "access-control", 1)},
		{"training.overdue: noah started 2026-10-12 and has no HIPAA awareness completion",
			ws.Person("noah@acme-health.example").Start.Equal(d("2026-10-12")) && !trained("noah@acme-health.example", "hipaa-awareness")},
		{"workforce.termination-open: kevin's last day was 2026-11-06 and he still reaches PHI systems",
			ws.Person("kevin@acme-health.example").End.Equal(d("2026-11-06")) && slices.Contains(ws.Person("kevin@acme-health.example").Access, "patient-api") &&
				ws.System("patient-api").PHI},

		{"inc-2026-001: lost unencrypted laptop, 812 individuals = CA 640 + NV 172, a clinic's PHI",
			ws.Incident("inc-2026-001").Discovered.Equal(d("2026-11-10")) && ws.Incident("inc-2026-001").Individuals == 812 &&
				ws.Incident("inc-2026-001").States["CA"] == 640 && ws.Incident("inc-2026-001").States["NV"] == 172 &&
				!ws.Incident("inc-2026-001").Encrypted && len(ws.Incident("inc-2026-001").Customers) == 1},
		{"inc-2026-002: one patient, low probability on a four-factor assessment (164.402(2))",
			ws.Incident("inc-2026-002").Individuals == 1 && ws.Incident("inc-2026-002").Assessment != nil &&
				ws.Incident("inc-2026-002").Assessment.LowProbability && ws.Incident("inc-2026-002").Assessment.Nature != "" &&
				ws.Incident("inc-2026-002").Assessment.UnauthorizedPerson != "" && ws.Incident("inc-2026-002").Assessment.AcquiredOrViewed != "" &&
				ws.Incident("inc-2026-002").Assessment.Mitigation != ""},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("demo: %s: not so", c.name)
		}
	}
	for _, e := range ws.Evidence {
		if e.Collected.Before(d("2026-06-01")) || e.Collected.After(asOf) {
			t.Errorf("evidence %s collected %s, outside 2026-06-01..%s", e.ID, e.Collected, asOf)
		}
	}
}

// sharedRisks counts the risks of analysis b whose asset, threat and
// vulnerability a risk of analysis a had too.
func sharedRisks(ws *Workspace, a, b string) int {
	key := func(r Risk) string { return r.Asset + "|" + r.Threat + "|" + r.Vulnerability }
	in := map[string]bool{}
	for _, r := range ws.Risks {
		if r.Analysis == a {
			in[key(r)] = true
		}
	}
	n := 0
	for _, r := range ws.Risks {
		if r.Analysis == b && in[key(r)] {
			n++
		}
	}
	return n
}

// TestDemoNamesNoIncidentBeforeItHappened: an auditor reading the demo's
// records checks their dates against each other; a reminder or an evidence
// note that names an incident cannot be dated before the incident was
// discovered.
func TestDemoNamesNoIncidentBeforeItHappened(t *testing.T) {
	ws := loadDemo(t)
	check := func(what string, on date.Date, text string) {
		for _, in := range ws.Incidents {
			if strings.Contains(text, in.ID) && on.Before(in.Discovered) {
				t.Errorf("%s dated %s names %s, discovered %s: %q", what, on, in.ID, in.Discovered, text)
			}
		}
	}
	for _, r := range ws.SecurityReminders {
		check("security reminder", r.On, r.Title+" "+r.Note)
	}
	for _, e := range ws.Evidence {
		check("evidence "+e.ID, e.Collected, e.Note)
	}
}
