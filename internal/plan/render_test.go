package plan

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./internal/plan -update and review the diff", name)
	}
}

// goldenPlan has every status: the HIPAA basics done, a BAA error holding
// execute-baas open past its due date, the Type I overdue, the Type II
// window running, HITRUST placed later.
func goldenPlan() (*workspace.Workspace, Plan) {
	ws := acme()
	ws.Organization.Answers.EnterpriseHealthSystems = true
	ws.Organization.SOC2 = workspace.SOC2{ObservationStart: d("2027-04-01"), ObservationMonths: 6}
	st := Checked([]finding.Finding{{Rule: "baa.upstream.missing", Severity: finding.Error, Subject: "st-marys", Message: "no executed BAA"}})
	return ws, Build(ws, date.Date{}, d("2027-05-10"), st)
}

func TestGoldenStatuses(t *testing.T) {
	// Guard the fixture: the golden files are only worth having if they
	// show every state.
	_, p := goldenPlan()
	seen := map[string]bool{}
	for _, m := range p.Milestones {
		seen[m.Status] = true
	}
	for _, s := range []string{StatusDone, StatusInProgress, StatusNotStarted, StatusOverdue} {
		if !seen[s] {
			t.Errorf("golden plan has no %s milestone", s)
		}
	}
}

func TestWriteTextGolden(t *testing.T) {
	_, p := goldenPlan()
	var b bytes.Buffer
	if err := WriteText(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"1. HIPAA applies", "2. SOC 2 applies", "3. HITRUST CSF applies", "OVERDUE", "Live PHI: closed"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	golden(t, "plan.txt", b.Bytes())
}

func TestWriteMarkdownGolden(t *testing.T) {
	ws, p := goldenPlan()
	var b bytes.Buffer
	if err := WriteMarkdown(&b, ws, p); err != nil {
		t.Fatal(err)
	}
	// One Gantt task per milestone in the Mermaid block.
	mer := b.String()[strings.Index(b.String(), "```mermaid"):]
	for _, m := range p.Milestones {
		if !strings.Contains(mer, m.ID+", "+m.Start.String()+", ") {
			t.Errorf("mermaid lacks %s", m.ID)
		}
	}
	golden(t, "roadmap.md", b.Bytes())
}

func TestWriteHTMLGolden(t *testing.T) {
	ws, p := goldenPlan()
	var b bytes.Buffer
	if err := WriteHTML(&b, ws, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<!DOCTYPE html>", `class="ward-gantt"`, `class="ward-decision-tree"`, "@media print", "@page"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// Standalone: nothing fetched from elsewhere.
	for _, bad := range []string{"<script", "<link", "src=", "url(http", "@import"} {
		if strings.Contains(out, bad) {
			t.Errorf("html is not standalone: contains %q", bad)
		}
	}
	if n := strings.Count(out, `<rect class="bar"`); n != len(p.Milestones) {
		t.Errorf("html gantt has %d bars, want %d", n, len(p.Milestones))
	}
	golden(t, "roadmap.html", b.Bytes())
}

// svgNode is a parsed SVG element with its attributes.
type svgNode struct {
	name  string
	attr  map[string]string
	text  string
	class string
}

// parseSVG checks the document is well-formed XML and returns its
// elements in document order.
func parseSVG(t *testing.T, b []byte) []svgNode {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var nodes []svgNode
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (tk.Name.Local != "svg" || tk.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root is %v, want svg in the SVG namespace", tk.Name)
			}
			depth++
			n := svgNode{name: tk.Name.Local, attr: map[string]string{}}
			for _, a := range tk.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			n.class = n.attr["class"]
			nodes = append(nodes, n)
		case xml.EndElement:
			depth--
		case xml.CharData:
			if len(nodes) > 0 {
				nodes[len(nodes)-1].text += string(tk)
			}
		}
	}
	if depth != 0 {
		t.Fatalf("SVG ends with %d elements open", depth)
	}
	return nodes
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return f
}

