package phimap

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ward/internal/finding"
	"ward/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// element is a parsed SVG element, enough to assert on structure.
type element struct {
	Name     string
	Attr     map[string]string
	Text     string
	Children []*element
}

// parseSVG decodes the document with encoding/xml (so it must be
// well-formed) and returns its root.
func parseSVG(t *testing.T, b []byte) *element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*element
	var root *element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attr[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatal("more than one root element")
				}
				root = e
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace = %q, want the SVG namespace", tok.Name.Space)
				}
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
	if root == nil || root.Name != "svg" {
		t.Fatal("no <svg> root")
	}
	return root
}

func (e *element) walk(fn func(*element)) {
	fn(e)
	for _, c := range e.Children {
		c.walk(fn)
	}
}

func (e *element) byID(id string) *element {
	var found *element
	e.walk(func(x *element) {
		if x.Attr["id"] == id {
			found = x
		}
	})
	return found
}

func (e *element) child(name string) *element {
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (e *element) ids(prefix string) []string {
	var out []string
	e.walk(func(x *element) {
		if id := x.Attr["id"]; id != "" && strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	})
	slices.Sort(out)
	return out
}

// failingWorkspace: twilio's BAA has expired, the db flow is unencrypted,
// and a non-PHI status page and an analytics tool sit beside them.
func failingWorkspace() *workspace.Workspace {
	ws := clean()
	ws.Organization.Name = `Acme <Health> & "Sons"`
	agreement(ws, "baa-twilio").Expires = d("2027-01-09")
	flow(ws, "patient-api", "db").EncryptedInTransit = false
	ws.Systems = append(ws.Systems, workspace.System{ID: "analytics", Name: "Product analytics", Kind: "saas", Vendor: "mixpanel"})
	ws.Flows = append(ws.Flows, workspace.Flow{From: "status-page", To: "analytics"})
	ws.Vendors = append(ws.Vendors, workspace.Vendor{ID: "mixpanel", Name: "Mixpanel"})
	return ws
}

func TestDataflowSVG(t *testing.T) {
	ws := failingWorkspace()
	fs := Check(ws, asOf)
	out := DataflowSVG(ws, nil, fs, SVGOptions{})
	root := parseSVG(t, out)
	if root.Attr["viewBox"] == "" {
		t.Error("no viewBox: the SVG would not scale on a page")
	}

	// The failing vendor's box is filled red and says why on hover.
	tw := root.byID("vendor-twilio")
	if tw == nil {
		t.Fatal("no vendor-twilio group")
	}
	if !slices.ContainsFunc(tw.Children, func(c *element) bool { return c.Name == "rect" && c.Attr["fill"] == FailFill }) {
		t.Errorf("vendor-twilio has no rect filled %s", FailFill)
	}
	if title := tw.child("title"); title == nil || !strings.Contains(title.Text, "baa.expired") || !strings.Contains(title.Text, "baa-twilio") {
		t.Errorf("vendor-twilio's title does not give the reason: %+v", title)
	}
	// A vendor in good standing is not red.
	aws := root.byID("vendor-aws")
	if aws == nil {
		t.Fatal("no vendor-aws group")
	}
	aws.walk(func(e *element) {
		if e.Attr["fill"] == FailFill {
			t.Errorf("vendor-aws (no finding) has a red %s", e.Name)
		}
	})

	// An unencrypted PHI flow is dashed and red, an encrypted one orange.
	var dashedRed, orange, grey int
	root.walk(func(e *element) {
		if e.Name != "g" || !strings.HasPrefix(e.Attr["class"], "edge") {
			return
		}
		p := e.child("path")
		switch {
		case p.Attr["stroke-dasharray"] != "" && p.Attr["stroke"] == FailFill:
			dashedRed++
			if !strings.Contains(e.child("title").Text, "flow.unencrypted") {
				t.Errorf("unencrypted flow's title lacks the rule: %q", e.child("title").Text)
			}
		case p.Attr["stroke"] == phiColor:
			orange++
		case p.Attr["stroke"] == flowColor:
			grey++
		}
	})
	// patient-api->db unencrypted; ->sms-gateway PHI; ->status-page and
	// status-page->analytics plain.
	if dashedRed != 1 || orange != 1 || grey != 2 {
		t.Errorf("edges: %d dashed red, %d orange, %d grey; want 1, 1, 2", dashedRed, orange, grey)
	}
	// Text is escaped, not injected.
	if !bytes.Contains(out, []byte("Acme &lt;Health&gt; &amp;")) {
		t.Error("organization name not escaped")
	}
}

func TestDataflowSVGOptions(t *testing.T) {
	ws := failingWorkspace()
	fs := Check(ws, asOf)
	tests := []struct {
		name    string
		opt     SVGOptions
		systems []string
		vendors []string
	}{
		{
			name:    "everything",
			systems: []string{"system-analytics", "system-db", "system-patient-api", "system-sms-gateway", "system-status-page"},
			vendors: []string{"vendor-aws", "vendor-mixpanel", "vendor-statuspage", "vendor-twilio"},
		},
		{
			name:    "PHI only drops systems without PHI and their vendors",
			opt:     SVGOptions{PHIOnly: true},
			systems: []string{"system-db", "system-patient-api", "system-sms-gateway"},
			vendors: []string{"vendor-aws", "vendor-twilio"},
		},
		{
			name:    "one vendor and its neighbours",
			opt:     SVGOptions{Vendor: "twilio"},
			systems: []string{"system-patient-api", "system-sms-gateway"},
			vendors: []string{"vendor-aws", "vendor-twilio"},
		},
		{
			name:    "collapsed: one node per vendor",
			opt:     SVGOptions{Collapse: true},
			vendors: []string{"vendor-aws", "vendor-mixpanel", "vendor-statuspage", "vendor-twilio"},
		},
		{
			name:    "collapsed and PHI only",
			opt:     SVGOptions{Collapse: true, PHIOnly: true},
			vendors: []string{"vendor-aws", "vendor-twilio"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := parseSVG(t, DataflowSVG(ws, nil, fs, tt.opt))
			if got := root.ids("system-"); !slices.Equal(got, tt.systems) {
				t.Errorf("systems drawn: %v, want %v", got, tt.systems)
			}
			if got := root.ids("vendor-"); !slices.Equal(got, tt.vendors) {
				t.Errorf("vendors drawn: %v, want %v", got, tt.vendors)
			}
			// Collapsed, the vendor's node carries its findings and its
			// systems'; the unencrypted flow's finding stays on the arrow,
			// so aws is not red.
			if tt.opt.Collapse {
				for id, red := range map[string]bool{"vendor-twilio": true, "vendor-aws": false} {
					n := root.byID(id)
					if got := n.child("rect").Attr["fill"] == FailFill; got != red {
						t.Errorf("%s red = %v, want %v", id, got, red)
					}
				}
			}
		})
	}
}

func TestDataflowSVGInHouseAndEmpty(t *testing.T) {
	ws := &workspace.Workspace{Systems: []workspace.System{
		{ID: "laptop fleet", Kind: "endpoint", PHI: true},
		{ID: "wiki", Kind: "saas", Vendor: "notion"},
	}}
	root := parseSVG(t, DataflowSVG(ws, nil, Check(ws, asOf), SVGOptions{Vendor: InHouse}))
	if got, want := root.ids(""), []string{"arrow", "arrow-fail", "arrow-phi", "diagram-title", "legend", "system-laptop_fleet", "vendor-in-house"}; !slices.Equal(got, want) {
		t.Errorf("ids: %v, want %v", got, want)
	}
	if n := root.byID("system-laptop_fleet"); n.child("rect").Attr["fill"] != FailFill {
		t.Error("unencrypted PHI laptop fleet is not red")
	}
	empty := parseSVG(t, DataflowSVG(ws, nil, nil, SVGOptions{Vendor: "nobody"}))
	if got := empty.ids("system-"); len(got) != 0 {
		t.Errorf("filter on an unknown vendor drew %v", got)
	}
}

func TestLayersBreakCycles(t *testing.T) {
	got := layers([]string{"a", "b", "c", "d", "e"}, map[string][]string{
		"a": {"b", "d"}, "b": {"c"}, "c": {"a", "d"}, // a->b->c->a: the edge back to a is dropped
		"e": {"a"},
	})
	// e is visited after a's cycle was laid out, so e->a (a cross edge to
	// a finished node) is kept: a moves right of e, and everything after a
	// moves with it.
	want := map[string]int{"e": 0, "a": 1, "b": 2, "c": 3, "d": 4}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("layer[%s] = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

func TestDataflowSVGGolden(t *testing.T) {
	ws := failingWorkspace()
	out := DataflowSVG(ws, nil, Check(ws, asOf), SVGOptions{})
	golden(t, "dataflow.svg", out)
	ws.Organization.Name = "Acme Health"
	golden(t, "dataflow-collapsed.svg", DataflowSVG(ws, nil, Check(ws, asOf), SVGOptions{Collapse: true}))
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/phimap -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./internal/phimap -update and review the diff", name)
	}
}

// Long names are cut with an ellipsis so that they end inside their box
// and clear of the PHI badge, whatever the characters; the box's <title>
// keeps the full name for hover.
func TestDataflowSVGLongNames(t *testing.T) {
	ws := clean()
	long := map[string]string{
		"patient-api": "Patient API gateway for every clinic, region and partner integration",
		"db":          "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
		"sms-gateway": "予約リマインダー送信サービス（全クリニック向け）",
		"status-page": `Status <page> & "incident" communications for customers`,
	}
	for id, name := range long {
		ws.System(id).Name = name
	}
	ws.Vendors[0].Name = "Amazon Web Services (us-east-1, us-west-2, eu-central-1 and ap-southeast-2)"
	out := DataflowSVG(ws, nil, Check(ws, asOf), SVGOptions{})
	golden(t, "dataflow-long-names.svg", out)

	root := parseSVG(t, out)
	for id, name := range long {
		g := root.byID("system-" + id)
		if g == nil {
			t.Fatalf("no box for %s", id)
		}
		if title := g.child("title"); title == nil || !strings.HasPrefix(title.Text, name+" ("+id+")") {
			t.Errorf("%s: the box's title does not carry the full name %q", id, name)
		}
		rect := g.child("rect")
		var label *element
		for _, c := range g.Children {
			if c.Name == "text" && c.Attr["class"] == "label" {
				label = c
			}
		}
		if rect == nil || label == nil {
			t.Fatalf("%s: no rect or label", id)
		}
		if !strings.HasSuffix(label.Text, "…") || len([]rune(label.Text)) < 4 {
			t.Errorf("%s: label %q is not the name cut with an ellipsis", id, label.Text)
		}
		// The label's estimated end is before the badge (x+w-38-4), or
		// 8px inside the box when there is none.
		room := 8
		for _, c := range g.Children {
			if c.Name == "rect" && c.Attr["width"] == "30" {
				room = 42
			}
		}
		x, w := atoi(t, label.Attr["x"]), textWidth(label.Text, labelSize, true)
		if end, limit := float64(x)+w, float64(atoi(t, rect.Attr["x"])+atoi(t, rect.Attr["width"])-room); end > limit {
			t.Errorf("%s: label %q ends at %.0f, past %.0f", id, label.Text, end, limit)
		}
	}
	vg := root.byID("vendor-aws")
	for _, c := range vg.Children {
		if c.Name == "text" && !strings.HasSuffix(c.Text, "…") {
			t.Errorf("vendor label %q not cut", c.Text)
		}
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		s     string
		width float64
		want  string
	}{
		{"Patient API", 200, "Patient API"},
		{"Patient API", 60, "Patien…"},
		{"Patient API", 48, "Patie…"},
		{"ab cd", 34, "ab…"}, // no space before the ellipsis
		{"WWWW", 40, "W…"},
		{"iiii", 40, "iiii"},
		{"診療予約", 30, "診…"},
	}
	for _, tt := range tests {
		got := fit(tt.s, tt.width, labelSize, true)
		if got != tt.want {
			t.Errorf("fit(%q, %v) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
		if got != tt.s && textWidth(got, labelSize, true) > tt.width {
			t.Errorf("fit(%q, %v) = %q is %.1fpx wide", tt.s, tt.width, got, textWidth(got, labelSize, true))
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// A collapsed vendor of many systems gathers many findings; its hover
// names the errors first and counts the rest instead of listing hundreds
// of lines (issue 5 item 4: large inventories stay readable).
func TestTitleCapsFindings(t *testing.T) {
	var fs []finding.Finding
	for i := range 30 {
		fs = append(fs, finding.Finding{Rule: "risk.coverage", Severity: finding.Warning, Subject: fmt.Sprintf("s%02d", i), Message: "w"})
	}
	for i := range 12 {
		fs = append(fs, finding.Finding{Rule: "storage.unencrypted", Severity: finding.Error, Subject: fmt.Sprintf("e%02d", i), Message: "e"})
	}
	lines := strings.Split(titleOf("Vendor x", []string{"42 systems"}, fs), "\n")
	if got, want := len(lines), 2+maxTitleFindings+1; got != want {
		t.Fatalf("%d lines, want %d:\n%s", got, want, strings.Join(lines, "\n"))
	}
	for _, l := range lines[2 : 2+maxTitleFindings] {
		if !strings.HasPrefix(l, "error ") {
			t.Errorf("shown %q before every error", l)
		}
	}
	if last := lines[len(lines)-1]; last != "… and 32 more findings (2 of them errors): ward check lists them all" {
		t.Errorf("last line %q", last)
	}
	// Few findings: all listed, no count.
	if got := titleOf("h", nil, fs[:3]); strings.Count(got, "\n") != 3 || strings.Contains(got, "more findings") {
		t.Errorf("three findings: %q", got)
	}
}
