package catalog

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if Default() == nil {
		t.Fatal("Default() is nil")
	}
	var ids []string
	for _, f := range c.Frameworks {
		ids = append(ids, f.ID)
		if f.Name == "" || f.Version == "" || f.Source == "" || f.Published == "" {
			t.Errorf("%s: source, version and date must be stated", f.ID)
		}
		if c.Framework(f.ID) != f {
			t.Errorf("Framework(%q) does not return it", f.ID)
		}
	}
	if want := []string{"hipaa", "hipaa-breach", "soc2", "csf", "hitrust", "hipaa-nprm"}; !slices.Equal(ids, want) {
		t.Errorf("frameworks = %v, want %v", ids, want)
	}
	if c.Framework("iso27001") != nil || c.Control("no-such-control") != nil {
		t.Error("unknown ids must return nil")
	}
}

// countHIPAA counts the standards and specifications whose citation
// starts with prefix.
func countHIPAA(f *Framework, prefix string) (standards, specs, required, addressable int) {
	for _, r := range f.Requirements {
		if !strings.HasPrefix(r.ID, prefix) {
			continue
		}
		switch r.Kind {
		case KindStandard:
			standards++
		case KindSpecification:
			specs++
			if r.Required {
				required++
			} else {
				addressable++
			}
		}
	}
	return
}

func TestHIPAACounts(t *testing.T) {
	f := Default().Framework(HIPAA)
	tests := []struct {
		name, prefix                     string
		standards, specs, req, addressed int
	}{
		// 45 CFR 164.308 Administrative safeguards: 9 standards,
		// (a)(1) 4 + (a)(3) 3 + (a)(4) 3 + (a)(5) 4 + (a)(6) 1 + (a)(7) 5 + (b) 1 = 21 specs.
		{"164.308", "164.308", 9, 21, 10, 11},
		// 164.310 Physical safeguards: 4 standards, (a) 4 + (d) 4 = 8 specs.
		{"164.310", "164.310", 4, 8, 2, 6},
		// 164.312 Technical safeguards: 5 standards, (a) 4 + (c) 1 + (e) 2 = 7 specs.
		{"164.312", "164.312", 5, 7, 2, 5},
		// 164.314 Organizational requirements: 2 standards; (a)(2)(i)-(iii)
		// (iii added by the 2013 Omnibus Rule) and (b)(2), all required.
		{"164.314", "164.314", 2, 4, 4, 0},
		// 164.316 Policies, procedures and documentation: 2 standards; (b)(2)(i)-(iii).
		{"164.316", "164.316", 2, 3, 3, 0},
		// Whole Security Rule: 22 standards, 43 specs (21 R / 22 A).
		{"all", "164.3", 22, 43, 21, 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, n, r, a := countHIPAA(f, tt.prefix)
			if s != tt.standards || n != tt.specs || r != tt.req || a != tt.addressed {
				t.Errorf("standards %d specs %d (R %d, A %d); want %d %d (R %d, A %d)", s, n, r, a, tt.standards, tt.specs, tt.req, tt.addressed)
			}
		})
	}
	// Appendix A to Subpart C covers 164.308, .310 and .312: 18 standards,
	// 36 implementation specifications, 14 required and 22 addressable.
	var s, n, r, a int
	for _, p := range []string{"164.308", "164.310", "164.312"} {
		ds, dn, dr, da := countHIPAA(f, p)
		s, n, r, a = s+ds, n+dn, r+dr, a+da
	}
	if s != 18 || n != 36 || r != 14 || a != 22 {
		t.Errorf("Appendix A: %d standards, %d specs (%d R, %d A); want 18, 36 (14 R, 22 A)", s, n, r, a)
	}
	// Assessable: 43 specifications plus the 7 standards without one
	// (164.308(a)(2), (a)(8), 164.310(b), (c), 164.312(b), (d), 164.316(a)).
	if got := len(f.Assessable()); got != 50 {
		t.Errorf("assessable = %d, want 50", got)
	}
	var alone []string
	for _, r := range f.Assessable() {
		if r.Kind == KindStandard {
			alone = append(alone, r.ID)
		}
	}
	if want := []string{"164.308(a)(2)", "164.308(a)(8)", "164.310(b)", "164.310(c)", "164.312(b)", "164.312(d)", "164.316(a)"}; !slices.Equal(alone, want) {
		t.Errorf("standards without specifications = %v, want %v", alone, want)
	}
}

