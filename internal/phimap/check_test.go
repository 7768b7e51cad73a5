package phimap

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

var d = date.MustParse

// asOf is the date every case is evaluated on unless it says otherwise.
var asOf = d("2027-01-10")

// clean is a business associate with every paper in order: two AWS
// systems and an SMS gateway, all marked, encrypted and under BAAs, one
// covered-entity customer under an upstream BAA, a current risk analysis.
func clean() *workspace.Workspace {
	ws := &workspace.Workspace{
		Organization: workspace.Organization{
			Name:     "Acme Health",
			Roles:    []string{workspace.RoleBusinessAssociate},
			Answers:  workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true},
			Officers: workspace.Officers{Privacy: "dana@acme.example", Security: "raj@acme.example"},
		},
		People: []workspace.Person{{Email: "dana@acme.example"}, {Email: "raj@acme.example"}},
		Systems: []workspace.System{
			{ID: "patient-api", Kind: "service", Vendor: "aws", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{ID: "db", Kind: "datastore", Vendor: "aws", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{ID: "sms-gateway", Kind: "saas", Vendor: "twilio", PHI: true, LivePHI: true, EncryptedAtRest: true},
			{ID: "status-page", Kind: "saas", Vendor: "statuspage", EncryptedAtRest: false},
		},
		Flows: []workspace.Flow{
			{From: "patient-api", To: "db", PHI: true, EncryptedInTransit: true},
			{From: "patient-api", To: "sms-gateway", PHI: true, EncryptedInTransit: true},
			{From: "patient-api", To: "status-page", PHI: false, EncryptedInTransit: false},
		},
		Vendors: []workspace.Vendor{{ID: "aws"}, {ID: "twilio"}, {ID: "statuspage"}},
		Agreements: []workspace.Agreement{
			{ID: "baa-aws", Kind: "baa", Counterparty: "aws", Direction: "downstream", Status: "executed", Effective: d("2026-01-01"), BreachNoticeDays: 10},
			{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: d("2026-01-15"), Expires: d("2028-01-15"), BreachNoticeDays: 5},
			{ID: "baa-st-marys", Kind: "baa", Counterparty: "st-marys", Direction: "upstream", Status: "executed", Effective: d("2026-02-01"), BreachNoticeDays: 10},
		},
		Customers:    []workspace.Customer{{ID: "st-marys", CoveredEntity: true, LivePHI: true}},
		RiskAnalyses: []workspace.RiskAnalysis{{ID: "ra-2026", Performed: d("2026-11-20")}},
	}
	// Every paper in order: a signed copy on file and a clause review of
	// each BAA (baa.no-signed-copy, baa.unreviewed).
	for i := range ws.Agreements {
		paperwork(&ws.Agreements[i])
	}
	return ws
}

// papered is the agreement with its paperwork in order.
func papered(a workspace.Agreement) workspace.Agreement {
	paperwork(&a)
	return a
}

// paperwork gives an agreement a signed copy and a review that finds
// every required clause present.
func paperwork(a *workspace.Agreement) {
	a.File, a.SHA256 = "agreements/"+a.ID+".pdf", strings.Repeat("ab", 32)
	a.ClauseReview = review(nil)
}

func requiredClauses() []string {
	var out []string
	for _, c := range catalog.Default().BAA.Clauses {
		if c.Required {
			out = append(out, c.ID)
		}
	}
	return out
}

// review marks every required clause present except those in marks.
func review(marks map[string]string) []workspace.ClauseMark {
	var out []workspace.ClauseMark
	for _, c := range requiredClauses() {
		st := workspace.ClausePresent
		if m, ok := marks[c]; ok {
			st = m
		}
		out = append(out, workspace.ClauseMark{Clause: c, Status: st})
	}
	return out
}

func TestClauseMissingMessage(t *testing.T) {
	ws := clean()
	a := agreement(ws, "baa-twilio")
	a.ClauseReview = review(map[string]string{"return-or-destroy": "missing"})
	a.ClauseReview = slices.DeleteFunc(a.ClauseReview, func(m workspace.ClauseMark) bool { return m.Clause == "amendment" })
	fs := Check(ws, asOf)
	if len(fs) != 1 {
		t.Fatalf("findings %v", fs)
	}
	want := "BAA baa-twilio with twilio lacks 2 required clauses (marked missing: return-or-destroy; not found present: amendment); amend it"
	if !strings.HasPrefix(fs[0].Message, want) {
		t.Errorf("message %q\nwant prefix %q", fs[0].Message, want)
	}
}

func agreement(ws *workspace.Workspace, id string) *workspace.Agreement {
	for i := range ws.Agreements {
		if ws.Agreements[i].ID == id {
			return &ws.Agreements[i]
		}
	}
	panic("no agreement " + id)
}

func flow(ws *workspace.Workspace, from, to string) *workspace.Flow {
	for i := range ws.Flows {
		if ws.Flows[i].From == from && ws.Flows[i].To == to {
			return &ws.Flows[i]
		}
	}
	panic("no flow " + from + "->" + to)
}

func dropAgreement(ws *workspace.Workspace, id string) {
	ws.Agreements = slices.DeleteFunc(ws.Agreements, func(a workspace.Agreement) bool { return a.ID == id })
}

// Everything that blocks in clean(): all live systems and the customer.
var allLive = []string{"db", "patient-api", "sms-gateway"}

func blockedAll(rules string, systems ...string) []string {
	var out []string
	out = append(out, "customer st-marys: "+rules)
	for _, s := range systems {
		out = append(out, "system "+s+": "+rules)
	}
	return out
}

func TestGate(t *testing.T) {
	tests := []struct {
		name    string
		asOf    date.Date // zero: asOf
		edit    func(ws *workspace.Workspace)
		want    []string // "severity rule subject", in finding.Sort order
		blocked []string // "kind subject: rule,rule"
	}{
		{name: "clean workspace: no findings", edit: func(*workspace.Workspace) {}},
		{
			name: "BAA review: every required clause present or n/a, no finding",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").ClauseReview = review(map[string]string{"covered-entity-obligations": "n/a"})
			},
		},
		{
			// 164.504(e)(2)(ii)(J): return or destroy PHI at termination.
			name: "BAA review: a required clause marked missing is a warning, blocks nothing",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").ClauseReview = review(map[string]string{"return-or-destroy": "missing"})
			},
			want: []string{"warning baa.clause-missing baa-twilio"},
		},
		{
			name: "BAA review as a clauses list: required clauses not listed are missing; optional ones are not",
			edit: func(ws *workspace.Workspace) {
				a := agreement(ws, "baa-aws")
				a.ClauseReview = nil
				for _, c := range requiredClauses() {
					if c != "hhs-access-to-books" {
						a.Clauses = append(a.Clauses, c)
					}
				}
			},
			want: []string{"warning baa.clause-missing baa-aws"},
		},
		{
			// Issue 19 item 4: an executed BAA with no signed copy, or
			// nobody's review, is a warning; the gate still counts it.
			name: "an executed BAA with no signed copy: a warning, and the gate still counts it",
			edit: func(ws *workspace.Workspace) {
				a := agreement(ws, "baa-twilio")
				a.File, a.SHA256 = "", ""
			},
			want: []string{"warning baa.no-signed-copy baa-twilio"},
		},
		{
			name: "an executed BAA nobody reviewed: a warning, and the gate still counts it",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-st-marys").ClauseReview = nil },
			want: []string{"warning baa.unreviewed baa-st-marys"},
		},
		{
			name: "a BAA only sent, or expired, is not judged for its paperwork",
			edit: func(ws *workspace.Workspace) {
				ws.Agreements = append(ws.Agreements,
					workspace.Agreement{ID: "baa-twilio-draft", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "sent"},
					workspace.Agreement{ID: "baa-twilio-2024", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: d("2024-01-15"), Expires: d("2025-01-15")})
			},
		},
		{
			name: "terminated BAAs are not judged",
			edit: func(ws *workspace.Workspace) {
				ws.Agreements = append(ws.Agreements, workspace.Agreement{ID: "baa-old", Kind: "baa", Counterparty: "aws", Direction: "downstream", Status: "terminated",
					Effective: d("2025-01-01"), ClauseReview: []workspace.ClauseMark{{Clause: "safeguards", Status: "missing"}}})
			},
		},
		{
			name: "no PHI anywhere: officers and risk analysis not required",
			edit: func(ws *workspace.Workspace) {
				*ws = workspace.Workspace{
					Systems: []workspace.System{{ID: "website", Kind: "service"}},
				}
			},
		},
		{
			name: "direct PHI at a vendor without a BAA (164.308(b)(2))",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems, workspace.System{ID: "crm", Kind: "saas", Vendor: "hubspot", PHI: true, LivePHI: true, EncryptedAtRest: true})
				ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "hubspot"})
			},
			want: []string{"error baa.downstream.missing hubspot"},
			// crm exchanges no PHI with the other systems: only it and the
			// customer (whose PHI is in every live system) are blocked.
			blocked: []string{"customer st-marys: baa.downstream.missing", "system crm: baa.downstream.missing"},
		},
		{
			name: "transitive PHI: api -> logs -> warehouse puts PHI in both",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems,
					workspace.System{ID: "logs", Kind: "saas", Vendor: "datadog", EncryptedAtRest: true},
					workspace.System{ID: "warehouse", Kind: "datastore", Vendor: "snowflake", EncryptedAtRest: true})
				ws.Flows = append(ws.Flows,
					workspace.Flow{From: "patient-api", To: "logs", PHI: true, EncryptedInTransit: true},
					workspace.Flow{From: "logs", To: "warehouse", PHI: true, EncryptedInTransit: true})
				ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "datadog"}, workspace.Vendor{ID: "snowflake"})
				ws.Agreements = append(ws.Agreements, papered(workspace.Agreement{ID: "baa-datadog", Kind: "baa", Counterparty: "datadog", Direction: "downstream", Status: "executed", Effective: d("2026-06-01"), BreachNoticeDays: 10}))
			},
			want: []string{
				"error baa.downstream.missing snowflake",
				"warning inventory.phi-unmarked logs",
				"warning inventory.phi-unmarked warehouse",
			},
			// db and sms-gateway are siblings of the path, not on it.
			blocked: []string{
				"customer st-marys: baa.downstream.missing",
				"system logs: baa.downstream.missing",
				"system patient-api: baa.downstream.missing",
				"system warehouse: baa.downstream.missing",
			},
		},
		{
			name: "a PHI flow cycle terminates and everything on it holds PHI",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems,
					workspace.System{ID: "queue", Kind: "service", EncryptedAtRest: true},
					workspace.System{ID: "worker", Kind: "service", EncryptedAtRest: false})
				ws.Flows = append(ws.Flows,
					workspace.Flow{From: "patient-api", To: "queue", PHI: true, EncryptedInTransit: true},
					workspace.Flow{From: "queue", To: "worker", PHI: true, EncryptedInTransit: true},
					workspace.Flow{From: "worker", To: "queue", PHI: true, EncryptedInTransit: true})
			},
			want: []string{
				"error storage.unencrypted worker",
				"warning inventory.phi-unmarked queue",
				"warning inventory.phi-unmarked worker",
			},
			blocked: []string{
				"customer st-marys: storage.unencrypted",
				"system patient-api: storage.unencrypted",
				"system queue: storage.unencrypted",
				"system worker: storage.unencrypted",
			},
		},
		{
			name: "an unmarked system reached by PHI is a warning only",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems, workspace.System{ID: "metrics", Kind: "service", EncryptedAtRest: true})
				ws.Flows = append(ws.Flows, workspace.Flow{From: "db", To: "metrics", PHI: true, EncryptedInTransit: true})
			},
			want: []string{"warning inventory.phi-unmarked metrics"},
		},
		{
			name: "a flow marked phi: false carries no PHI",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems, workspace.System{ID: "analytics", Kind: "saas", Vendor: "mixpanel"})
				ws.Flows = append(ws.Flows, workspace.Flow{From: "patient-api", To: "analytics", PHI: false})
			},
		},
		{
			name: "the source of a PHI flow holds PHI even when marked phi: false",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems, workspace.System{ID: "fax-in", Kind: "service", EncryptedAtRest: true})
				ws.Flows = append(ws.Flows, workspace.Flow{From: "fax-in", To: "db", PHI: true, EncryptedInTransit: true})
			},
			want: []string{"warning inventory.phi-unmarked fax-in"},
		},
		{
			name: "vendor BAA expired the day before (164.314(a))",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Expires = d("2027-01-09") },
			want: []string{"error baa.expired baa-twilio"},
			blocked: []string{
				"customer st-marys: baa.expired",
				"system patient-api: baa.expired",
				"system sms-gateway: baa.expired",
			},
		},
		{
			name: "vendor BAA expiring on the as-of date is still in force",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Expires = asOf },
			want: []string{"warning baa.expiring baa-twilio"},
		},
		{
			name: "vendor BAA with status expired",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Status = "expired" },
			want: []string{"error baa.expired baa-twilio"},
			blocked: []string{
				"customer st-marys: baa.expired",
				"system patient-api: baa.expired",
				"system sms-gateway: baa.expired",
			},
		},
		{
			name: "expired BAA replaced by one in force: nothing to report",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").Expires = d("2026-12-31")
				ws.Agreements = append(ws.Agreements, papered(workspace.Agreement{ID: "baa-twilio-2027", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: d("2027-01-01"), BreachNoticeDays: 5}))
			},
		},
		{
			name: "expired BAA with a vendor that no longer has PHI",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").Status = "expired"
				ws.Flows = slices.DeleteFunc(ws.Flows, func(f workspace.Flow) bool { return f.To == "sms-gateway" })
				ws.System("sms-gateway").PHI = false
				ws.System("sms-gateway").LivePHI = false
			},
		},
		{
			name: "BAA executed but effective after the as-of date",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Effective = d("2027-02-01") },
			want: []string{"error baa.downstream.missing twilio"},
			blocked: []string{
				"customer st-marys: baa.downstream.missing",
				"system patient-api: baa.downstream.missing",
				"system sms-gateway: baa.downstream.missing",
			},
		},
		{
			name: "BAA sent but not signed",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Status = "sent" },
			want: []string{"error baa.downstream.missing twilio"},
			blocked: []string{
				"customer st-marys: baa.downstream.missing",
				"system patient-api: baa.downstream.missing",
				"system sms-gateway: baa.downstream.missing",
			},
		},
		{
			name: "a DPA is not a BAA",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Kind = "dpa" },
			want: []string{"error baa.downstream.missing twilio"},
			blocked: []string{
				"customer st-marys: baa.downstream.missing",
				"system patient-api: baa.downstream.missing",
				"system sms-gateway: baa.downstream.missing",
			},
		},
		{
			name: "covered-entity customer with live PHI and no upstream BAA (164.502(e))",
			edit: func(ws *workspace.Workspace) { dropAgreement(ws, "baa-st-marys") },
			want: []string{"error baa.upstream.missing st-marys"},
			// The customer's missing BAA stops its PHI, not our systems.
			blocked: []string{"customer st-marys: baa.upstream.missing"},
		},
		{
			// 164.502(e), 164.504(e): the BAA comes before the first PHI;
			// merely signed up is a warning (the plan's gate stays closed).
			name: "covered-entity customer signed up, no live PHI, no BAA: a warning",
			edit: func(ws *workspace.Workspace) {
				dropAgreement(ws, "baa-st-marys")
				ws.Customers[0].LivePHI = false
			},
			want: []string{"warning baa.upstream.missing st-marys"},
		},
		{
			name: "covered-entity customer going live in 30 days without a BAA: an error that blocks its go-live",
			edit: func(ws *workspace.Workspace) {
				dropAgreement(ws, "baa-st-marys")
				ws.Customers[0].LivePHI = false
				ws.Customers[0].GoLive = asOf.AddDays(GoLiveSoonDays)
			},
			want:    []string{"error baa.upstream.missing st-marys"},
			blocked: []string{"customer st-marys: baa.upstream.missing"},
		},
		{
			name: "go-live date 31 days away: still a warning",
			edit: func(ws *workspace.Workspace) {
				dropAgreement(ws, "baa-st-marys")
				ws.Customers[0].LivePHI = false
				ws.Customers[0].GoLive = asOf.AddDays(GoLiveSoonDays + 1)
			},
			want: []string{"warning baa.upstream.missing st-marys"},
		},
		{
			name: "go-live date passed without live_phi and without a BAA: an error",
			edit: func(ws *workspace.Workspace) {
				dropAgreement(ws, "baa-st-marys")
				ws.Customers[0].LivePHI = false
				ws.Customers[0].GoLive = asOf.AddDays(-3)
			},
			want:    []string{"error baa.upstream.missing st-marys"},
			blocked: []string{"customer st-marys: baa.upstream.missing"},
		},
		{
			name: "a customer that is not a covered entity needs no upstream BAA from a business associate",
			edit: func(ws *workspace.Workspace) {
				dropAgreement(ws, "baa-st-marys")
				ws.Customers[0].CoveredEntity = false
			},
		},
		{
			name: "a company that handles no PHI owes a signed-up covered entity no BAA",
			edit: func(ws *workspace.Workspace) {
				*ws = workspace.Workspace{
					Organization: workspace.Organization{Name: "Dashboards Inc", Answers: workspace.Answers{BuyersAskSOC2: true}},
					Customers:    []workspace.Customer{{ID: "st-marys", CoveredEntity: true}},
				}
			},
		},
		{
			name: "upstream BAA expired",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-st-marys").Expires = d("2026-12-31") },
			want: []string{"error baa.expired baa-st-marys"},
			// With no upstream BAA in force there is no promise to flow down.
			blocked: []string{"customer st-marys: baa.expired"},
		},
		{
			name: "subcontractor: its business-associate customer needs a BAA too (164.308(b)(2))",
			edit: func(ws *workspace.Workspace) {
				ws.Organization.Roles = []string{workspace.RoleSubcontractor}
				ws.Customers = append(ws.Customers, workspace.Customer{ID: "big-ba", LivePHI: true})
			},
			want:    []string{"error baa.upstream.missing big-ba"},
			blocked: []string{"customer big-ba: baa.upstream.missing"},
		},
		{
			name: "business associate: a non-covered-entity customer needs no upstream BAA",
			edit: func(ws *workspace.Workspace) {
				ws.Customers = append(ws.Customers, workspace.Customer{ID: "wellness-app", LivePHI: true})
			},
		},
		{
			name: "flow-down: subprocessor has 30 days, we promised 10",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").BreachNoticeDays = 30 },
			want: []string{"warning baa.flowdown baa-twilio"},
		},
		{
			name: "flow-down: a BAA without a term means 164.410's 60 days",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-aws").BreachNoticeDays = 0 },
			want: []string{"warning baa.flowdown baa-aws"},
		},
		{
			name: "flow-down: equal terms are no conflict",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").BreachNoticeDays = 10 },
		},
		{
			name: "flow-down: the shortest of several promises counts",
			edit: func(ws *workspace.Workspace) {
				ws.Customers = append(ws.Customers, workspace.Customer{ID: "county-hospital", CoveredEntity: true, LivePHI: true})
				ws.Agreements = append(ws.Agreements, papered(workspace.Agreement{ID: "baa-county", Kind: "baa", Counterparty: "county-hospital", Direction: "upstream", Status: "executed", Effective: d("2026-03-01"), BreachNoticeDays: 7}))
			},
			want: []string{"warning baa.flowdown baa-aws"},
		},
		{
			name: "expiring in 59 days warns (issue 5: 60 days)",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Expires = asOf.AddDays(59) },
			want: []string{"warning baa.expiring baa-twilio"},
		},
		{
			name: "expiring in 60 days warns (issue 5: within 60 days)",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Expires = asOf.AddDays(60) },
			want: []string{"warning baa.expiring baa-twilio"},
		},
		{
			name: "expiring in 61 days does not warn (issue 5: 60 days)",
			edit: func(ws *workspace.Workspace) { agreement(ws, "baa-twilio").Expires = asOf.AddDays(61) },
		},
		{
			name: "expiring in 30 days with a signed renewal starting the next day",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").Expires = asOf.AddDays(30)
				ws.Agreements = append(ws.Agreements, papered(workspace.Agreement{ID: "baa-twilio-2", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed", Effective: asOf.AddDays(31), BreachNoticeDays: 5}))
			},
		},
		{
			name: "risk analysis exactly 12 months old is current (164.308(a)(1)(ii)(A))",
			asOf: d("2027-11-20"),
			want: []string{"warning baa.expiring baa-twilio"},
		},
		{
			name: "risk analysis 12 months and 1 day old is stale",
			asOf: d("2027-11-21"),
			want: []string{"warning baa.expiring baa-twilio", "warning risk-analysis.stale ra-2026"},
		},
		{
			name: "risk analysis on a leap day is due on February 28",
			asOf: d("2025-03-01"),
			edit: func(ws *workspace.Workspace) {
				ws.RiskAnalyses = []workspace.RiskAnalysis{{ID: "ra-2024", Performed: d("2024-02-29")}}
				for i := range ws.Agreements {
					ws.Agreements[i].Effective = d("2024-01-01")
				}
			},
			want: []string{"warning risk-analysis.stale ra-2024"},
		},
		{
			name: "the latest of several analyses counts",
			edit: func(ws *workspace.Workspace) {
				ws.RiskAnalyses = append(ws.RiskAnalyses, workspace.RiskAnalysis{ID: "ra-2024", Performed: d("2024-11-01")})
			},
		},
		{
			name:    "no risk analysis blocks every live system (164.308(a)(1)(ii)(A))",
			edit:    func(ws *workspace.Workspace) { ws.RiskAnalyses = nil },
			want:    []string{"error risk-analysis.missing organization"},
			blocked: blockedAll("risk-analysis.missing", allLive...),
		},
		{
			name:    "a risk analysis performed after the as-of date does not count",
			edit:    func(ws *workspace.Workspace) { ws.RiskAnalyses[0].Performed = d("2027-01-11") },
			want:    []string{"error risk-analysis.missing organization"},
			blocked: blockedAll("risk-analysis.missing", allLive...),
		},
		{
			name: "risk analysis required when the decision tree says PHI, even with no PHI system yet",
			edit: func(ws *workspace.Workspace) {
				ws.RiskAnalyses = nil
				ws.Systems, ws.Flows, ws.Customers = nil, nil, nil
			},
			want: []string{"error risk-analysis.missing organization"},
		},
		{
			name: "business associate without a Privacy Officer: warning",
			edit: func(ws *workspace.Workspace) { ws.Organization.Officers.Privacy = "" },
			want: []string{"warning officer.privacy.missing organization"},
		},
		{
			name: "covered entity without a Privacy Officer: error (164.530(a)(1))",
			edit: func(ws *workspace.Workspace) {
				ws.Organization.Roles = []string{workspace.RoleCoveredEntity}
				ws.Organization.Officers.Privacy = ""
			},
			want:    []string{"error officer.privacy.missing organization"},
			blocked: blockedAll("officer.privacy.missing", allLive...),
		},
		{
			name:    "Security Officer not listed under people (164.308(a)(2))",
			edit:    func(ws *workspace.Workspace) { ws.Organization.Officers.Security = "ghost@acme.example" },
			want:    []string{"error officer.security.missing organization"},
			blocked: blockedAll("officer.security.missing", allLive...),
		},
		{
			name: "one person may hold both offices",
			edit: func(ws *workspace.Workspace) { ws.Organization.Officers.Security = "dana@acme.example" },
		},
		{
			name: "unencrypted PHI flow blocks both ends, not the sibling (164.312(e))",
			edit: func(ws *workspace.Workspace) { flow(ws, "patient-api", "sms-gateway").EncryptedInTransit = false },
			want: []string{"error flow.unencrypted patient-api->sms-gateway"},
			blocked: []string{
				"customer st-marys: flow.unencrypted",
				"system patient-api: flow.unencrypted",
				"system sms-gateway: flow.unencrypted",
			},
		},
		{
			name: "unencrypted non-PHI flow is not a finding",
			edit: func(ws *workspace.Workspace) { flow(ws, "patient-api", "status-page").EncryptedInTransit = false },
		},
		{
			name: "unencrypted PHI at rest blocks the store and what feeds it (164.312(a)(2)(iv))",
			edit: func(ws *workspace.Workspace) { ws.System("db").EncryptedAtRest = false },
			want: []string{"error storage.unencrypted db"},
			blocked: []string{
				"customer st-marys: storage.unencrypted",
				"system db: storage.unencrypted",
				"system patient-api: storage.unencrypted",
			},
		},
		{
			name: "live PHI flows downstream: a test-flagged receiver is blocked too",
			edit: func(ws *workspace.Workspace) {
				ws.System("sms-gateway").LivePHI = false
				ws.System("sms-gateway").EncryptedAtRest = false
			},
			want: []string{"error storage.unencrypted sms-gateway"},
			blocked: []string{
				"customer st-marys: storage.unencrypted",
				"system patient-api: storage.unencrypted",
				"system sms-gateway: storage.unencrypted",
			},
		},
		{
			name: "errors on test-data systems fail the gate but block nothing live",
			edit: func(ws *workspace.Workspace) {
				ws.Systems = append(ws.Systems, workspace.System{ID: "staging-db", Kind: "datastore", Vendor: "aws", PHI: true})
			},
			want: []string{"error storage.unencrypted staging-db"},
		},
		{
			name: "several errors: each blocked subject lists its rules",
			edit: func(ws *workspace.Workspace) {
				agreement(ws, "baa-twilio").Status = "draft"
				ws.System("db").EncryptedAtRest = false
				dropAgreement(ws, "baa-st-marys")
			},
			want: []string{
				"error baa.downstream.missing twilio",
				"error baa.upstream.missing st-marys",
				"error storage.unencrypted db",
			},
			blocked: []string{
				"customer st-marys: baa.downstream.missing,baa.upstream.missing,storage.unencrypted",
				"system db: storage.unencrypted",
				"system patient-api: baa.downstream.missing,storage.unencrypted",
				"system sms-gateway: baa.downstream.missing",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := clean()
			if tt.edit != nil {
				tt.edit(ws)
			}
			on := asOf
			if !tt.asOf.IsZero() {
				on = tt.asOf
			}
			r := Gate(ws, on)
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Severity+" "+f.Rule+" "+f.Subject)
				checkMessage(t, f)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
			var gotB []string
			for _, b := range r.Blocked {
				gotB = append(gotB, b.Kind+" "+b.Subject+": "+strings.Join(b.Rules, ","))
			}
			if !slices.Equal(gotB, tt.blocked) {
				t.Errorf("blocked:\n got %q\nwant %q", gotB, tt.blocked)
			}
			wantOK := !slices.ContainsFunc(tt.want, func(s string) bool { return strings.HasPrefix(s, "error ") })
			if r.OK() != wantOK {
				t.Errorf("OK() = %v, want %v", r.OK(), wantOK)
			}
			if fs := Check(ws, on); !slices.Equal(fs, r.Findings) {
				t.Errorf("Check and Gate disagree:\n%v\n%v", fs, r.Findings)
			}
		})
	}
}

