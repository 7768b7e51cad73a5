package prowler

import (
	"slices"
	"testing"

	"ward/internal/catalog"
)

func TestHintsNameCatalogControls(t *testing.T) {
	if err := checkTable(catalog.Default()); err != nil {
		t.Fatal(err)
	}
	if len(table().Technical) == 0 || len(table().Hints) == 0 {
		t.Fatal("empty hints table")
	}
}

// A check's open items land on what it tests: the root-MFA check on mfa
// (and privileged access, as a root account check), not on every control
// of SOC 2 CC6.1; a check whose id says nothing keeps the requirement rule.
func TestCheckControlsFollowTheCheckID(t *testing.T) {
	m := MustMapper()
	cases := []struct {
		check string
		reqs  []Requirement
		want  []string
	}{
		{"iam_root_mfa_enabled", []Requirement{{"HIPAA", "164_308_a_3_ii_a"}, {"HIPAA", "164_312_d"}, {"SOC2", "cc_6_1"}, {"SOC2", "cc_6_2"}},
			[]string{"mfa", "privileged-access"}},
		{"s3_bucket_default_encryption", []Requirement{{"HIPAA", "164_312_a_2_iv"}, {"SOC2", "cc_6_1"}, {"SOC2", "cc_6_7"}},
			[]string{"encryption-at-rest", "key-management"}},
		{"rds_instance_backup_enabled", []Requirement{{"HIPAA", "164_308_a_7_ii_a"}, {"SOC2", "cc_a_1_2"}},
			[]string{"backup"}},
		{"cloudtrail_multi_region_enabled", []Requirement{{"HIPAA", "164_312_b"}, {"SOC2", "cc_7_2"}},
			[]string{"audit-logging", "log-review"}},
	}
	for _, c := range cases {
		tl := NewTally(m)
		tl.Add(&Finding{Check: c.check, Status: "FAIL", Requirements: c.reqs})
		got := checkControls(tl)[c.check]
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.check, got, c.want)
		}
	}
	// No word of the id matches: the shared-requirement rule decides.
	tl := NewTally(m)
	tl.Add(&Finding{Check: "account_maintain_current_contact_details", Status: "FAIL", Requirements: []Requirement{{"HIPAA", "164_308_a_6_ii"}}})
	if got := checkControls(tl)["account_maintain_current_contact_details"]; len(got) == 0 {
		t.Error("a check with no hint lost its controls")
	}
}