// TestHIPAARequiredAddressable checks every implementation specification's
// R/A flag against the table in 45 CFR Part 164 Subpart C, Appendix A, and
// 164.314/164.316 (all required).
func TestHIPAARequiredAddressable(t *testing.T) {
	want := map[string]bool{
		"164.308(a)(1)(ii)(A)": true, "164.308(a)(1)(ii)(B)": true, "164.308(a)(1)(ii)(C)": true, "164.308(a)(1)(ii)(D)": true,
		"164.308(a)(3)(ii)(A)": false, "164.308(a)(3)(ii)(B)": false, "164.308(a)(3)(ii)(C)": false,
		"164.308(a)(4)(ii)(A)": true, "164.308(a)(4)(ii)(B)": false, "164.308(a)(4)(ii)(C)": false,
		"164.308(a)(5)(ii)(A)": false, "164.308(a)(5)(ii)(B)": false, "164.308(a)(5)(ii)(C)": false, "164.308(a)(5)(ii)(D)": false,
		"164.308(a)(6)(ii)":    true,
		"164.308(a)(7)(ii)(A)": true, "164.308(a)(7)(ii)(B)": true, "164.308(a)(7)(ii)(C)": true, "164.308(a)(7)(ii)(D)": false, "164.308(a)(7)(ii)(E)": false,
		"164.308(b)(3)":    true,
		"164.310(a)(2)(i)": false, "164.310(a)(2)(ii)": false, "164.310(a)(2)(iii)": false, "164.310(a)(2)(iv)": false,
		"164.310(d)(2)(i)": true, "164.310(d)(2)(ii)": true, "164.310(d)(2)(iii)": false, "164.310(d)(2)(iv)": false,
		"164.312(a)(2)(i)": true, "164.312(a)(2)(ii)": true, "164.312(a)(2)(iii)": false, "164.312(a)(2)(iv)": false,
		"164.312(c)(2)":    false,
		"164.312(e)(2)(i)": false, "164.312(e)(2)(ii)": false,
		"164.314(a)(2)(i)": true, "164.314(a)(2)(ii)": true, "164.314(a)(2)(iii)": true, "164.314(b)(2)": true,
		"164.316(b)(2)(i)": true, "164.316(b)(2)(ii)": true, "164.316(b)(2)(iii)": true,
	}
	f := Default().Framework(HIPAA)
	n := 0
	for _, r := range f.Requirements {
		if r.Kind != KindSpecification {
			if !r.Required {
				t.Errorf("standard %s must be required", r.ID)
			}
			continue
		}
		n++
		req, ok := want[r.ID]
		if !ok {
			t.Errorf("unexpected specification %s", r.ID)
			continue
		}
		if r.Required != req {
			t.Errorf("%s %s: required = %v, want %v", r.ID, r.Title, r.Required, req)
		}
		if p := f.Requirement(r.Parent); p == nil || p.Kind != KindStandard || p.Section != r.Section {
			t.Errorf("%s: parent %q is not a standard of the same section", r.ID, r.Parent)
		}
	}
	if n != len(want) {
		t.Errorf("%d specifications, want %d", n, len(want))
	}
	sections := map[string]string{"164.308": "Administrative", "164.310": "Physical", "164.312": "Technical", "164.314": "Organizational", "164.316": "Policies"}
	for _, r := range f.Requirements {
		if sections[r.ID[:7]] != r.Section {
			t.Errorf("%s: section %q, want %q", r.ID, r.Section, sections[r.ID[:7]])
		}
	}
}