// checkMessage holds every message to the contract: one line, one
// sentence that names the subject and says what to do.
func checkMessage(t *testing.T, f finding.Finding) {
	t.Helper()
	m := f.Message
	if m == "" || strings.Contains(m, "\n") || !strings.HasSuffix(m, ".") {
		t.Errorf("%s %s: message is not one sentence: %q", f.Rule, f.Subject, m)
	}
	if f.Subject != OrganizationSubject && !strings.Contains(m, f.Subject) {
		t.Errorf("%s %s: message does not name its subject: %q", f.Rule, f.Subject, m)
	}
	if !slices.Contains(Rules, f.Rule) {
		t.Errorf("unknown rule %q", f.Rule)
	}
}

func TestMessagesSayWhy(t *testing.T) {
	ws := clean()
	agreement(ws, "baa-twilio").Effective = d("2027-02-01")
	agreement(ws, "baa-aws").BreachNoticeDays = 0
	fs := Check(ws, asOf)
	want := map[string]string{
		RuleDownstreamMissing: "baa-twilio takes effect only on 2027-02-01",
		RuleFlowdown:          "baa-st-marys promises st-marys notice within 10 days",
	}
	for _, f := range fs {
		if w, ok := want[f.Rule]; ok {
			if !strings.Contains(f.Message, w) {
				t.Errorf("%s: %q does not say %q", f.Rule, f.Message, w)
			}
			delete(want, f.Rule)
		}
	}
	for r := range want {
		t.Errorf("no %s finding in %v", r, fs)
	}
}

