package prowler

import (
	"slices"
	"strings"
	"testing"

	"ward/internal/catalog"
)

// The ids Prowler's hipaa_aws.json and soc2_aws.json use (read from the
// Prowler repository, prowler/compliance/aws/), each with the catalog id
// it must become.
var prowlerIDs = []struct{ framework, id, want string }{
	{"HIPAA", "164_308_a_1_ii_a", "164.308(a)(1)(ii)(A)"},
	{"HIPAA", "164_308_a_1_ii_b", "164.308(a)(1)(ii)(B)"},
	{"HIPAA", "164_308_a_1_ii_d", "164.308(a)(1)(ii)(D)"},
	{"HIPAA", "164_308_a_3_i", "164.308(a)(3)(i)"},
	{"HIPAA", "164_308_a_3_ii_a", "164.308(a)(3)(ii)(A)"},
	{"HIPAA", "164_308_a_3_ii_b", "164.308(a)(3)(ii)(B)"},
	{"HIPAA", "164_308_a_3_ii_c", "164.308(a)(3)(ii)(C)"},
	{"HIPAA", "164_308_a_4_i", "164.308(a)(4)(i)"},
	{"HIPAA", "164_308_a_4_ii_a", "164.308(a)(4)(ii)(A)"},
	{"HIPAA", "164_308_a_4_ii_b", "164.308(a)(4)(ii)(B)"},
	// Prowler names this one "(B) Access authorization"; its id and text
	// are (C), access establishment and modification: the id wins.
	{"HIPAA", "164_308_a_4_ii_c", "164.308(a)(4)(ii)(C)"},
	{"HIPAA", "164_308_a_5_ii_b", "164.308(a)(5)(ii)(B)"},
	{"HIPAA", "164_308_a_5_ii_c", "164.308(a)(5)(ii)(C)"},
	{"HIPAA", "164_308_a_5_ii_d", "164.308(a)(5)(ii)(D)"},
	{"HIPAA", "164_308_a_6_i", "164.308(a)(6)(i)"},
	{"HIPAA", "164_308_a_6_ii", "164.308(a)(6)(ii)"},
	{"HIPAA", "164_308_a_7_i", "164.308(a)(7)(i)"},
	{"HIPAA", "164_308_a_7_ii_a", "164.308(a)(7)(ii)(A)"},
	{"HIPAA", "164_308_a_7_ii_b", "164.308(a)(7)(ii)(B)"},
	{"HIPAA", "164_308_a_7_ii_c", "164.308(a)(7)(ii)(C)"},
	{"HIPAA", "164_308_a_8", "164.308(a)(8)"},
	{"HIPAA", "164_312_a_1", "164.312(a)(1)"},
	{"HIPAA", "164_312_a_2_i", "164.312(a)(2)(i)"},
	{"HIPAA", "164_312_a_2_ii", "164.312(a)(2)(ii)"},
	{"HIPAA", "164_312_a_2_iv", "164.312(a)(2)(iv)"},
	{"HIPAA", "164_312_b", "164.312(b)"},
	{"HIPAA", "164_312_c_1", "164.312(c)(1)"},
	{"HIPAA", "164_312_c_2", "164.312(c)(2)"},
	{"HIPAA", "164_312_d", "164.312(d)"},
	{"HIPAA", "164_312_e_1", "164.312(e)(1)"},
	{"HIPAA", "164_312_e_2_i", "164.312(e)(2)(i)"},
	{"HIPAA", "164_312_e_2_ii", "164.312(e)(2)(ii)"},
	{"SOC2", "cc_1_3", "CC1.3"},
	{"SOC2", "cc_2_1", "CC2.1"},
	{"SOC2", "cc_3_1", "CC3.1"},
	{"SOC2", "cc_3_2", "CC3.2"},
	{"SOC2", "cc_3_3", "CC3.3"},
	{"SOC2", "cc_3_4", "CC3.4"},
	{"SOC2", "cc_4_2", "CC4.2"},
	{"SOC2", "cc_6_1", "CC6.1"},
	{"SOC2", "cc_7_2", "CC7.2"},
	{"SOC2", "cc_a_1_1", "A1.1"},
	{"SOC2", "cc_a_1_2", "A1.2"},
	{"SOC2", "cc_c_1_1", "C1.1"},
	{"SOC2", "cc_c_1_2", "C1.2"},
	{"SOC2", "pi_1_2", "PI1.2"},
	{"SOC2", "p_4_2", "P4.2"},
	// Rules: a standard without its (i), a catalog-style id.
	{"HIPAA", "164_308_a_1", "164.308(a)(1)(i)"},
	{"SOC2", "CC6.1", "CC6.1"},
	// The exceptions table.
	{"HIPAA", "164_308_b", "164.308(b)(1)"},
	{"HIPAA", "164_316_b", "164.316(b)(1)"},
}

func TestMapProwlerIDs(t *testing.T) {
	m := MustMapper()
	for _, c := range prowlerIDs {
		ts, ok := m.Map(Requirement{Framework: c.framework, ID: c.id})
		if !ok || len(ts) != 1 || ts[0].ID != c.want {
			t.Errorf("%s %s -> %v %v, want %s", c.framework, c.id, ts, ok, c.want)
			continue
		}
		if len(m.Controls(ts[0])) == 0 {
			t.Errorf("%s %s -> %s maps to no catalog control: its findings would attach to nothing", c.framework, c.id, c.want)
		}
	}
}

