package imports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleWith writes Prowler's sample OCSF file plus a failing SSH-open
// check (Prowler files it under HIPAA 164_308_a_1_ii_b, 164_312_e_1 and
// SOC 2 cc_6_6, cc_7_2 in hipaa_aws.json and soc2_aws.json), keeping only
// the compliance keys keep allows.
func sampleWith(t *testing.T, dir, name string, keep func(key string) bool) string {
	t.Helper()
	b, err := os.ReadFile(prowlerSample)
	if err != nil {
		t.Fatal(err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	var ssh map[string]any
	raw, _ := json.Marshal(fs[0])
	json.Unmarshal(raw, &ssh)
	ssh["metadata"].(map[string]any)["event_code"] = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"
	ssh["finding_info"].(map[string]any)["uid"] = "prowler-aws-ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22-123456789012-us-east-1-sg-0abc"
	ssh["resources"].([]any)[0].(map[string]any)["uid"] = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc"
	ssh["status_code"] = "FAIL"
	ssh["unmapped"].(map[string]any)["compliance"] = map[string]any{
		"HIPAA": []string{"164_308_a_1_ii_b", "164_312_e_1"}, "SOC2": []string{"cc_6_6", "cc_7_2"}, "CIS-3.0": []string{"5.2"}}
	fs = append(fs, ssh)
	for _, f := range fs {
		comp := f["unmapped"].(map[string]any)["compliance"].(map[string]any)
		for k := range comp {
			if !keep(k) {
				delete(comp, k)
			}
		}
	}
	out, _ := json.Marshal(fs)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type postureScore struct {
	Score struct {
		Met, Partial int
		NotMet       int `json:"not_met"`
		Percent      float64
	}
	Requirements []struct{ ID, Status string }
	Untracked    []struct {
		Check    string
		Failing  int
		Controls []string
	} `json:"untracked_checks"`
}

func readPosture(t *testing.T, db, fw string) postureScore {
	t.Helper()
	var p postureScore
	if err := json.Unmarshal([]byte(mustWard(t, db, "posture", "--framework", fw, "--as-of", "2026-11-23", "--format", "json")), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The same failing checks give the same HIPAA readiness whether Prowler
// also wrote their SOC 2 ids or not (and the same SOC 2 readiness with or
// without their HIPAA ids): each framework's impact is judged by its own
// ids.
func TestImportProwlerFrameworksDoNotMoveEachOther(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	dbs := map[string]string{}
	for name, keep := range map[string]func(string) bool{
		"both":  func(string) bool { return true },
		"hipaa": func(k string) bool { return k != "SOC2" },
		"soc2":  func(k string) bool { return k != "HIPAA" },
	} {
		db := filepath.Join(dir, name+".db")
		mustWard(t, db, "apply", "-f", demoDir)
		mustWard(t, db, "import", "prowler", sampleWith(t, dir, name+".ocsf.json", keep))
		dbs[name] = db
	}
	fresh := filepath.Join(dir, "fresh.db")
	mustWard(t, fresh, "apply", "-f", demoDir)
	for _, c := range []struct{ fw, same, other string }{{"hipaa", "hipaa", "soc2"}, {"soc2", "soc2", "hipaa"}} {
		both, only, none, before := readPosture(t, dbs["both"], c.fw), readPosture(t, dbs[c.same], c.fw), readPosture(t, dbs[c.other], c.fw), readPosture(t, fresh, c.fw)
		if both.Score != only.Score {
			t.Errorf("%s readiness %+v with both frameworks' ids, %+v with %s ids alone: the other framework's ids moved it", c.fw, both.Score, only.Score, c.fw)
		}
		if both.Score.Percent >= before.Score.Percent {
			t.Errorf("%s readiness %.1f%% after failing checks, %.1f%% before", c.fw, both.Score.Percent, before.Score.Percent)
		}
		if none.Score != before.Score {
			t.Errorf("%s readiness %+v after a scan naming only %s ids, %+v before: findings without %s ids moved it", c.fw, none.Score, c.other, before.Score, c.fw)
		}
	}
}

// Every check of the import is listed with where it landed and why; a
// failing check that lands only on controls the organization has not
// adopted is named in the import, in posture and in ward check, with the
// control to adopt.
func TestImportProwlerShowsEveryPlacement(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", demoDir)
	file := sampleWith(t, dir, "scan.ocsf.json", func(string) bool { return true })
	out := mustWard(t, db, "import", "prowler", "--format", "json", file)
	var r struct {
		Files []struct {
			Checks []struct {
				Check        string
				Status       string
				Controls     []string
				NotAdopted   []string            `json:"not_adopted"`
				Requirements map[string][]string `json:"requirements"`
				Placements   []struct {
					Framework string
					Controls  []struct {
						Control      string
						Requirements []string
						Why          string
					}
					Unplaced string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	checks := map[string]int{}
	for i, c := range r.Files[0].Checks {
		checks[c.Check] = i
		if len(c.Controls) > 6 {
			t.Errorf("%s lands on %d controls", c.Check, len(c.Controls))
		}
		for _, p := range c.Placements {
			for _, l := range p.Controls {
				if l.Why == "" || len(l.Requirements) == 0 {
					t.Errorf("%s on %s (%s) is not explained: %+v", c.Check, l.Control, p.Framework, l)
				}
			}
		}
	}
	if len(checks) != 6 {
		t.Fatalf("%d checks listed, want 6: %s", len(checks), out)
	}
	ssh := r.Files[0].Checks[checks["ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"]]
	if ssh.Status != "FAIL" || !slices.Equal(ssh.Controls, []string{"firewall-rules", "network-segmentation"}) ||
		!slices.Equal(ssh.NotAdopted, ssh.Controls) || !slices.Equal(ssh.Requirements["hipaa"], []string{"164.308(a)(1)(ii)(B)", "164.312(e)(1)"}) {
		t.Errorf("ssh check: %+v", ssh)
	}
	if mfa := r.Files[0].Checks[checks["iam_root_mfa_enabled"]]; !slices.Contains(mfa.Controls, "mfa") || len(mfa.NotAdopted) == len(mfa.Controls) {
		t.Errorf("root mfa check: %+v", mfa)
	}
	if contact := r.Files[0].Checks[checks["account_security_contact_information_is_registered"]]; len(contact.Controls) != 0 || contact.Status != "MANUAL" {
		t.Errorf("a check with CIS ids alone lands on %v", contact.Controls)
	}
	// A second scan so the text import is a new file.
	text := mustWard(t, db, "import", "prowler", sampleWith(t, dir, "scan2.ocsf.json", func(k string) bool { return k != "CIS-3.0" }))
	if !strings.Contains(text, "not tracked: ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22 (1 failing) lands on firewall-rules, network-segmentation, not adopted: adopt firewall-rules to track it") {
		t.Errorf("import text does not name the untracked check:\n%s", text)
	}
	p := readPosture(t, db, "hipaa")
	if len(p.Untracked) != 1 || p.Untracked[0].Check != "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22" || p.Untracked[0].Failing != 1 {
		t.Errorf("posture untracked_checks: %+v", p.Untracked)
	}
	if txt := mustWard(t, db, "posture", "--as-of", "2026-11-23"); !strings.Contains(txt, "adopt firewall-rules to track it") {
		t.Errorf("posture text does not name the untracked check:\n%s", txt)
	}
	_, stdout, _ := ward(t, db, "check", "--as-of", "2026-11-23")
	if !strings.Contains(stdout, "warning scan.untracked ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22: 1 failing finding of scanner check") ||
		!strings.Contains(stdout, "adopt firewall-rules to track it") {
		t.Errorf("ward check does not name the untracked check:\n%s", stdout)
	}
}
