package readiness

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/posture"
	"ward/internal/workspace"
)

func demoReport(t *testing.T) Report {
	t.Helper()
	l, err := workspace.Load("../../../examples/acme-health", workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(l.Workspace, catalog.Default(), nil, date.MustParse("2026-11-23"))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestDefaultFrameworks(t *testing.T) {
	ws := &workspace.Workspace{}
	if got := strings.Join(DefaultFrameworks(ws), ","); got != "hipaa,csf" {
		t.Errorf("no SOC 2: %s", got)
	}
	ws.Organization.SOC2.Type = "type1"
	if got := strings.Join(DefaultFrameworks(ws), ","); got != "hipaa,soc2,csf" {
		t.Errorf("type1: %s", got)
	}
}

func TestBarsSVG(t *testing.T) {
	rep := demoReport(t)
	svg := string(BarsSVG(rep.Frameworks))
	// Under the web app's Content-Security-Policy inline styles do not
	// apply: the bars are coloured by class only.
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Fatal("the SVG must not carry inline styles or scripts")
	}
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Fatalf("not an SVG: %.80s", svg)
	}
	// Each framework's segments fill exactly the bar, in proportion to
	// its requirement counts.
	rect := regexp.MustCompile(`<rect class="(rd-[a-z]+)" x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="22"><title>[a-z ]+: (\d+) of (\d+)</title>`)
	widths := map[string]float64{}
	for _, m := range rect.FindAllStringSubmatch(svg, -1) {
		w, _ := strconv.ParseFloat(m[4], 64)
		n, _ := strconv.Atoi(m[5])
		total, _ := strconv.Atoi(m[6])
		if want := float64(barW) * float64(n) / float64(total); w < want-0.06 || w > want+0.06 {
			t.Errorf("segment %s of %s/%s is %.1f wide, want %.1f", m[1], m[5], m[6], w, want)
		}
		widths[m[3]] += w
	}
	if len(widths) != len(rep.Frameworks) {
		t.Fatalf("%d bars for %d frameworks", len(widths), len(rep.Frameworks))
	}
	for y, w := range widths {
		if w < barW-0.2 || w > barW+0.2 {
			t.Errorf("bar at y=%s is %.1f wide, want %d", y, w, barW)
		}
	}
	for _, p := range rep.Frameworks {
		if !strings.Contains(svg, fmt.Sprintf(">%.0f%%<", p.Score.Percent)) {
			t.Errorf("%s: percentage %.1f not shown", p.Framework, p.Score.Percent)
		}
	}
}

func TestEveryFormatCarriesTheSameFacts(t *testing.T) {
	rep := demoReport(t)
	var soc2 *posture.Posture
	for _, p := range rep.Frameworks {
		if p.Framework == "soc2" {
			soc2 = p
		}
	}
	if soc2 == nil || len(soc2.Exceptions) == 0 {
		t.Fatal("the demo report should cover SOC 2 with its Type II exception")
	}
	out := map[string][]byte{}
	for _, f := range []string{"html", "md", "pdf", "xlsx"} {
		var b bytes.Buffer
		if err := Write(&b, f, rep); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = b.Bytes()
	}
	for _, f := range []string{"html", "md"} {
		doc := string(out[f])
		for _, p := range rep.Frameworks {
			if !strings.Contains(doc, p.Name) {
				t.Errorf("%s: no %s", f, p.Name)
			}
			for _, r := range Gaps(p) {
				if !strings.Contains(doc, r.ID) {
					t.Errorf("%s: gap %s %s missing", f, p.Framework, r.ID)
				}
			}
		}
		for _, e := range soc2.Exceptions {
			if !strings.Contains(doc, e.Control) || !strings.Contains(doc, e.Period) {
				t.Errorf("%s: exception %s %s missing", f, e.Control, e.Period)
			}
		}
	}
	if !strings.Contains(string(out["html"]), `<svg xmlns="http://www.w3.org/2000/svg" class="readiness-bars"`) {
		t.Error("html: no readiness bars")
	}
	if !bytes.HasPrefix(out["pdf"], []byte("%PDF-")) || !bytes.Contains(out["pdf"], []byte("/Type /Page")) {
		t.Error("pdf: not a PDF with pages")
	}
	if err := Write(&bytes.Buffer{}, "docx", rep); err == nil {
		t.Error("docx accepted")
	}

	// The workbook reads back with the same library: the summary has the
	// scores, each framework its requirements, the exceptions their sheet.
	x, err := excelize.OpenReader(bytes.NewReader(out["xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Summary")
	for i, p := range rep.Frameworks {
		r := rows[i+1]
		if r[0] != p.Name || r[1] != strconv.Itoa(p.Score.Met) || r[3] != strconv.Itoa(p.Score.NotMet) || r[5] != strconv.Itoa(p.Score.Total) {
			t.Errorf("summary row %v for %s %+v", r, p.Framework, p.Score)
		}
		req, err := x.GetRows(sheetName(p))
		if err != nil || len(req)-1 != len(p.Requirements) {
			t.Errorf("%s sheet: %d rows, %v; want %d requirements", p.Framework, len(req)-1, err, len(p.Requirements))
		}
	}
	exc, _ := x.GetRows("Type II exceptions")
	if len(exc)-1 != len(soc2.Exceptions) {
		t.Errorf("exceptions sheet has %d rows, posture %d", len(exc)-1, len(soc2.Exceptions))
	}
}