// Every assessable HIPAA specification and SOC 2 criterion of the
// catalog, written the way Prowler writes ids, maps back to itself: the
// rule covers the whole catalog, not only today's Prowler files.
func TestEveryCatalogIDRoundTrips(t *testing.T) {
	m := MustMapper()
	cat := catalog.Default()
	n := 0
	for _, fw := range []string{catalog.HIPAA, catalog.SOC2} {
		for _, r := range cat.Framework(fw).Requirements {
			var prowlerID, key string
			if fw == catalog.HIPAA {
				key = "HIPAA"
				prowlerID = strings.NewReplacer(".", "_", ")(", "_", "(", "_", ")", "").Replace(strings.ToLower(r.ID))
			} else {
				key = "SOC2"
				if r.Kind != catalog.KindCriterion {
					continue
				}
				prowlerID = strings.ToLower(strings.Replace(r.ID, ".", "_", 1))
				if strings.HasPrefix(prowlerID, "cc") {
					prowlerID = "cc_" + prowlerID[2:]
				} else {
					i := strings.IndexAny(prowlerID, "0123456789")
					prowlerID = "cc_" + prowlerID[:i] + "_" + prowlerID[i:]
				}
			}
			ts, ok := m.Map(Requirement{Framework: key, ID: prowlerID})
			if !ok || len(ts) != 1 || ts[0].ID != r.ID || ts[0].Framework != fw {
				t.Errorf("%s %s (from %s) -> %v %v", key, prowlerID, r.ID, ts, ok)
			}
			n++
		}
	}
	if n < 60+61 {
		t.Errorf("only %d catalog ids checked", n)
	}
}

func TestUnmappable(t *testing.T) {
	m := MustMapper()
	for _, r := range []Requirement{
		{"HIPAA", "164_308_a_9"},      // no such standard
		{"HIPAA", "164_999_a_1"},      // no such section
		{"HIPAA", "164.308(a)(1)"},    // not Prowler's shape
		{"HIPAA", "164_308_a_1_ii_z"}, // no (Z)
		{"SOC2", "cc_10_1"},
		{"SOC2", "cc_6_9"},
		{"SOC2", "x_1_1"},
		{"SOC2", ""},
		{"CIS-3.0", "1.20"},
	} {
		if ts, ok := m.Map(r); ok {
			t.Errorf("%v -> %v, want unmapped", r, ts)
		}
	}
}

func TestFrameworkKeys(t *testing.T) {
	for key, want := range map[string]string{"HIPAA": "HIPAA", "hipaa": "HIPAA", "SOC2": "SOC2", "SOC2-2017": "SOC2", "CIS-3.0": "", "SOC": "",
		" Soc2-2017 ": "SOC2", "HIPAA-": "HIPAA", "-HIPAA": "", "SOC2x": "", "\tHiPaA\n": "HIPAA", "ſoc2": "SOC2", "hıpaa": "HIPAA", "SOC2\u00a0": "SOC2"} {
		if got := Framework(key); got != want {
			t.Errorf("Framework(%q) = %q, want %q", key, got, want)
		}
		// The ASCII shortcut answers as upper-casing every key would.
		base, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(key)), "-")
		if ref := map[string]string{"HIPAA": "HIPAA", "SOC2": "SOC2"}[base]; Framework(key) != ref {
			t.Errorf("Framework(%q) = %q, upper-cased: %q", key, Framework(key), ref)
		}
	}
}

// A check's failing findings are open items on the controls its
// requirements share, not on everything a broad criterion maps to.
func TestTallyControls(t *testing.T) {
	fs, _, err := readAll(t, mustRead(t, "sample.ocsf.json"))
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTally(MustMapper())
	for _, f := range fs {
		tl.Add(f)
	}
	cs := checkControls(tl)
	has := func(check, control string) bool {
		for _, c := range cs[check] {
			if c == control {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		check, control string
		want           bool
	}{
		{"s3_bucket_default_encryption", "encryption-at-rest", true},
		{"s3_bucket_default_encryption", "key-management", true},
		{"s3_bucket_default_encryption", "mfa", false}, // only through CC6.1
		{"iam_root_mfa_enabled", "mfa", true},
		{"iam_root_mfa_enabled", "encryption-at-rest", false},
		{"rds_instance_backup_enabled", "backup", true},
	} {
		if has(c.check, c.control) != c.want {
			t.Errorf("%s on %s: %v, want %v (%v)", c.check, c.control, !c.want, c.want, cs[c.check])
		}
	}
	if _, ok := cs["account_security_contact_information_is_registered"]; ok {
		t.Error("a check with only CIS ids touches a control")
	}
	all := tl.AllControls()
	for _, c := range []string{"mfa", "encryption-at-rest", "backup", "audit-logging"} {
		if !slices.Contains(all, c) {
			t.Errorf("the file is not evidence for %s: %v", c, all)
		}
	}
	for _, c := range []string{"org-chart", "onboarding", "risk-management"} {
		if slices.Contains(all, c) {
			t.Errorf("a Prowler scan is evidence for %s only through a broad requirement: %v", c, all)
		}
	}
	if tl.Findings != 6 || tl.ByStatus[StatusFail] != 3 || len(tl.Unmapped()) != 0 || !tl.Newest.Equal(fs[0].Time) {
		t.Errorf("tally: %+v", tl)
	}
}

// checkControls is check id -> every control it lands on, checks that
// land on nothing left out.
func checkControls(tl *Tally) map[string][]string {
	out := map[string][]string{}
	for _, c := range tl.Checks() {
		if len(c.Controls) > 0 {
			out[c.Check] = c.Controls
		}
	}
	return out
}