func TestBreachRule(t *testing.T) {
	f := Default().Framework(HIPAABreach)
	tests := []struct {
		id        string
		days      int
		threshold string
	}{
		{"164.404(b)", 60, ""}, // individuals: no later than 60 calendar days after discovery
		{"164.406(a)", 0, "more than 500 residents of a State or jurisdiction"},
		{"164.406(b)", 60, ""},
		{"164.408(b)", 60, "500 or more individuals"},    // contemporaneously with individual notice
		{"164.408(c)", 60, "fewer than 500 individuals"}, // 60 days after the end of the calendar year
		{"164.410(b)", 60, ""},                           // business associate to covered entity
		{"164.412(b)", 30, ""},                           // oral law enforcement statement: at most 30 days
	}
	for _, tt := range tests {
		r := f.Requirement(tt.id)
		if r == nil {
			t.Errorf("%s missing", tt.id)
			continue
		}
		if r.Days != tt.days || r.Threshold != tt.threshold {
			t.Errorf("%s: days %d threshold %q, want %d %q", tt.id, r.Days, r.Threshold, tt.days, tt.threshold)
		}
	}
	var sections []string
	for _, r := range f.Requirements {
		if r.Kind == KindSection {
			sections = append(sections, r.ID)
		}
	}
	if want := []string{"164.402", "164.404", "164.406", "164.408", "164.410", "164.412", "164.414"}; !slices.Equal(sections, want) {
		t.Errorf("sections = %v, want %v", sections, want)
	}
	// The framework's note, shown on the frameworks page: HHS is told of a
	// breach of 500 or more "contemporaneously with" the individuals, within
	// the 60 days (164.408(b)); nothing in the rule is immediate.
	if strings.Contains(f.Notes, "immediate") || !strings.Contains(f.Notes, "within 60 days") {
		t.Errorf("hipaa-breach notes misstate 164.408(b): %s", f.Notes)
	}
}

func TestBAAChecklist(t *testing.T) {
	b := Default().BAA
	cites := map[string]bool{}
	for _, cl := range b.Clauses {
		if cl.Required {
			cites[cl.Citation] = true
		}
	}
	// 164.504(e)(2)(i), (ii)(A)-(J), (iii) and 164.314(a)(2)(i)(A)-(C).
	want := []string{"164.504(e)(2)(i)", "164.504(e)(2)(iii)", "164.314(a)(2)(i)(A)", "164.314(a)(2)(i)(B)", "164.314(a)(2)(i)(C)"}
	for c := 'A'; c <= 'J'; c++ {
		want = append(want, "164.504(e)(2)(ii)("+string(c)+")")
	}
	for _, w := range want {
		if !cites[w] {
			t.Errorf("no required clause cites %s", w)
		}
	}
	for _, id := range []string{"permitted-uses", "no-further-disclosure", "safeguards", "report-improper-disclosures", "report-security-incidents", "subcontractor-flow-down", "individual-access", "amendment", "accounting-of-disclosures", "hhs-access-to-books", "return-or-destroy", "termination-for-breach"} {
		if !slices.ContainsFunc(b.Clauses, func(c Clause) bool { return c.ID == id }) {
			t.Errorf("clause %s missing", id)
		}
	}
}

