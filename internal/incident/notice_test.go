package incident

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; run go test ./internal/incident -update and review the diff\n--- got ---\n%s", name, got)
	}
}

// stolenLaptop is the demo's incident: a covered entity that is also a
// business associate, with a written law-enforcement delay.
func stolenLaptop() (*workspace.Workspace, workspace.Incident) {
	ws := orgWith(workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate)
	ws.Vendors = []workspace.Vendor{{ID: "aws", Name: "Amazon Web Services"}}
	ws.Controls = []workspace.Control{{ID: "mfa", Status: "implemented"}, {ID: "encryption-at-rest", Status: "in-progress"}, {ID: "access-review", Status: "implemented"}}
	ws.RiskAnalyses = []workspace.RiskAnalysis{{ID: "ra-2026", Performed: d("2026-11-20")}}
	inc := breach("inc-2027-001", "2027-05-02", 812, map[string]int{"CA": 640, "NV": 172})
	inc.Occurred = d("2027-04-30")
	inc.Systems = []string{"laptop-fleet"}
	inc.Vendors = []string{"aws"}
	inc.Customers = []string{"st-marys"}
	inc.PHITypes = []string{"names", "dates of birth", "Social Security numbers", "diagnoses"}
	inc.LawEnforcementDelay = &workspace.Delay{Kind: "written", Requested: d("2027-05-10"), Until: d("2027-06-15")}
	inc.Assessment = &workspace.Assessment{Nature: "full clinical records with SSNs", UnauthorizedPerson: "unknown thief", AcquiredOrViewed: "unknown; device not recovered", Mitigation: "remote wipe issued, credentials rotated", DecidedBy: "dana@acme.example", DecidedOn: d("2027-05-06")}
	inc.Timeline = []workspace.TimelineEntry{
		{Date: d("2027-05-02"), By: "raj@acme.example", Note: "laptop reported stolen; police report filed"},
		{Date: d("2027-05-03"), By: "raj@acme.example", Note: "remote wipe issued"},
		{Date: d("2027-05-08"), By: "dana@acme.example", Note: "notified:covered-entity:st-marys"},
	}
	return ws, inc
}

func TestDrafts(t *testing.T) {
	ws, inc := stolenLaptop()
	det := Determine(ws, inc)
	// The organization is both a covered entity and a business associate:
	// its own patients' breach is its to notify; the one it held for St.
	// Mary's is St. Mary's, and its own notice is the one to the clinic.
	own := ownPatients(inc)
	cases := []struct {
		file string
		text string
		must []string // content the rule requires, checked independently of the golden file
	}{
		{"letter-individuals.md", DraftIndividualLetter(ws, own, det), []string{
			"2027-04-30", "2027-05-02", // 164.404(c)(1)(A): date of breach and of discovery
			"Social Security numbers", // 164.404(c)(1)(B): types of PHI
			"## What you can do",      // 164.404(c)(1)(C)
			"## What we are doing",    // 164.404(c)(1)(D)
			"toll-free",               // 164.404(c)(1)(E): a toll-free number ...
			"dana@acme.example",       // ... and an e-mail address
			"2027-08-06",              // due after the 164.412(a) delay
		}},
		{"hhs-summary.md", DraftHHSSummary(ws, own, det), []string{
			"Breach start date: 2027-04-30", "Discovery date: 2027-05-02", "Type of breach:", "Location of breached information:",
			"individuals affected: 812", "Safeguards in place", "Actions taken", "164.408(b)", "Amazon Web Services",
		}},
		{"notice-covered-entity.md", DraftCoveredEntityNotice(ws, inc, det, "st-marys"), []string{
			"164.410(c)(1)", "attach the list", // identification of each individual
			"164.410(c)(2)", "Date we discovered it: 2027-05-02", "St. Mary's Clinic", "BAA baa-st-marys", "2027-06-17",
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			for _, m := range c.must {
				if !strings.Contains(c.text, m) {
					t.Errorf("draft lacks %q", m)
				}
			}
			golden(t, c.file, c.text)
		})
	}
}

func TestDraftsMarkWhatWardDoesNotKnow(t *testing.T) {
	ws := &workspace.Workspace{}
	inc := workspace.Incident{ID: "inc-x", PHIInvolved: true}
	det := Determine(ws, inc)
	for name, text := range map[string]string{
		"letter": DraftIndividualLetter(ws, inc, det),
		"hhs":    DraftHHSSummary(ws, inc, det),
		"ce":     DraftCoveredEntityNotice(ws, inc, det, ""),
	} {
		for _, m := range []string{"[[organization name]]", "[[date of discovery]]", "[[the types of information involved"} {
			if name == "ce" && m == "[[organization name]]" {
				continue
			}
			if !strings.Contains(text, m) {
				t.Errorf("%s: no placeholder %q", name, m)
			}
		}
	}
}

// ownPatients is the stolen laptop as a breach of the organization's own
// patients' PHI, held as a covered entity.
func ownPatients(inc workspace.Incident) workspace.Incident {
	inc.Customers = nil
	inc.Timeline = inc.Timeline[:2]
	return inc
}

func TestWriteText(t *testing.T) {
	ws, inc := stolenLaptop()
	var b bytes.Buffer
	if err := WriteText(&b, Deadlines(ws, ownPatients(inc), d("2027-07-30"))); err != nil {
		t.Fatal(err)
	}
	golden(t, "deadlines.txt", b.String())
}

// A business associate's drafts for individuals and HHS say the notice is
// the covered entity's to give (164.404-164.408 bind covered entities; a
// business associate notifies the covered entity, 164.410), and a
// determination of no breach says that instead.
func TestDraftsSayWhoseNoticeItIs(t *testing.T) {
	ws, inc := stolenLaptop()
	ws.Organization.Roles = []string{workspace.RoleBusinessAssociate}
	det := Determine(ws, inc)
	for name, text := range map[string]string{"individuals": DraftIndividualLetter(ws, inc, det), "hhs": DraftHHSSummary(ws, inc, det)} {
		if !strings.Contains(text, "not this organization's to give: it held the PHI as a business associate, so it notifies the covered entity (164.410)") {
			t.Errorf("%s draft of a business associate does not say whose notice it is", name)
		}
	}
	if text := DraftCoveredEntityNotice(ws, inc, det, "st-marys"); !strings.Contains(text, "without unreasonable delay") || strings.Contains(text, "not this organization's") {
		t.Error("the business associate's own notice to the covered entity lost its due date")
	}
	ws.Organization.Roles = []string{workspace.RoleCoveredEntity}
	inc.Encrypted, inc.KeyCompromised = true, ptr(false) // secured PHI: the safe harbor, no notification
	det = Determine(ws, inc)
	if text := DraftIndividualLetter(ws, inc, det); !strings.Contains(text, "Send by: not required: ward's determination finds no breach") {
		t.Error("the draft for secured PHI does not say no notice is required")
	}
}
