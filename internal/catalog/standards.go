package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Sources of the HIPAA -> CSF crosswalk at standard level
// (StandardCrosswalk).
const (
	SourceControls = "controls" // ward's controls relate the two
	SourceBoth     = "both"     // side by side, with where they differ
	// SourceNIST ("nist-sp-800-66r2") names NIST SP 800-66r2's mapping.
)

// Sources lists them as the command line names them.
var Sources = []string{"nist", SourceControls, SourceBoth}

// StandardPair is one HIPAA Security Rule standard and one CSF 2.0
// subcategory, as NIST SP 800-66r2 and ward's controls relate them.
type StandardPair struct {
	Standard string `json:"standard"`
	CSF      string `json:"csf"`
	NIST     bool   `json:"nist"` // NIST SP 800-66r2 maps the standard to it
	Ward     bool   `json:"ward"` // a ward control relates them
	// Via are the controls that relate them: mapped to the standard (or
	// one of its specifications) and to the subcategory, or serving the
	// standard with that outcome (Control.ServesWith, per standard).
	Via []string `json:"via,omitempty"`
	// Why is ward's reason where it and NIST disagree on purpose
	// (data/nist-800-66r2.yaml, disagreements).
	Why string `json:"why,omitempty"`
	// Gap marks a NIST pair no ward control relates and ward records no
	// reason to leave out: NIST relates the outcome to the standard as a
	// whole and no single control of ward's claims it there.
	Gap bool `json:"gap,omitempty"`
}

// Agreement measures ward's control-derived pairs against NIST's: raw,
// over every pair, and after the recorded disagreements (the pairs ward
// adds or leaves out on purpose, each with why, taken out of the count).
type Agreement struct {
	Ward      int     `json:"ward"`      // pairs ward's controls give
	NIST      int     `json:"nist"`      // pairs NIST SP 800-66r2 gives
	Both      int     `json:"both"`      // pairs both give
	Precision float64 `json:"precision"` // both / ward, percent, one decimal
	Recall    float64 `json:"recall"`    // both / NIST, percent, one decimal
	// AddsRecorded are ward's pairs NIST does not give that the catalog
	// records with why (all of them: the catalog's tests see to it);
	// OmitsRecorded NIST's pairs ward leaves out on purpose, with why;
	// Gaps the other NIST pairs no ward control gives.
	AddsRecorded  int `json:"adds_recorded"`
	OmitsRecorded int `json:"omits_recorded"`
	Gaps          int `json:"gaps"`
	// After the recorded disagreements: both / (ward - recorded adds)
	// and both / (NIST - recorded omits), percent, one decimal.
	PrecisionAfter float64 `json:"precision_after"`
	RecallAfter    float64 `json:"recall_after"`
}

// StandardCrosswalk is HIPAA standards × CSF subcategories from one
// source, or both side by side.
type StandardCrosswalk struct {
	Source    string         `json:"source"`
	Pairs     []StandardPair `json:"pairs"`
	Agreement Agreement      `json:"agreement"`
	// Unreached are the CSF subcategories the source relates to no HIPAA
	// standard, each with why (data/csf.yaml, hipaa_scope).
	Unreached []Unreached `json:"unreached"`
}

// Unreached is a CSF subcategory no HIPAA standard reaches.
type Unreached struct {
	CSF string `json:"csf"`
	Why string `json:"why"`
}

// Disagreement is a pair where ward and NIST SP 800-66r2 differ on
// purpose: ward relates it and NIST does not (Adds), or NIST does and ward
// attributes it to no control (Omits).
type Disagreement struct {
	Standard string   `json:"standard" yaml:"standard"`
	CSF      []string `json:"csf" yaml:"csf"`
	Why      string   `json:"why" yaml:"why"`
}

// WardStandardPairs is ward's control-derived HIPAA standard × CSF
// subcategory relation: standard -> subcategory -> the controls. It is
// made from ward's own data alone: a control mapped to a standard (or one
// of its specifications) and to the subcategory, or serving the standard
// through that outcome (Control.ServesWith, per standard). NIST SP
// 800-66r2's mapping never enters it; it is only measured against it.
func (c *Catalog) WardStandardPairs() map[string]map[string][]string {
	hipaa := c.frameworks[HIPAA]
	out := map[string]map[string][]string{}
	add := func(s, x, ctl string) {
		if out[s] == nil {
			out[s] = map[string][]string{}
		}
		if !slices.Contains(out[s][x], ctl) {
			out[s][x] = append(out[s][x], ctl)
		}
	}
	for _, ctl := range c.Controls {
		for _, id := range ctl.Mappings[HIPAA] {
			s := hipaa.standardOf(id)
			for _, x := range ctl.Mappings[CSF] {
				add(s, x, ctl.ID)
			}
		}
		for s, xs := range ctl.ServesWith {
			for _, x := range xs {
				add(s, x, ctl.ID)
			}
		}
	}
	for _, m := range out {
		for _, v := range m {
			slices.Sort(v)
		}
	}
	return out
}