func TestSOC2Counts(t *testing.T) {
	f := Default().Framework(SOC2)
	// TSP section 100 (2017, points of focus revised 2022): 61 criteria.
	if got := len(f.Assessable()); got != 61 {
		t.Fatalf("criteria = %d, want 61", got)
	}
	byCat := map[string]int{}
	bySeries := map[string]int{}
	for _, r := range f.Assessable() {
		byCat[r.Category]++
		bySeries[r.Parent]++
		if r.Kind != KindCriterion {
			t.Errorf("%s: kind %s", r.ID, r.Kind)
		}
	}
	wantCat := map[string]int{"security": 33, "availability": 3, "confidentiality": 2, "processing-integrity": 5, "privacy": 18}
	for k, v := range wantCat {
		if byCat[k] != v {
			t.Errorf("%s: %d criteria, want %d", k, byCat[k], v)
		}
	}
	wantSeries := map[string]int{"CC1": 5, "CC2": 3, "CC3": 4, "CC4": 2, "CC5": 3, "CC6": 8, "CC7": 5, "CC8": 1, "CC9": 2,
		"A1": 3, "C1": 2, "PI1": 5, "P1": 1, "P2": 1, "P3": 2, "P4": 3, "P5": 2, "P6": 7, "P7": 1, "P8": 1}
	for k, v := range wantSeries {
		if bySeries[k] != v {
			t.Errorf("%s: %d criteria, want %d", k, bySeries[k], v)
		}
	}
	if len(bySeries) != len(wantSeries) {
		t.Errorf("series = %v", bySeries)
	}
	for _, r := range f.Assessable() {
		if !strings.HasPrefix(r.ID, r.Parent+".") {
			t.Errorf("%s is under %s", r.ID, r.Parent)
		}
	}
}

// TestSOC2TitlesAreOurs guards against copying AICPA text: titles are a
// few words of our own, with no criterion excerpt.
func TestSOC2TitlesAreOurs(t *testing.T) {
	for _, r := range Default().Framework(SOC2).Requirements {
		switch {
		case len(r.Title) >= 70:
			t.Errorf("%s: title is %d characters; keep it a short paraphrase", r.ID, len(r.Title))
		case strings.Contains(strings.ToLower(r.Title), "the entity"):
			t.Errorf("%s: %q reads like criterion text", r.ID, r.Title)
		case r.Excerpt != "":
			t.Errorf("%s: no AICPA excerpts may be shipped", r.ID)
		case strings.HasSuffix(r.Title, "."):
			t.Errorf("%s: a title, not a sentence", r.ID)
		}
	}
}

func TestCSFCounts(t *testing.T) {
	f := Default().Framework(CSF)
	kinds := map[string]int{}
	perFunction := map[string]int{}
	perCategory := map[string]int{}
	for _, r := range f.Requirements {
		kinds[r.Kind]++
		if r.Kind == KindSubcategory {
			perFunction[r.ID[:2]]++
			perCategory[r.Parent]++
			if !strings.HasPrefix(r.ID, r.Parent+"-") || r.Excerpt == "" {
				t.Errorf("%s: parent %s, excerpt %q", r.ID, r.Parent, r.Excerpt)
			}
		}
	}
	// NIST CSWP 29 (CSF 2.0, Feb. 26, 2024): 6 functions, 22 categories, 106 subcategories.
	if kinds[KindFunction] != 6 || kinds[KindCategory] != 22 || kinds[KindSubcategory] != 106 {
		t.Errorf("functions %d categories %d subcategories %d; want 6 22 106", kinds[KindFunction], kinds[KindCategory], kinds[KindSubcategory])
	}
	for fn, n := range map[string]int{"GV": 31, "ID": 21, "PR": 22, "DE": 11, "RS": 13, "RC": 8} {
		if perFunction[fn] != n {
			t.Errorf("%s: %d subcategories, want %d", fn, perFunction[fn], n)
		}
	}
	wantCat := map[string]int{
		"GV.OC": 5, "GV.RM": 7, "GV.RR": 4, "GV.PO": 2, "GV.OV": 3, "GV.SC": 10,
		"ID.AM": 7, "ID.RA": 10, "ID.IM": 4,
		"PR.AA": 6, "PR.AT": 2, "PR.DS": 4, "PR.PS": 6, "PR.IR": 4,
		"DE.CM": 5, "DE.AE": 6,
		"RS.MA": 5, "RS.AN": 4, "RS.CO": 2, "RS.MI": 2,
		"RC.RP": 6, "RC.CO": 2,
	}
	for c, n := range wantCat {
		if perCategory[c] != n {
			t.Errorf("%s: %d subcategories, want %d", c, perCategory[c], n)
		}
	}
	// Numbers CSF 2.0 left unused must not appear.
	for _, id := range []string{"ID.AM-06", "PR.DS-03", "PR.DS-09", "DE.CM-04", "DE.AE-01", "RS.AN-01", "RS.CO-01", "RS.MI-03", "RC.CO-01", "PR.IP-01", "PR.AC-01"} {
		if f.Requirement(id) != nil {
			t.Errorf("%s is not a CSF 2.0 subcategory", id)
		}
	}
}

