package risk

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"ward/internal/date"
)

func TestHeatmapSVG(t *testing.T) {
	a, err := Analyze(demo(), "ra-2026", nil, date.MustParse("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	href := func(l, i int) string { return fmt.Sprintf("/risks?l=%d&i=%d", l, i) }
	for _, tc := range []struct {
		which string
		cells []string // cells that must show a count
	}{
		{Inherent, []string{`data-likelihood="4" data-impact="5" data-level="critical" data-count="1"`, `data-likelihood="5" data-impact="5" data-level="critical" data-count="1"`, `data-likelihood="2" data-impact="2" data-level="low" data-count="1"`}},
		// ra-2026-1 moves from 4×5 to its residual 2×5.
		{Residual, []string{`data-likelihood="2" data-impact="5" data-level="high" data-count="1"`, `data-likelihood="4" data-impact="5" data-level="critical" data-count="0"`}},
	} {
		svg := HeatmapSVG(a.Risks, a.Matrix, tc.which, HeatmapOptions{CellHref: href, Title: "Before"})
		if err := xml.Unmarshal(svg, new(struct{})); err != nil {
			t.Fatalf("%s: not well-formed XML: %v", tc.which, err)
		}
		s := string(svg)
		if n := strings.Count(s, `class="cell"`); n != 25 {
			t.Errorf("%s: %d cells, want 25", tc.which, n)
		}
		if n := strings.Count(s, `<a href="/risks?l=`); n != 25 {
			t.Errorf("%s: %d linked cells, want 25", tc.which, n)
		}
		for _, c := range tc.cells {
			if !strings.Contains(s, c) {
				t.Errorf("%s: missing cell %s", tc.which, c)
			}
		}
	}
}

func TestMatrixTextAndList(t *testing.T) {
	a, _ := Analyze(demo(), "ra-2026", nil, date.MustParse("2026-11-20"))
	var b bytes.Buffer
	if err := MatrixText(&b, a.Risks, a.Matrix, Residual); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Residual risk", "3 risks: 1 critical, 1 high, 0 medium, 1 low", "    5        .M    .H    .H    .C    1C"} {
		if !strings.Contains(out, want) {
			t.Errorf("matrix text lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := WriteText(&b, a.Risks); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if !strings.HasPrefix(lines[1], "ra-2026-3") || !strings.Contains(b.String(), "critical*") || !strings.Contains(b.String(), "no residual recorded") {
		t.Errorf("list:\n%s", b.String())
	}
}