func TestRulesSorted(t *testing.T) {
	if !slices.IsSorted(Rules) {
		t.Errorf("Rules is not sorted: %v", Rules)
	}
	for _, r := range Rules {
		if strings.TrimSpace(r) != r || r == "" {
			t.Errorf("bad rule id %q", r)
		}
	}
	// Issue 5 names 12 rules; baa.clause-missing is the BAA content
	// review; issue 19 adds baa.no-signed-copy and baa.unreviewed.
	if len(Rules) != 15 {
		t.Errorf("issue 5 names 12 rules, the clause review one more and issue 19 two, Rules has %d", len(Rules))
	}
}

// TestCFR164_306d3_EncryptionFindingsSayAddressable: encryption at rest
// (164.312(a)(2)(iv)) and in transit (164.312(e)(2)(ii)) are addressable
// specifications (164.306(d)(3)). storage.unencrypted and
// flow.unencrypted still fail the gate, and say why: it is ward's policy,
// because only encrypted PHI keeps the breach safe harbor (164.402), not
// a requirement of the rule.
func TestCFR164_306d3_EncryptionFindingsSayAddressable(t *testing.T) {
	ws := clean()
	ws.Systems[1].EncryptedAtRest = false // db
	flow(ws, "patient-api", "db").EncryptedInTransit = false
	fs := Check(ws, asOf)
	got := map[string]finding.Finding{}
	for _, f := range fs {
		got[f.Rule] = f
	}
	for rule, spec := range map[string]string{RuleStorageUnencrypted: "164.312(a)(2)(iv)", RuleFlowUnencrypted: "164.312(e)(2)(ii)"} {
		f, ok := got[rule]
		if !ok {
			t.Fatalf("no %s in %v", rule, fs)
		}
		if f.Severity != finding.Error {
			t.Errorf("%s is %s: ward's policy still fails the gate", rule, f.Severity)
		}
		for _, want := range []string{"addressable", spec, "164.306(d)(3)", "ward's policy, not the rule's", "safe harbor"} {
			if !strings.Contains(f.Message, want) {
				t.Errorf("%s message lacks %q: %s", rule, want, f.Message)
			}
		}
		for _, wrong := range []string{"required", "must encrypt"} {
			if strings.Contains(strings.ToLower(f.Message), wrong) {
				t.Errorf("%s reads as if the rule required encryption (%q): %s", rule, wrong, f.Message)
			}
		}
	}
}