func TestHITRUSTByNameOnly(t *testing.T) {
	c := Default()
	f := c.Framework(HITRUST)
	if len(f.Requirements) != 0 {
		t.Error("HITRUST control text must not be shipped")
	}
	var ids []string
	for _, a := range f.Assessments {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []string{"e1", "i1", "r2"}) || !strings.HasPrefix(f.Version, "11") {
		t.Errorf("assessments %v version %s", ids, f.Version)
	}
	for _, ctl := range c.Controls {
		if _, ok := ctl.Mappings[HITRUST]; ok {
			t.Errorf("%s maps to HITRUST", ctl.ID)
		}
	}
}

// TestEveryRequirementMapped is the design's promise: every HIPAA
// implementation specification (and standard without one), every breach
// rule provision, every SOC 2 criterion and every CSF subcategory maps to
// at least one control.
func TestEveryRequirementMapped(t *testing.T) {
	c := Default()
	for _, id := range []string{HIPAA, HIPAABreach, SOC2, CSF, HIPAANPRM} {
		for _, r := range c.Framework(id).Assessable() {
			if len(r.Controls) == 0 {
				t.Errorf("%s %s (%s) maps to no control", id, r.ID, r.Title)
			}
		}
	}
}

func TestMappingsNameExistingIDs(t *testing.T) {
	c := Default()
	for _, ctl := range c.Controls {
		if c.Control(ctl.ID) != ctl {
			t.Errorf("Control(%q) does not return it", ctl.ID)
		}
		if !slices.Contains(Frequencies, ctl.Frequency) {
			t.Errorf("%s: frequency %q", ctl.ID, ctl.Frequency)
		}
		for fid, ids := range ctl.Mappings {
			f := c.Framework(fid)
			if f == nil {
				t.Errorf("%s: unknown framework %s", ctl.ID, fid)
				continue
			}
			for _, id := range ids {
				r := f.Requirement(id)
				if r == nil || !r.Assessable() {
					t.Errorf("%s: %s %s is not an assessable requirement", ctl.ID, fid, id)
				} else if !slices.Contains(r.Controls, ctl.ID) {
					t.Errorf("%s: reverse index of %s lacks it", ctl.ID, id)
				}
			}
		}
	}
	for _, f := range c.Frameworks {
		for _, r := range f.Requirements {
			for _, id := range r.Controls {
				if c.Control(id) == nil {
					t.Errorf("%s %s: unknown control %s", f.ID, r.ID, id)
				}
			}
		}
	}
	for std, ids := range c.NIST.Standards {
		if r := c.Framework(HIPAA).Requirement(std); r == nil || r.Kind != KindStandard {
			t.Errorf("NIST mapping key %s is not a HIPAA standard", std)
		}
		for _, id := range ids {
			if r := c.Framework(CSF).Requirement(id); r == nil || r.Kind != KindSubcategory {
				t.Errorf("NIST mapping %s -> %s is not a CSF subcategory", std, id)
			}
		}
	}
	// NIST SP 800-66r2 maps all 22 standards; 435 pairs in the reference.
	n := 0
	for _, ids := range c.NIST.Standards {
		n += len(ids)
	}
	if len(c.NIST.Standards) != 22 || n != 435 {
		t.Errorf("NIST mapping: %d standards, %d pairs; want 22, 435", len(c.NIST.Standards), n)
	}
}