func TestGanttSVG(t *testing.T) {
	_, p := goldenPlan()
	svg := GanttSVG(p, GanttOptions{})
	nodes := parseSVG(t, svg)

	bars := map[string]svgNode{}
	var today, diamonds, arrows, titles int
	var todayX float64
	for _, n := range nodes {
		switch {
		case n.name == "rect" && n.class == "bar":
			if _, dup := bars[n.attr["data-id"]]; dup {
				t.Errorf("two bars for %s", n.attr["data-id"])
			}
			bars[n.attr["data-id"]] = n
		case n.name == "g" && n.class == "today":
			today++
		case n.name == "line" && today == 1 && todayX == 0:
			todayX = num(t, n.attr["x1"])
		case n.name == "polygon" && n.class == "diamond":
			diamonds++
		case n.name == "path" && n.class == "gate-arrow":
			arrows++
		case n.name == "title":
			titles++
		}
	}
	if len(bars) != len(p.Milestones) {
		t.Errorf("%d bars, want one per milestone (%d)", len(bars), len(p.Milestones))
	}
	for _, m := range p.Milestones {
		bar, ok := bars[m.ID]
		if !ok {
			t.Errorf("no bar for %s", m.ID)
			continue
		}
		if bar.attr["data-status"] != m.Status || bar.attr["fill"] != statusColor[m.Status] {
			t.Errorf("%s: bar status %s fill %s, want %s %s", m.ID, bar.attr["data-status"], bar.attr["fill"], m.Status, statusColor[m.Status])
		}
	}
	if today != 1 || diamonds != 1 || arrows != len(p.Gates[0].WaitsFor) {
		t.Errorf("today lines %d, diamonds %d, gate arrows %d (want 1, 1, %d)", today, diamonds, arrows, len(p.Gates[0].WaitsFor))
	}
	// One tooltip per bar and per gate, plus the chart's title and today's.
	if want := len(p.Milestones) + len(p.Gates) + 2; titles != want {
		t.Errorf("%d <title> elements, want %d", titles, want)
	}
	// Bars are placed in time: the today line (2027-05-10) falls after the
	// end of the map (Dec 14) and inside the observation window.
	end := func(id string) (float64, float64) {
		b := bars[id]
		x := num(t, b.attr["x"])
		return x, x + num(t, b.attr["width"])
	}
	if _, e := end(MapDataFlows); !(todayX > e) {
		t.Errorf("today at x=%.1f is not after map-data-flows ending at %.1f", todayX, e)
	}
	if s, e := end(SOC2Type2Observation); !(todayX > s && todayX < e) {
		t.Errorf("today at x=%.1f is not inside the observation bar %.1f..%.1f", todayX, s, e)
	}
	if s1, _ := end(RiskAnalysis); !(s1 > num(t, bars[MapDataFlows].attr["x"])) {
		t.Errorf("risk-analysis does not start after map-data-flows")
	}
	golden(t, "gantt.svg", svg)
}

func TestGanttSVGEdgeCases(t *testing.T) {
	// No framework applies: still a well-formed chart, with no bars.
	p := Build(orgWS(nil, workspace.Answers{}), d("2027-01-01"), d("2027-01-01"), Status{})
	nodes := parseSVG(t, GanttSVG(p, GanttOptions{Width: 600}))
	for _, n := range nodes {
		if n.class == "bar" {
			t.Errorf("bar in an empty plan")
		}
	}
	// Names with markup are escaped.
	ws := orgWS([]string{workspace.RoleBusinessAssociate}, workspace.Answers{HandlesPHI: true})
	ws.Organization.Name = `<Acme & "Sons">`
	p = Build(ws, date.Date{}, d("2027-01-10"), Status{})
	parseSVG(t, GanttSVG(p, GanttOptions{}))
	parseSVG(t, DecisionTreeSVG(ws, p))
}

func TestDecisionTreeSVG(t *testing.T) {
	cases := []struct {
		name  string
		roles []string
		a     workspace.Answers
		want  map[string]string // question -> chosen option indexes
	}{
		{"acme", []string{workspace.RoleBusinessAssociate},
			workspace.Answers{HandlesPHI: true, SellsToCoveredEntities: true, EnterpriseHealthSystems: true, BuyersAskSOC2: true},
			map[string]string{"handles_phi": "0", "sells_to_covered_entities": "0", "enterprise_health_systems": "0", "buyers_ask_soc2": "0", "role": "1"}},
		{"practice", []string{workspace.RoleCoveredEntity}, workspace.Answers{},
			map[string]string{"handles_phi": "1", "sells_to_covered_entities": "1", "enterprise_health_systems": "1", "buyers_ask_soc2": "1", "role": "0"}},
		{"both roles", []string{workspace.RoleCoveredEntity, workspace.RoleBusinessAssociate}, workspace.Answers{HandlesPHI: true},
			map[string]string{"handles_phi": "0", "sells_to_covered_entities": "1", "enterprise_health_systems": "1", "buyers_ask_soc2": "1", "role": "01"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := orgWS(c.roles, c.a)
			p := Build(ws, date.Date{}, d("2027-01-04"), Status{})
			svg := DecisionTreeSVG(ws, p)
			got := map[string]string{}
			for _, n := range parseSVG(t, svg) {
				if n.name == "g" && strings.Contains(n.class, "chosen") {
					got[n.attr["data-question"]] += n.attr["data-option"]
				}
			}
			for q, w := range c.want {
				if got[q] != w {
					t.Errorf("%s: chosen %q, want %q", q, got[q], w)
				}
			}
			if c.name == "acme" {
				golden(t, "decision-tree.svg", svg)
			}
		})
	}
}

func TestWriteTextEmptyPlan(t *testing.T) {
	p := Build(orgWS(nil, workspace.Answers{}), d("2027-01-01"), d("2027-01-01"), Status{})
	var b bytes.Buffer
	if err := WriteText(&b, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HIPAA does not apply", "No milestones: no framework applies."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "Live PHI") {
		t.Errorf("no gate without HIPAA:\n%s", b.String())
	}
}
