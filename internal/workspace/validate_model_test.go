package workspace

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ward/internal/date"
)

func clauseOpts() Options {
	known := []string{"permitted-uses", "safeguards", "return-or-destroy"}
	return Options{KnownClause: func(id string) bool { return slices.Contains(known, id) }}
}

func baseWorkspace() *Workspace {
	return &Workspace{
		Organization: Organization{Name: "Acme"},
		People:       []Person{{Email: "raj@acme.example"}},
		Systems: []System{
			{ID: "patient-api", Kind: "service", Vendor: "aws"},
			{ID: "sms", Kind: "saas", Vendor: "twilio"},
		},
		Flows:     []Flow{{From: "patient-api", To: "sms", PHI: true}},
		Vendors:   []Vendor{{ID: "aws"}, {ID: "twilio"}},
		Customers: []Customer{{ID: "st-marys", CoveredEntity: true}},
		Agreements: []Agreement{{ID: "baa-twilio", Kind: "baa", Counterparty: "twilio", Direction: "downstream", Status: "executed",
			Effective: date.MustParse("2026-01-15"), File: "agreements/baa-twilio.pdf",
			ClauseReview: []ClauseMark{{Clause: "safeguards", Status: ClausePresent}}}},
	}
}

// Validate applies the rules Load applies, to a workspace built in
// memory: what the web app may store is what `ward apply` accepts.
func TestValidateInMemory(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(ws *Workspace)
		errors []string // "field: message fragment"
	}{
		{"valid", func(*Workspace) {}, nil},
		{"flow to an unknown system", func(ws *Workspace) { ws.Flows = append(ws.Flows, Flow{From: "patient-api", To: "nosuch"}) },
			[]string{`flows[1].to: "nosuch" is not a system id`}},
		{"bad kind", func(ws *Workspace) { ws.Systems[1].Kind = "datastor" },
			[]string{`systems[1].kind: "datastor" is not one of service, datastore`}},
		{"missing id", func(ws *Workspace) { ws.Vendors = append(ws.Vendors, Vendor{Name: "No id"}) },
			[]string{"vendors[2].id: is missing"}},
		{"duplicate id", func(ws *Workspace) { ws.Customers = append(ws.Customers, Customer{ID: "st-marys"}) },
			[]string{`customers[1].id: "st-marys" is already the id of another customer; ids must be unique`}},
		{"retired system still referenced", func(ws *Workspace) { ws.Systems = ws.Systems[:1] },
			[]string{`flows[0].to: "sms" is not a system id`}},
		{"upstream agreement with a vendor", func(ws *Workspace) { ws.Agreements[0].Direction = "upstream" },
			[]string{`agreements[0].counterparty: "twilio" is a vendor`}},
		{"clause review: unknown clause, bad status, twice", func(ws *Workspace) {
			ws.Agreements[0].ClauseReview = []ClauseMark{
				{Clause: "made-up", Status: ClausePresent},
				{Clause: "safeguards", Status: "maybe"},
				{Clause: "safeguards", Status: ClauseMissing},
				{Status: ClauseMissing},
			}
			ws.Agreements[0].Clauses = []string{"termination"}
		}, []string{
			`agreements[0].clauses[0]: "termination" is not a clause of the BAA checklist`,
			`agreements[0].clause_review[0].clause: "made-up" is not a clause`,
			`agreements[0].clause_review[1].status: "maybe" is not one of present, missing, n/a`,
			`agreements[0].clause_review[2].clause: "safeguards" is marked twice`,
			`agreements[0].clause_review[3].clause: is missing`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := baseWorkspace()
			tt.edit(ws)
			errs := Validate(ws, clauseOpts())
			var got []string
			for _, e := range errs {
				if e.File != "" {
					t.Errorf("in-memory error names a file: %+v", e)
				}
				got = append(got, e.Field+": "+e.Msg)
			}
			if len(got) != len(tt.errors) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tt.errors), strings.Join(got, "\n"))
			}
			for i, want := range tt.errors {
				if !strings.HasPrefix(got[i], want) && !strings.Contains(got[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	es := Errors{
		{Field: "systems[1].kind", Msg: "bad kind"},
		{Field: "systems[12].kind", Msg: "another record"},
		{Field: "systems[1]", Msg: "the record"},
		{Field: "agreements[1].clause_review[0].status", Msg: "bad status"},
		{Field: "systems[1].kind", Msg: "second on the same field"},
	}
	if got, want := es.FieldErrors("systems", 1), map[string]string{"kind": "bad kind", "": "the record"}; !reflect.DeepEqual(got, want) {
		t.Errorf("systems[1]: %v, want %v", got, want)
	}
	if got, want := es.FieldErrors("agreements", 1), map[string]string{"clause_review[0].status": "bad status"}; !reflect.DeepEqual(got, want) {
		t.Errorf("agreements[1]: %v, want %v", got, want)
	}
}

// clause_review is written by export and read back by apply unchanged,
// and Load validates it as Validate does.
func TestClauseReviewRoundTrip(t *testing.T) {
	ws := baseWorkspace()
	ws.Agreements[0].File = ""
	ws.Agreements[0].Clauses = []string{"permitted-uses"}
	ws.Agreements[0].ClauseReview = []ClauseMark{
		{Clause: "safeguards", Status: ClausePresent, Note: "section 4.2"},
		{Clause: "return-or-destroy", Status: ClauseMissing, Note: "silent on termination: ask counsel"},
		{Clause: "permitted-uses", Status: ClauseNotApplicable},
	}
	out := t.TempDir()
	if err := Write(out, ws, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := Load(out, clauseOpts())
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Workspace.Agreements[0]; !reflect.DeepEqual(got.ClauseReview, ws.Agreements[0].ClauseReview) || !reflect.DeepEqual(got.Clauses, ws.Agreements[0].Clauses) {
		t.Errorf("clause review came back as %+v / %v", got.ClauseReview, got.Clauses)
	}
	a := l.Workspace.Agreements[0]
	for id, want := range map[string]string{"safeguards": ClausePresent, "return-or-destroy": ClauseMissing, "permitted-uses": ClauseNotApplicable, "amendment": ""} {
		if got := a.ClauseStatus(id); got != want {
			t.Errorf("ClauseStatus(%s) = %q, want %q (a mark wins over clauses)", id, got, want)
		}
	}

	// A bad status in the file: file, line and field.
	path := filepath.Join(out, SectionFile("agreements"))
	b, _ := os.ReadFile(path)
	bad := strings.Replace(string(b), "status: missing", "status: absent", 1)
	if bad == string(b) {
		t.Fatalf("no status: missing in\n%s", b)
	}
	os.WriteFile(path, []byte(bad), 0o644)
	_, err = Load(out, clauseOpts())
	if err == nil || !strings.Contains(err.Error(), "agreements.yaml:") || !strings.Contains(err.Error(), `agreements[0].clause_review[1].status: "absent" is not one of present, missing, n/a`) {
		t.Errorf("bad status: %v", err)
	}
}