func TestControlSet(t *testing.T) {
	c := Default()
	// 111: the proposed Security Rule's yearly compliance audit had no
	// control of its own (compliance-audit).
	if n := len(c.Controls); n < 90 || n > 115 {
		t.Errorf("%d controls; the set is meant to be about 90-115", n)
	}
	// Controls the product and its docs name.
	for _, id := range []string{
		"access-review", "mfa", "encryption-at-rest", "encryption-in-transit", "audit-logging", "log-review",
		"backup", "restore-test", "incident-response-plan", "incident-response-test", "security-training",
		"phishing-simulation", "vendor-review", "baa-management", "change-management", "code-review",
		"vulnerability-scanning", "penetration-test", "patch-management", "endpoint-protection", "mdm",
		"risk-analysis", "risk-management", "sanctions-policy", "contingency-plan", "disaster-recovery-test",
		"media-disposal", "facility-access", "automatic-logoff", "unique-user-ids", "emergency-access",
		"privacy-officer", "security-officer", "breach-notification-procedure", "documentation-retention",
		"policy-review", "background-checks", "onboarding", "offboarding", "code-of-conduct", "board-oversight",
		"org-chart", "asset-inventory", "data-flow-map", "data-classification", "capacity-monitoring",
		"network-segmentation", "firewall-rules", "intrusion-detection", "secure-sdlc",
	} {
		if c.Control(id) == nil {
			t.Errorf("control %s missing", id)
		}
	}
	// Spot checks of mappings against the regulation's own words.
	tests := []struct{ control, framework, id string }{
		{"risk-analysis", HIPAA, "164.308(a)(1)(ii)(A)"},
		{"sanctions-policy", HIPAA, "164.308(a)(1)(ii)(C)"},
		{"log-review", HIPAA, "164.308(a)(1)(ii)(D)"},
		{"security-officer", HIPAA, "164.308(a)(2)"},
		{"offboarding", HIPAA, "164.308(a)(3)(ii)(C)"},
		{"backup", HIPAA, "164.308(a)(7)(ii)(A)"},
		{"unique-user-ids", HIPAA, "164.312(a)(2)(i)"},
		{"automatic-logoff", HIPAA, "164.312(a)(2)(iii)"},
		{"audit-logging", HIPAA, "164.312(b)"},
		{"mfa", HIPAA, "164.312(d)"},
		{"encryption-in-transit", HIPAA, "164.312(e)(2)(ii)"},
		{"baa-management", HIPAA, "164.308(b)(3)"},
		{"documentation-retention", HIPAA, "164.316(b)(2)(i)"},
		{"breach-notification-procedure", HIPAABreach, "164.404(b)"},
		{"access-review", SOC2, "CC6.2"},
		{"change-management", SOC2, "CC8.1"},
		{"vendor-review", SOC2, "CC9.2"},
		{"restore-test", SOC2, "A1.3"},
		{"backup", CSF, "PR.DS-11"},
	}
	for _, tt := range tests {
		if !slices.Contains(c.Control(tt.control).Mappings[tt.framework], tt.id) {
			t.Errorf("%s should map to %s %s", tt.control, tt.framework, tt.id)
		}
	}
}

func TestSource(t *testing.T) {
	c := Default()
	tests := []struct{ control, framework, id, want string }{
		{"mfa", CSF, "PR.AA-03", SourceNIST},        // 164.312(d) -> PR.AA-03 in SP 800-66r2
		{"backup", CSF, "PR.DS-11", SourceNIST},     // 164.308(a)(7) -> PR.DS-11
		{"log-review", CSF, "DE.AE-02", SourceWard}, // not in NIST's 164.308(a)(1) set
		{"log-review", CSF, "DE.CM-03", SourceNIST},
		{"code-review", CSF, "PR.PS-06", SourceWard}, // no HIPAA mapping at all
		{"mfa", HIPAA, "164.312(d)", SourceWard},
		{"mfa", SOC2, "CC6.1", SourceWard},
		{"mfa", CSF, "PR.DS-11", ""},
	}
	for _, tt := range tests {
		if got := c.Source(tt.control, tt.framework, tt.id); got != tt.want {
			t.Errorf("Source(%s, %s, %s) = %q, want %q", tt.control, tt.framework, tt.id, got, tt.want)
		}
	}
	for _, ctl := range c.Controls {
		own := false
		for _, id := range ctl.Mappings[CSF] {
			if c.Source(ctl.ID, CSF, id) == SourceWard {
				own = true
			}
		}
		if own != slices.Contains(ctl.Judgement, CSF) {
			t.Errorf("%s: judgement %v disagrees with the NIST source of its csf mappings", ctl.ID, ctl.Judgement)
		}
	}
}

