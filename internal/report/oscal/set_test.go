package oscal

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/report/oscal/oscalmodel"
	"ward/internal/report/oscal/oscaltest"
	"ward/internal/workspace"
)

// setBytes is a set as the files ward export oscal all writes.
func setBytes(t *testing.T, ws *workspace.Workspace, asOf date.Date) map[string][]byte {
	t.Helper()
	files, err := Set(ws, catalog.Default(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := Marshal(f.Doc)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// Every document of the set is valid against NIST's OSCAL 1.1.3 schema
// and loads in the object model generated from that schema, with unknown
// fields refused and every required field present.
func TestSetLoadsInNISTModel(t *testing.T) {
	for name, ws := range map[string]*workspace.Workspace{"demo": loadWorkspace(t, demoDir), "name only": {Organization: workspace.Organization{Name: "Solo Clinic"}}} {
		for file, data := range setBytes(t, ws, demoAsOf) {
			if err := oscaltest.Validate(file, data); err != nil {
				t.Errorf("%s %s does not validate against NIST's schema:\n%v", name, file, err)
			}
			if _, err := oscalmodel.Load(data); err != nil {
				t.Errorf("%s %s does not load in the NIST model: %v", name, file, err)
			}
		}
	}
}

// The model is strict: a property OSCAL does not define, a required one
// left out, or a value of the wrong type does not load.
func TestNISTModelRefuses(t *testing.T) {
	set := setBytes(t, loadDemo(t), demoAsOf)
	for _, c := range []struct {
		name, file string
		edit       func(m map[string]any)
	}{
		{"an unknown property", FileSSP, func(m map[string]any) { root(m, "system-security-plan")["ward-extra"] = "x" }},
		{"no import-ap", FileAssessmentResults, func(m map[string]any) { delete(root(m, "assessment-results"), "import-ap") }},
		{"a number for a string", FilePOAM, func(m map[string]any) { root(m, "plan-of-action-and-milestones")["uuid"] = 7 }},
		{"a catalog control without title", FileCatalog, func(m map[string]any) {
			g := root(m, "catalog")["groups"].([]any)[0].(map[string]any)["groups"].([]any)[0].(map[string]any)
			delete(g["controls"].([]any)[0].(map[string]any), "title")
		}},
	} {
		var m map[string]any
		if err := json.Unmarshal(set[c.file], &m); err != nil {
			t.Fatal(err)
		}
		c.edit(m)
		raw, _ := json.Marshal(m)
		if _, err := oscalmodel.Load(raw); err == nil {
			t.Errorf("%s: %s with %s loads", c.file, c.file, c.name)
		}
	}
}

// setIndex is what a set defines: per document its UUIDs and ids, the
// catalog's control and part ids, and the files.
type setIndex struct {
	files    map[string]bool
	uuids    map[string]map[string]int // file -> uuid -> times defined
	ids      map[string]map[string]bool
	roles    map[string]map[string]bool
	controls map[string]bool // catalog control ids
	parts    map[string]bool // catalog part ids
}

func indexSet(t *testing.T, set map[string][]byte, extra []string) (*setIndex, map[string]map[string]any) {
	t.Helper()
	ix := &setIndex{files: map[string]bool{}, uuids: map[string]map[string]int{}, ids: map[string]map[string]bool{}, roles: map[string]map[string]bool{},
		controls: map[string]bool{}, parts: map[string]bool{}}
	docs := map[string]map[string]any{}
	for _, f := range extra {
		ix.files[f] = true
	}
	for file, data := range set {
		ix.files[file] = true
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		docs[file] = m
		ix.uuids[file], ix.ids[file], ix.roles[file] = map[string]int{}, map[string]bool{}, map[string]bool{}
		var walk func(parent, key string, v any)
		walk = func(parent, key string, v any) {
			switch v := v.(type) {
			case map[string]any:
				if u, ok := v["uuid"].(string); ok {
					ix.uuids[file][u]++
				}
				if id, ok := v["id"].(string); ok {
					ix.ids[file][id] = true
					if file == FileCatalog {
						if key == "controls" {
							ix.controls[id] = true
						}
						if key == "parts" {
							ix.parts[id] = true
						}
					}
					if key == "roles" {
						ix.roles[file][id] = true
					}
				}
				for k, x := range v {
					walk(key, k, x)
				}
			case []any:
				for _, x := range v {
					walk(parent, key, x)
				}
			}
		}
		walk("", "", m)
	}
	return ix, docs
}

// refs walks a document and calls f for every reference: its key, value
// and the key of the object holding it.
func refs(m map[string]any, f func(parent, key, value string)) {
	var walk func(parent, key string, v any)
	walk = func(parent, key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(key, k, x)
			}
		case []any:
			for _, x := range v {
				walk(parent, key, x)
			}
		case string:
			f(parent, key, v)
		}
	}
	walk("", "", m)
}

// Every reference of the set resolves inside it: each href to a file of
// the set (the SSP's import-profile, the profiles' imports, the
// assessment plan's import-ssp, the results' import-ap, the evidence
// files) or to a uuid or id of its own document; each uuid reference to a
// uuid its document defines; each control-id, with-ids, statement-id and
// finding target to the catalog; each role to the document's roles. No
// uuid is defined twice. Absolute URLs (evidence links kept as links) are
// outside the set and only checked to be URLs.
func TestSetReferencesResolve(t *testing.T) {
	for name, ws := range map[string]*workspace.Workspace{"demo": loadWorkspace(t, demoDir), "edge": edgeWorkspace()} {
		set := setBytes(t, ws, demoAsOf)
		var evidence []string
		for p := range EvidenceFiles(ws, demoAsOf) {
			evidence = append(evidence, p)
		}
		ix, docs := indexSet(t, set, evidence)
		n := map[string]int{}
		for file, m := range docs {
			for u, c := range ix.uuids[file] {
				if c > 1 {
					t.Errorf("%s %s: uuid %s defined %d times", name, file, u, c)
				}
			}
			refs(m, func(parent, key, v string) {
				bad := func(why string) { t.Errorf("%s %s: %s %q %s", name, file, key, v, why) }
				switch {
				case key == "href":
					u, err := url.Parse(v)
					switch {
					case err != nil:
						bad("is not a URI reference")
					case strings.HasPrefix(v, "#"):
						if ix.uuids[file][v[1:]] == 0 && !ix.ids[file][v[1:]] {
							bad("points at nothing in the document")
						}
					case u.Scheme != "":
						n["external"]++
					case !ix.files[v]:
						bad("is not a file of the set")
					}
					n["href"]++
				case strings.HasSuffix(key, "-uuid") || strings.HasSuffix(key, "-uuids") || key == "member-of-organizations":
					if ix.uuids[file][v] == 0 {
						bad("points at no uuid of the document")
					}
					n["uuid"]++
				case key == "control-id" || key == "with-ids":
					if !ix.controls[v] {
						bad("is no control of the catalog")
					}
					n["control"]++
				case key == "statement-id":
					if !ix.parts[v] {
						bad("is no statement of the catalog")
					}
				case key == "target-id":
					if !ix.parts[v] {
						bad("is no objective or statement of the catalog")
					}
					n["target"]++
				case key == "role-id" || key == "role-ids":
					if !ix.roles[file][v] {
						bad("is no role of the document's metadata")
					}
				}
			})
		}
		t.Logf("%s: %d documents; resolved %d hrefs (%d of them external URLs), %d uuid references, %d control ids, %d finding targets", name, len(set), n["href"], n["external"], n["uuid"], n["control"], n["target"])
		if name == "demo" && (n["href"] < 20 || n["uuid"] < 50 || n["control"] < 50 || n["target"] < 5) {
			t.Errorf("%s: only %v references checked; the walk is broken", name, n)
		}
		// The import chain: SSP -> profile.json -> framework profiles ->
		// catalog.json, and the controls the SSP implements are the ones
		// the baseline resolves to.
		resolved := resolveProfile(t, docs, FileProfile)
		var ssp SSPDocument
		json.Unmarshal(set[FileSSP], &ssp)
		if ssp.SSP.ImportProfile.Href != FileProfile {
			t.Errorf("%s: the SSP imports %q", name, ssp.SSP.ImportProfile.Href)
		}
		for _, ir := range ssp.SSP.ControlImplementation.ImplementedRequirements {
			if !resolved[ir.ControlID] {
				t.Errorf("%s: the SSP implements %s, which its baseline does not select", name, ir.ControlID)
			}
		}
		var ar ARDocument
		json.Unmarshal(set[FileAssessmentResults], &ar)
		var ap APDocument
		json.Unmarshal(set[FileAssessmentPlan], &ap)
		if ar.AR.ImportAP.Href != FileAssessmentPlan || ap.AP.ImportSSP.Href != FileSSP {
			t.Errorf("%s: import-ap %q, import-ssp %q", name, ar.AR.ImportAP.Href, ap.AP.ImportSSP.Href)
		}
	}
}

// resolveProfile follows a profile's imports down to the catalog and
// returns the control ids it selects.
func resolveProfile(t *testing.T, docs map[string]map[string]any, file string) map[string]bool {
	t.Helper()
	p, ok := docs[file]["profile"].(map[string]any)
	if !ok {
		t.Fatalf("%s is not a profile", file)
	}
	out := map[string]bool{}
	for _, im := range p["imports"].([]any) {
		im := im.(map[string]any)
		href := im["href"].(string)
		var from map[string]bool
		switch {
		case docs[href]["profile"] != nil:
			from = resolveProfile(t, docs, href)
		case docs[href]["catalog"] != nil:
			from = map[string]bool{}
			var walk func(v any, inControls bool)
			walk = func(v any, inControls bool) {
				switch v := v.(type) {
				case map[string]any:
					if id, ok := v["id"].(string); ok && inControls {
						from[id] = true
					}
					for k, x := range v {
						walk(x, k == "controls")
					}
				case []any:
					for _, x := range v {
						walk(x, inControls)
					}
				}
			}
			walk(docs[href], false)
		default:
			t.Fatalf("%s imports %s, which is not in the set", file, href)
		}
		if _, all := im["include-all"]; all {
			for id := range from {
				out[id] = true
			}
			continue
		}
		for _, sel := range im["include-controls"].([]any) {
			for _, id := range sel.(map[string]any)["with-ids"].([]any) {
				if !from[id.(string)] {
					t.Errorf("%s selects %s, which %s does not have", file, id, href)
				}
				out[id.(string)] = true
			}
		}
	}
	return out
}

// Every POA&M item links to a risk or an observation of the POA&M.
func TestPOAMItemsAreLinked(t *testing.T) {
	p, err := POAM(loadWorkspace(t, demoDir), catalog.Default(), demoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	linked := 0
	for _, it := range p.POAM.POAMItems {
		if len(it.RelatedRisks)+len(it.RelatedObservations) == 0 {
			t.Errorf("item %q links to no risk or observation", it.Title)
		} else {
			linked++
		}
	}
	t.Logf("%d of %d POA&M items linked to a risk or an observation", linked, len(p.POAM.POAMItems))
}

func edgeWorkspace() *workspace.Workspace {
	d := date.MustParse
	return &workspace.Workspace{
		Organization: workspace.Organization{Name: "  Odd\nCo  ", Slug: "odd-co", Roles: []string{"covered-entity"},
			Officers: workspace.Officers{Security: "the CEO"}, SOC2: workspace.SOC2{Type: "type2", ObservationStart: d("2026-01-01"), ObservationMonths: 6}},
		People:  []workspace.Person{{Email: "a@odd.example", Name: "A\tPerson", Role: " CTO "}},
		Systems: []workspace.System{{ID: "db 1", Name: "DB", Kind: "datastore", PHI: true, LivePHI: true, Owner: "the CEO"}},
		Controls: []workspace.Control{
			{ID: "Own Control", Status: "in-progress", Owner: "a@odd.example", Frequency: "monthly", Title: "Our own",
				Mappings: map[string][]string{"hipaa": {"164.308(a)(1)(ii)(A)"}}},
			{ID: "own-csf-only", Status: "implemented", Frequency: "annual", Title: "CSF only", Mappings: map[string][]string{"csf": {"GV.SC-01"}}},
			{ID: "backup", Status: "implemented", Frequency: "quarterly"},
		},
		Evidence: []workspace.Evidence{
			{Control: "backup", Collected: d("2026-02-01"), File: "evidence/q1 backup test.pdf", SHA256: strings.Repeat("ab", 32)},
			{Control: "backup", Collected: d("2026-02-01"), Note: "same"},
			{Control: "backup", Collected: d("2026-02-01"), Note: "same"},
			{Control: "Own Control", Collected: d("2026-03-01"), Link: "https://example.org/a b"},
		},
		Risks: []workspace.Risk{{ID: "r1", Asset: "db 1", Threat: "t", Vulnerability: "v", Likelihood: 3, Impact: 3, Treatment: "mitigate"}},
	}
}
