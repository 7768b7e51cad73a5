package phimap

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// walk calls f on every element under e, e included.
func walk(e *element, f func(*element)) {
	f(e)
	for _, c := range e.Children {
		walk(c, f)
	}
}

// boxTally is what a collapsed diagram accounts for: its vendor boxes
// (by element id), the systems they hold, the flows its arrows merge and
// the flows inside boxes, and the systems drawn one by one.
type boxTally struct {
	boxes         map[string]*element
	systemsInBox  int
	arrowFlows    int
	insideFlows   int
	systemsDrawn  map[string]bool
	openGroups    map[string]bool
	links         map[string]string // element id → href
	arrowsWithPHI int
}

func tally(t *testing.T, svg []byte) boxTally {
	t.Helper()
	bt := boxTally{boxes: map[string]*element{}, systemsDrawn: map[string]bool{}, openGroups: map[string]bool{}, links: map[string]string{}}
	walk(parseSVG(t, svg), func(e *element) {
		if e.Name != "g" {
			return
		}
		id, class := e.Attr["id"], e.Attr["class"]
		for _, c := range e.Children {
			if c.Name == "a" {
				bt.links[id] = c.Attr["href"]
			}
		}
		switch {
		case strings.HasPrefix(class, "edge"):
			n, err := strconv.Atoi(e.Attr["data-flows"])
			if err != nil || n < 1 {
				t.Fatalf("an arrow without a flow count: %v", e.Attr)
			}
			bt.arrowFlows += n
			if strings.Contains(class, "phi") {
				bt.arrowsWithPHI++
			}
		case strings.HasPrefix(id, "vendor-") && strings.HasPrefix(class, "node"):
			bt.boxes[id] = e
			n, _ := strconv.Atoi(e.Attr["data-systems"])
			in, _ := strconv.Atoi(e.Attr["data-flows-inside"])
			bt.systemsInBox += n
			bt.insideFlows += in
		case strings.HasPrefix(id, "vendor-") && strings.HasPrefix(class, "group"):
			bt.openGroups[id] = true
		case strings.HasPrefix(id, "system-"):
			bt.systemsDrawn[id] = true
		}
	})
	return bt
}

// Issue 21: collapsed to one box per vendor, 2,000 systems over 300
// vendors still drew thousands of arrows. With MaxBoxes the diagram keeps
// the vendors that matter and merges the rest into one box; every arrow
// says how many flows it merges, and every flow is accounted for exactly
// once: on one arrow, or inside one box.
func TestCollapsedMaxBoxes(t *testing.T) {
	ws := generate(2000, 10000, 300)
	g := Build(ws)
	fs := Check(ws, asOf)
	flows, phiFlows := 0, 0
	for _, f := range ws.Flows {
		if f.From != f.To {
			flows++
			if g.CarriesPHI(f) {
				phiFlows++
			}
		}
	}
	vendorsWithSystems := map[string]bool{}
	for _, s := range ws.Systems {
		vendorsWithSystems[s.Vendor] = true
	}

	all := tally(t, DataflowSVG(ws, g, fs, SVGOptions{Collapse: true}))
	if len(all.boxes) != len(vendorsWithSystems) {
		t.Fatalf("collapsed without a limit: %d boxes, want one per vendor (%d)", len(all.boxes), len(vendorsWithSystems))
	}

	href := func(box string) string { return "?expand=" + box }
	out := DataflowSVG(ws, g, fs, SVGOptions{Collapse: true, MaxBoxes: 24, Href: href})
	bt := tally(t, out)
	if len(bt.boxes) != 24 {
		t.Errorf("%d boxes, want 24", len(bt.boxes))
	}
	others := bt.boxes[elementID("vendor-", Others)]
	if others == nil {
		t.Fatal("no box for the other vendors")
	}
	if want := fmt.Sprintf("%d other vendors", len(vendorsWithSystems)-23); !strings.Contains(string(out), ">"+want+"<") {
		t.Errorf("the shared box is not labelled %q", want)
	}
	if bt.systemsInBox != len(ws.Systems) {
		t.Errorf("the boxes hold %d systems, the workspace has %d", bt.systemsInBox, len(ws.Systems))
	}
	if got := bt.arrowFlows + bt.insideFlows; got != flows {
		t.Errorf("arrows merge %d flows and boxes hold %d: %d, want every flow once (%d)", bt.arrowFlows, bt.insideFlows, got, flows)
	}
	if phiFlows > 0 && bt.arrowsWithPHI == 0 {
		t.Error("no arrow is marked as carrying PHI")
	}
	if n := strings.Count(string(out), `class="edge`); n > 24*24 {
		t.Errorf("%d arrows between 24 boxes", n)
	}
	if len(bt.links) != 24 || bt.links["vendor-in-house"] != "?expand=in-house" {
		t.Errorf("boxes linked: %v", bt.links)
	}
	// Vendors that fail a rule come first: a failing vendor is drawn red
	// in its own box, or every box is taken by failing vendors and the
	// shared box is red.
	red := func(e *element) bool { return e != nil && strings.Contains(" "+e.Attr["class"]+" ", " fail ") }
	for _, f := range fs {
		if f.Severity != "error" || !vendorsWithSystems[f.Subject] {
			continue
		}
		if b := bt.boxes["vendor-"+f.Subject]; b != nil {
			if !red(b) {
				t.Errorf("failing vendor %s is not drawn red", f.Subject)
			}
			continue
		}
		if !red(others) {
			t.Errorf("failing vendor %s is in the shared box, which is not red", f.Subject)
		}
		for id, b := range bt.boxes {
			if !red(b) {
				t.Errorf("failing vendor %s is in the shared box while %s, which does not fail, has its own", f.Subject, id)
			}
		}
	}

	// Opening one of the merged vendors draws its systems in its own box,
	// and still accounts for every flow.
	var merged string
	for _, s := range ws.Systems {
		if s.Vendor != "" && bt.boxes["vendor-"+s.Vendor] == nil {
			merged = s.Vendor
			break
		}
	}
	opened := tally(t, DataflowSVG(ws, g, fs, SVGOptions{Collapse: true, MaxBoxes: 24, Expand: merged, Href: href}))
	if !opened.openGroups["vendor-"+merged] {
		t.Fatalf("%s is not drawn open", merged)
	}
	var own int
	for _, s := range ws.Systems {
		if s.Vendor == merged {
			own++
			if !opened.systemsDrawn["system-"+s.ID] {
				t.Errorf("opened %s does not draw its system %s", merged, s.ID)
			}
		}
	}
	if len(opened.systemsDrawn) != own {
		t.Errorf("%d systems drawn one by one, %s has %d", len(opened.systemsDrawn), merged, own)
	}
	if len(opened.boxes) != 23 {
		t.Errorf("%d closed boxes beside the open one, want 23", len(opened.boxes))
	}
	if opened.systemsInBox+own != len(ws.Systems) {
		t.Errorf("boxes hold %d systems and %d are drawn: not the %d of the workspace", opened.systemsInBox, own, len(ws.Systems))
	}
	if got := opened.arrowFlows + opened.insideFlows; got != flows {
		t.Errorf("opened: %d flows accounted for, want %d", got, flows)
	}
}