// StandardCrosswalk relates HIPAA standards to CSF 2.0 subcategories by
// NIST SP 800-66r2 ("nist"), by ward's controls ("controls") or both side
// by side ("both"), in regulation order, with the agreement between the
// two and the subcategories the source reaches from no standard.
func (c *Catalog) StandardCrosswalk(source string) (StandardCrosswalk, error) {
	if !slices.Contains(Sources, source) {
		return StandardCrosswalk{}, fmt.Errorf("unknown source %q (one of %s)", source, strings.Join(Sources, ", "))
	}
	hipaa, csf := c.frameworks[HIPAA], c.frameworks[CSF]
	ward := c.WardStandardPairs()
	why := map[[2]string]string{}
	for _, d := range append(slices.Clone(c.NIST.Adds), c.NIST.Omits...) {
		for _, x := range d.CSF {
			why[[2]string{d.Standard, x}] = d.Why
		}
	}
	cw := StandardCrosswalk{Source: source, Pairs: []StandardPair{}, Unreached: []Unreached{}}
	a := &cw.Agreement
	reached := map[string]bool{}
	for _, r := range hipaa.Requirements {
		if r.Kind != KindStandard {
			continue
		}
		set := map[string]bool{}
		for _, x := range c.NIST.Standards[r.ID] {
			set[x] = true
		}
		for x := range ward[r.ID] {
			set[x] = true
		}
		ids := make([]string, 0, len(set))
		for x := range set {
			ids = append(ids, x)
		}
		csf.Sort(ids)
		for _, x := range ids {
			p := StandardPair{Standard: r.ID, CSF: x, NIST: slices.Contains(c.NIST.Standards[r.ID], x), Via: ward[r.ID][x]}
			p.Ward = len(p.Via) > 0
			if p.NIST {
				a.NIST++
			}
			if p.Ward {
				a.Ward++
			}
			if p.NIST && p.Ward {
				a.Both++
			}
			if p.NIST != p.Ward {
				p.Why = why[[2]string{r.ID, x}]
				switch {
				case p.Why != "" && p.Ward:
					a.AddsRecorded++
				case p.Why != "":
					a.OmitsRecorded++
				case p.NIST:
					p.Gap = true
					a.Gaps++
				}
			}
			keep := source == SourceBoth || (source == SourceControls && p.Ward) || (source == "nist" && p.NIST)
			if keep {
				cw.Pairs = append(cw.Pairs, p)
				reached[x] = true
			}
		}
	}
	a.Precision, a.Recall = percent(a.Both, a.Ward), percent(a.Both, a.NIST)
	a.PrecisionAfter = percent(a.Both, a.Ward-a.AddsRecorded)
	a.RecallAfter = percent(a.Both, a.NIST-a.OmitsRecorded)
	for _, r := range csf.assessable {
		if reached[r.ID] {
			continue
		}
		w := r.HIPAAScope
		if source == "nist" {
			w = "NIST SP 800-66r2 relates no HIPAA standard to it"
			if r.HIPAAScope != "" {
				w += "; " + r.HIPAAScope
			} else if cw.wardReaches(ward, r.ID) {
				w += " (ward's controls do: see --source both)"
			}
		}
		if w == "" {
			w = "no reason recorded"
		}
		cw.Unreached = append(cw.Unreached, Unreached{CSF: r.ID, Why: w})
	}
	return cw, nil
}

// wardReaches reports whether ward's controls relate some standard to the
// subcategory.
func (cw *StandardCrosswalk) wardReaches(ward map[string]map[string][]string, x string) bool {
	for _, m := range ward {
		if _, ok := m[x]; ok {
			return true
		}
	}
	return false
}

func percent(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(int(float64(n)/float64(d)*1000+0.5)) / 10
}

// disagreementsCheck verifies the recorded disagreements: every pair
// ward adds is listed with why, and every listed pair, added or omitted,
// still differs. Omits need not be exhaustive: a NIST pair neither
// listed nor related by a ward control is a gap, counted as such.
func (c *Catalog) disagreementsCheck() error {
	ward := c.WardStandardPairs()
	listed := map[[3]string]bool{}
	var errs []string
	for _, set := range []struct {
		kind string
		ds   []Disagreement
	}{{"adds", c.NIST.Adds}, {"omits", c.NIST.Omits}} {
		for _, d := range set.ds {
			for _, x := range d.CSF {
				nist := slices.Contains(c.NIST.Standards[d.Standard], x)
				_, w := ward[d.Standard][x]
				listed[[3]string{set.kind, d.Standard, x}] = true
				switch {
				case set.kind == "adds" && !(w && !nist):
					errs = append(errs, fmt.Sprintf("disagreements.adds: %s %s: ward does not add it (ward %v, NIST %v)", d.Standard, x, w, nist))
				case set.kind == "omits" && !(nist && !w):
					errs = append(errs, fmt.Sprintf("disagreements.omits: %s %s: ward does not omit it (ward %v, NIST %v)", d.Standard, x, w, nist))
				}
			}
		}
	}
	for s, m := range ward {
		for x, via := range m {
			if !slices.Contains(c.NIST.Standards[s], x) && !listed[[3]string{"adds", s, x}] {
				errs = append(errs, fmt.Sprintf("%s %s: ward relates them (%s) and NIST SP 800-66r2 does not: list it under disagreements.adds with why, or change the mapping", s, x, strings.Join(via, ", ")))
			}
		}
	}
	slices.SortFunc(errs, cmp.Compare)
	if len(errs) > 0 {
		return fmt.Errorf("%d disagreement(s) with NIST SP 800-66r2 not as recorded:\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	return nil
}