// Issue 19 item 5: a block reason names the real cause and the path PHI
// takes between it and the blocked system, however many hops away: a
// system whose own inbound flow is encrypted, two hops downstream of an
// unencrypted one, is told which flow, and through which systems.
func TestBlockReasonsNameTheCauseAndPath(t *testing.T) {
	ws := clean()
	// rpm-ingest -> patient-api in plain HTTP; patient-api -> sms-gateway
	// and patient-api -> db are encrypted.
	ws.Systems = append(ws.Systems, workspace.System{ID: "rpm-ingest", Kind: "service", Vendor: "aws", PHI: true, LivePHI: true, EncryptedAtRest: true})
	ws.Flows = append(ws.Flows, workspace.Flow{From: "rpm-ingest", To: "patient-api", PHI: true})
	ws.Systems[1].EncryptedAtRest = false // db
	r := Gate(ws, asOf)
	reasons := map[string]map[string]string{}
	paths := map[string][]string{}
	for _, b := range r.Blocked {
		reasons[b.Subject] = map[string]string{}
		for _, x := range b.Reasons {
			reasons[b.Subject][x.Rule] = x.Text
			if x.Rule == RuleFlowUnencrypted {
				paths[b.Subject] = x.Path
			}
		}
	}
	want := map[string]map[string]string{
		"sms-gateway": {
			RuleFlowUnencrypted: "PHI reaches this system through rpm-ingest → patient-api → sms-gateway, and the flow rpm-ingest → patient-api is not encrypted in transit.",
		},
		"db": {
			RuleFlowUnencrypted:    "PHI reaches this system through rpm-ingest → patient-api → db, and the flow rpm-ingest → patient-api is not encrypted in transit.",
			RuleStorageUnencrypted: "This system is not encrypted at rest.",
		},
		"rpm-ingest": {
			RuleFlowUnencrypted:    "This system sends PHI on through rpm-ingest → patient-api, and the flow rpm-ingest → patient-api is not encrypted in transit.",
			RuleStorageUnencrypted: "This system sends PHI on through rpm-ingest → patient-api → db, and db is not encrypted at rest.",
		},
	}
	for sys, rules := range want {
		for rule, text := range rules {
			if got := reasons[sys][rule]; got != text {
				t.Errorf("%s, %s:\n got %q\nwant %q", sys, rule, got, text)
			}
		}
	}
	// sms-gateway shares patient-api with db but exchanges no PHI with
	// it: db's storage does not block it.
	if got, ok := reasons["sms-gateway"][RuleStorageUnencrypted]; ok {
		t.Errorf("sms-gateway blocked by db's storage: %q", got)
	}
	if p := paths["sms-gateway"]; !slices.Equal(p, []string{"rpm-ingest", "patient-api", "sms-gateway"}) {
		t.Errorf("path %v", p)
	}
	// A vendor without a BAA: the system it runs says so of itself.
	dropAgreement(ws, "baa-twilio")
	for _, b := range Gate(ws, asOf).Blocked {
		for _, x := range b.Reasons {
			if b.Subject == "sms-gateway" && x.Rule == RuleDownstreamMissing && x.Text != "This system is run by vendor twilio, which has no BAA in force." {
				t.Errorf("sms-gateway: %q", x.Text)
			}
			if b.Kind == KindCustomer && x.Rule == RuleDownstreamMissing && !strings.Contains(x.Text, "does not record which customer's PHI is in which system") {
				t.Errorf("customer reason: %q", x.Text)
			}
		}
	}
}

// A cycle does not hide a system downstream of a failing flow: a -> b is
// unencrypted, b -> j, j -> a (a cycle back), j -> k. PHI from a reaches
// k through b and j, so k is blocked.
func TestBlockedThroughACycle(t *testing.T) {
	ws := clean()
	for _, id := range []string{"a", "b", "j", "k"} {
		ws.Systems = append(ws.Systems, workspace.System{ID: id, Kind: "service", PHI: true, LivePHI: true, EncryptedAtRest: true})
	}
	ws.Flows = append(ws.Flows,
		workspace.Flow{From: "a", To: "b", PHI: true},
		workspace.Flow{From: "b", To: "j", PHI: true, EncryptedInTransit: true},
		workspace.Flow{From: "j", To: "a", PHI: true, EncryptedInTransit: true},
		workspace.Flow{From: "j", To: "k", PHI: true, EncryptedInTransit: true})
	var blocked []string
	for _, b := range Gate(ws, asOf).Blocked {
		if b.Kind == KindSystem {
			blocked = append(blocked, b.Subject)
		}
	}
	if !slices.Equal(blocked, []string{"a", "b", "j", "k"}) {
		t.Errorf("blocked %v, want a, b, j and k", blocked)
	}
}
