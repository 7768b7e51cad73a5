package prowler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"ward/internal/catalog"
)

// prowlerMapping is one of Prowler's compliance mapping files
// (testdata/prowler-5.40, from prowler-cloud/prowler 5.40.0).
type prowlerMapping struct {
	Framework    string `json:"Framework"`
	Provider     string `json:"Provider"`
	Requirements []struct {
		ID     string   `json:"Id"`
		Checks []string `json:"Checks"`
	} `json:"Requirements"`
}

func readMapping(t testing.TB, name string) prowlerMapping {
	t.Helper()
	b, err := os.ReadFile("testdata/prowler-5.40/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m prowlerMapping
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// idsByCheck: check -> the requirement ids the mapping file lists it under.
func (m prowlerMapping) idsByCheck() map[string][]string {
	out := map[string][]string{}
	for _, r := range m.Requirements {
		for _, c := range r.Checks {
			if !slices.Contains(out[c], r.ID) {
				out[c] = append(out[c], r.ID)
			}
		}
	}
	return out
}

// corpusScan writes, for one provider, an OCSF file in the shape of
// Prowler's own example output with one failing finding per check of the
// provider's HIPAA and SOC 2 files, each carrying every HIPAA and SOC 2
// id Prowler writes for it (and, as a real finding does, ids of other
// frameworks), and reads it back as an import would.
func corpusScan(t testing.TB, provider string, keep func(fw string) bool) *Tally {
	t.Helper()
	example, err := os.ReadFile("testdata/prowler-5.40/example_output_" + provider + ".ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(example, &objs); err != nil {
		t.Fatal(err)
	}
	hipaa := readMapping(t, "hipaa_"+provider+".json").idsByCheck()
	soc2 := readMapping(t, "soc2_"+provider+".json").idsByCheck()
	checks := map[string]bool{}
	for c := range hipaa {
		checks[c] = true
	}
	for c := range soc2 {
		checks[c] = true
	}
	ids := make([]string, 0, len(checks))
	for c := range checks {
		ids = append(ids, c)
	}
	sort.Strings(ids)
	var out []any
	for i, c := range ids {
		var f map[string]any
		raw, _ := json.Marshal(objs[0])
		json.Unmarshal(raw, &f)
		f["metadata"].(map[string]any)["event_code"] = c
		f["status_code"] = "FAIL"
		f["finding_info"].(map[string]any)["uid"] = fmt.Sprintf("prowler-%s-%s-%d", provider, c, i)
		comp := map[string]any{"CIS-3.0": []string{"1.1"}, "ENS-RD2022": []string{"op.exp.8.aws.ct.1"}}
		if keep("HIPAA") && len(hipaa[c]) > 0 {
			comp["HIPAA"] = hipaa[c]
		}
		if keep("SOC2") && len(soc2[c]) > 0 {
			comp["SOC2"] = soc2[c]
		}
		f["unmapped"].(map[string]any)["compliance"] = comp
		out = append(out, f)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTally(MustMapper())
	for {
		f, err := r.Next()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatal(err)
		}
		tl.Add(f)
	}
	if tl.Findings != len(ids) {
		t.Fatalf("%s: read %d findings, wrote %d", provider, tl.Findings, len(ids))
	}
	return tl
}

// For every check of Prowler's HIPAA and SOC 2 mapping files, the failing
// finding lands on a control the catalog maps to a requirement Prowler
// names for that check in that file, and on no more than MaxControls
// controls in all. The share per file is printed (go test -v -run
// TestProwlerCorpus).
func TestProwlerCorpusPlacement(t *testing.T) {
	m := MustMapper()
	everyone := func(string) bool { return true }
	missed := map[string]bool{}
	defer func() {
		for _, d := range Disagreements() {
			if !missed[d.Check] {
				t.Errorf("hints.yaml lists a disagreement on %s, but it lands on a control of a requirement Prowler names", d.Check)
			}
		}
	}()
	for _, provider := range []string{"aws", "azure", "gcp"} {
		tl := corpusScan(t, provider, everyone)
		byCheck := map[string]Check{}
		for _, c := range tl.Checks() {
			byCheck[c.Check] = c
			if len(c.Controls) > MaxControls {
				t.Errorf("%s %s lands on %d controls (%s), more than %d", provider, c.Check, len(c.Controls), strings.Join(c.Controls, ", "), MaxControls)
			}
			for _, id := range c.Controls {
				if !Technical(id) && !slices.ContainsFunc(CheckHints(c.Check), func(h Hint) bool { return slices.Contains(h.Controls, id) && h.Reason != "" }) {
					t.Errorf("%s %s lands on %s, not a technical control, with no hint giving a reason", provider, c.Check, id)
				}
			}
		}
		// The controls of the requirements Prowler names for each check,
		// found from the mapping files, not from the placement.
		type named struct {
			ids map[string][]string // catalog framework -> Prowler ids
			of  map[string]bool     // controls of those requirements, any framework
			own map[string]map[string]bool
		}
		files := []struct{ file, key, catalog string }{{"hipaa", "HIPAA", catalog.HIPAA}, {"soc2", "SOC2", catalog.SOC2}}
		checks := map[string]*named{}
		for _, fw := range files {
			for check, ids := range readMapping(t, fw.file+"_"+provider+".json").idsByCheck() {
				n := checks[check]
				if n == nil {
					n = &named{ids: map[string][]string{}, of: map[string]bool{}, own: map[string]map[string]bool{}}
					checks[check] = n
				}
				n.ids[fw.catalog] = ids
				n.own[fw.catalog] = map[string]bool{}
				for _, id := range ids {
					ts, ok := m.Map(Requirement{fw.key, id})
					if !ok {
						t.Errorf("%s_%s: %s %s maps to no catalog requirement", fw.file, provider, fw.key, id)
					}
					for _, tg := range ts {
						for _, c := range m.Controls(tg) {
							n.of[c] = true
							n.own[fw.catalog][c] = true
						}
					}
				}
			}
		}
		for _, fw := range files {
			file := fw.file + "_" + provider + ".json"
			total, landed, ownLanded := 0, 0, 0
			var misses, unplaced []string
			for check, n := range checks {
				if n.ids[fw.catalog] == nil {
					continue
				}
				total++
				c := byCheck[check]
				if slices.ContainsFunc(c.Controls, func(id string) bool { return n.of[id] }) {
					landed++
				} else {
					missed[check] = true
					misses = append(misses, fmt.Sprintf("%s (HIPAA %s; SOC 2 %s)", check, strings.Join(n.ids[catalog.HIPAA], ", "), strings.Join(n.ids[catalog.SOC2], ", ")))
				}
				for _, p := range c.Placements {
					if p.Framework != fw.catalog {
						continue
					}
					if len(p.Controls) > 0 {
						ownLanded++
					} else {
						unplaced = append(unplaced, check+": "+p.Unplaced)
					}
					for _, id := range p.IDs() {
						if !n.own[fw.catalog][id] {
							t.Errorf("%s: %s lands on %s, which none of its %s requirements maps to", file, check, id, fw.key)
						}
					}
				}
			}
			sort.Strings(misses)
			sort.Strings(unplaced)
			t.Logf("%-17s %3d of %3d checks (%5.1f%%) land on a control of a requirement Prowler names; %3d (%5.1f%%) on one of its %s requirements",
				file, landed, total, 100*float64(landed)/float64(total), ownLanded, 100*float64(ownLanded)/float64(total), fw.key)
			for _, miss := range misses {
				check, _, _ := strings.Cut(miss, " ")
				if disagreement(check) == "" {
					t.Errorf("%s: %s lands on no control of a requirement Prowler names, and hints.yaml lists no disagreement", file, miss)
				} else {
					t.Logf("    disagreement: %s: %s", miss, disagreement(check))
				}
			}
			if testing.Verbose() {
				for _, u := range unplaced {
					t.Logf("    not placed in %s: %s", fw.key, u)
				}
			}
		}
	}
}

// A check's HIPAA placement is decided by its HIPAA ids alone: the same
// checks land on the same controls in HIPAA whether Prowler also wrote
// their SOC 2 ids or not, and the other way round.
func TestPlacementIgnoresOtherFrameworksIDs(t *testing.T) {
	for _, provider := range []string{"aws", "azure", "gcp"} {
		both := corpusScan(t, provider, func(string) bool { return true })
		for _, only := range []struct{ key, fw string }{{"HIPAA", catalog.HIPAA}, {"SOC2", catalog.SOC2}} {
			one := corpusScan(t, provider, func(k string) bool { return k == only.key })
			a, b := both.Placements()[only.fw], one.Placements()[only.fw]
			if len(a) == 0 {
				t.Fatalf("%s %s: nothing placed", provider, only.key)
			}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("%s: %s placement changes when the other framework's ids are left out", provider, only.key)
			}
		}
	}
}