func TestCompareCitations(t *testing.T) {
	ordered := []string{
		"164.308(a)(1)(i)",
		"164.308(a)(1)(ii)(A)",
		"164.308(a)(1)(ii)(B)",
		"164.308(a)(2)",
		"164.308(a)(3)(i)",
		"164.308(a)(10)",
		"164.308(b)(1)",
		"164.310(a)(2)(iii)",
		"164.310(a)(2)(iv)",
		"164.310(a)(2)(v)",
		"164.310(a)(2)(ix)",
		"164.310(a)(2)(x)",
		"164.310(b)",
		"164.312(a)(1)",
		"164.402",
		"164.402(1)",
		"164.404(a)(2)",
		"164.1000",
	}
	for i := range ordered {
		for j := range ordered {
			got := CompareCitations(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if sign(got) != want {
				t.Errorf("CompareCitations(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestRegulationOrder(t *testing.T) {
	c := Default()
	soc2 := c.Framework(SOC2)
	ids := []string{"P8.1", "A1.1", "CC9.2", "CC1.1", "PI1.5", "CC10.1", "C1.2", "CC1.2"}
	soc2.Sort(ids)
	if want := []string{"CC1.1", "CC1.2", "CC9.2", "A1.1", "C1.2", "PI1.5", "P8.1", "CC10.1"}; !slices.Equal(ids, want) {
		t.Errorf("SOC 2 order = %v, want %v", ids, want)
	}
	csf := c.Framework(CSF)
	ids = []string{"RC.CO-04", "GV.SC-10", "GV.OC-01", "ID.AM-01", "GV.RM-01", "PR.AA-01"}
	csf.Sort(ids)
	if want := []string{"GV.OC-01", "GV.RM-01", "GV.SC-10", "ID.AM-01", "PR.AA-01", "RC.CO-04"}; !slices.Equal(ids, want) {
		t.Errorf("CSF order = %v, want %v", ids, want)
	}
	hipaa := c.Framework(HIPAA)
	for i := 1; i < len(hipaa.Requirements); i++ {
		if CompareCitations(hipaa.Requirements[i-1].ID, hipaa.Requirements[i].ID) >= 0 {
			t.Errorf("%s listed before %s", hipaa.Requirements[i-1].ID, hipaa.Requirements[i].ID)
		}
	}
	for _, ctl := range c.Controls {
		for fid, ids := range ctl.Mappings {
			f := c.Framework(fid)
			if !slices.IsSortedFunc(ids, f.Compare) {
				t.Errorf("%s: %s mappings not in regulation order: %v", ctl.ID, fid, ids)
			}
		}
	}
}

// TestLoadRejects feeds the loader broken copies of the data: every
// reference is checked.
func TestLoadRejects(t *testing.T) {
	base := fstest.MapFS{}
	names, _ := fs.Glob(dataFS, "data/*.yaml")
	for _, n := range names {
		b, _ := fs.ReadFile(dataFS, n)
		base[n] = &fstest.MapFile{Data: b}
	}
	if _, err := load(base); err != nil {
		t.Fatalf("unmodified data: %v", err)
	}
	tests := []struct {
		name, file, old, new, want string
	}{
		{"unknown requirement", "data/controls.yaml", "soc2: [CC1.3, CC1.5]", "soc2: [CC1.3, CC1.9]", `unknown requirement "CC1.9"`},
		{"non-leaf mapping", "data/controls.yaml", "hipaa: [164.308(a)(2)]", "hipaa: [164.308(a)(1)(i)]", "has requirements under it"},
		{"unmarked judgement", "data/controls.yaml", "\n      csf: [PR.AA-03]\n", "\n      csf: [PR.AA-03, GV.RM-07]\n", "mark judgement"},
		{"bad frequency", "data/controls.yaml", "frequency: daily", "frequency: hourly", `frequency "hourly"`},
		{"unknown key", "data/controls.yaml", "    family: governance\n", "    family: governance\n    owner: someone\n", "owner"},
		{"bad parent", "data/hipaa.yaml", "parent: 164.308(a)(3)(i)", "parent: 164.308(a)(9)(i)", "not defined before it"},
		{"out of order", "data/hipaa.yaml", "id: 164.308(a)(1)(ii)(B)", "id: 164.308(a)(1)(ii)(Z)", "out of regulation order"},
		{"bad category", "data/soc2.yaml", "category: availability", "category: uptime", `category "uptime"`},
		{"bad NIST target", "data/nist-800-66r2.yaml", "DE.AE-03,", "DE.AE-05,", "not a CSF 2.0 subcategory"},
		{"serves without outcomes", "data/controls.yaml", "        csf: [GV.RR-02]\n", "", "serves[0]: csf: name the CSF outcomes"},
		{"serves outcome not mapped", "data/controls.yaml", "        csf: [GV.RR-02]\n", "        csf: [GV.RR-02, PR.AA-05]\n", "PR.AA-05 is not one of the control's csf mappings"},
		{"serves outcome unexplained", "data/controls.yaml", "        csf: [GV.RR-02]\n", "        csf: [GV.RR-02, GV.OC-02]\n", "why does not name GV.OC-02"},
		{"standard served twice", "data/controls.yaml", "      - hipaa: [164.316(a), 164.316(b)(1)]\n        csf: [GV.OC-01, GV.OC-05]", "      - hipaa: [164.316(a), 164.316(b)(1), 164.308(a)(4)(i)]\n        csf: [GV.OC-01, GV.OC-05]", "164.308(a)(4)(i) is served by an earlier entry"},
		{"served and mapped", "data/controls.yaml", "      - hipaa: [164.308(a)(1)(i), 164.308(b)(1),", "      - hipaa: [164.308(a)(2), 164.308(a)(1)(i), 164.308(b)(1),", "164.308(a)(2): the control maps to it already"},
		{"served standard's rationale apart", "data/controls.yaml", "      CC3.3: The fraud-risk", "      164.312(a)(1): Another reason.\n      CC3.3: The fraud-risk", "rationale.164.312(a)(1): the control serves 164.312(a)(1): say why in its serves entry"},
		{"unrecorded add", "data/nist-800-66r2.yaml", "      csf: [PR.AA-04]\n", "      csf: [PR.AA-03]\n", "PR.AA-04: ward relates them (single-sign-on) and NIST SP 800-66r2 does not"},
		{"undated source", "data/csf.yaml", `published: "2024-02-26"`, `published: "Feb 2024"`, "not a YYYY-MM-DD date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range base {
				fsys[k] = v
			}
			src := string(base[tt.file].Data)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%s has no %q", tt.file, tt.old)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(src, tt.old, tt.new, 1))}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// Addressable picks the HIPAA addressable specifications (45 CFR
// 164.306(d)(3)) among a control's mappings, its own before the catalog's.
func TestAddressable(t *testing.T) {
	c := Default()
	cases := []struct {
		name, control string
		own           []string
		want          string
	}{
		{"catalog mapping", "automatic-logoff", nil, "164.312(a)(2)(iii)"},
		{"own mapping replaces the catalog's", "automatic-logoff", []string{"164.312(a)(2)(iv)", "164.312(a)(2)(i)"}, "164.312(a)(2)(iv)"},
		{"required specifications only", "automatic-logoff", []string{"164.312(a)(2)(i)", "164.308(a)(1)(ii)(A)"}, ""},
		{"unknown control, no mapping", "no-such-control", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(c.Addressable(tc.control, tc.own), ","); got != tc.want {
				t.Errorf("Addressable(%s, %v) = %q, want %q", tc.control, tc.own, got, tc.want)
			}
		})
	}
}
