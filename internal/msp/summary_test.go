package msp

import (
	"errors"
	"reflect"
	"testing"

	"ward/internal/benchgen"
	"ward/internal/date"
	"ward/internal/workspace"
)

func demo(t *testing.T) *workspace.Workspace {
	t.Helper()
	l, err := workspace.Load("../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Workspace
}

// TestRoundTrip: a decoded summary is the workspace that was encoded,
// field for field, the store's derived scan counts included.
func TestRoundTrip(t *testing.T) {
	withScans := benchgen.Org(7, "scanned", "Scanned", benchgen.Practice)
	withScans.ScanFailing = map[string]int{withScans.Controls[0].ID: 3}
	withScans.ScanFailingBy = map[string]map[string]int{"hipaa": {withScans.Controls[0].ID: 2}, "": {withScans.Controls[0].ID: 1}}
	withScans.ScanChecks = []workspace.ScanCheck{{Check: "s3_bucket_public", Failing: 3, Controls: []string{withScans.Controls[0].ID}}}
	withScans.Evidence[0].Controls = []string{withScans.Controls[1].ID, withScans.Controls[2].ID}
	withScans.Evidence[1].Controls = []string{}
	withScans.Evidence[2].Size, withScans.Evidence[2].SHA256, withScans.Evidence[2].File = 1234, "ab12", "scan.json"
	// Dates at and past the ends of the decoder's table, and the epoch.
	for i, d := range []string{"1960-02-29", "1969-12-31", "1970-01-01", "1989-12-31", "1990-01-01", "2099-12-31", "2100-01-01", "2400-02-29"} {
		withScans.Evidence[3+i].Collected = date.MustParse(d)
		withScans.Evidence[3+i].PeriodStart, withScans.Evidence[3+i].PeriodEnd = date.Date{}, date.MustParse(d)
	}
	cases := map[string]*workspace.Workspace{
		"demo":        demo(t),
		"practice":    benchgen.Org(1, "p", "P", benchgen.Practice),
		"large/10":    benchgen.Org(2, "l", "L", benchgen.Large.Scale(0.1)),
		"with scans":  withScans,
		"no evidence": {Organization: workspace.Organization{Name: "Empty", Slug: "empty"}},
	}
	for name, ws := range cases {
		b, err := Encode(Summary{Workspace: ws, OpenFindings: 5})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.OpenFindings != 5 {
			t.Errorf("%s: open findings %d", name, s.OpenFindings)
		}
		if !reflect.DeepEqual(s.Workspace, ws) {
			t.Errorf("%s: the decoded workspace differs from the encoded one", name)
			for i := range min(len(ws.Evidence), len(s.Workspace.Evidence)) {
				if !reflect.DeepEqual(ws.Evidence[i], s.Workspace.Evidence[i]) {
					t.Fatalf("%s: evidence %d: %+v, want %+v", name, i, s.Workspace.Evidence[i], ws.Evidence[i])
				}
			}
		}
	}
}

// TestDecodeDamaged: a truncated or altered summary is an error, never a
// panic, and another version is ErrVersion.
func TestDecodeDamaged(t *testing.T) {
	b, err := Encode(Summary{Workspace: benchgen.Org(3, "p", "P", benchgen.Practice.Scale(0.2))})
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n += 1 + n/50 {
		if _, err := Decode(b[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(b))
		}
	}
	for i := 1; i < len(b); i += 1 + i/40 {
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		Decode(c) // any answer but a panic
	}
	c := append([]byte(nil), b...)
	c[0] = version + 1
	if _, err := Decode(c); !errors.Is(err, ErrVersion) {
		t.Errorf("another version: %v", err)
	}
}
