package catalog

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCrosswalkSVGGolden: the heat map is a document, so it is compared
// with testdata/ (go test ./internal/catalog -update rewrites it), and it
// must be well-formed XML with one cell per pair and no inline style.
func TestCrosswalkSVGGolden(t *testing.T) {
	c := Default()
	tests := []struct {
		from, to string
		scope    Scope
		file     string
	}{
		{HIPAA, SOC2, AllCategories(), "heatmap-hipaa-soc2.svg"},
		{HIPAA, CSF, Scope{}, "heatmap-hipaa-csf.svg"},
		{SOC2, HIPAA, Scope{}, "heatmap-soc2-hipaa-security.svg"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cw, err := c.Crosswalk(tt.from, tt.to, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.CrosswalkSVG(cw, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			d := xml.NewDecoder(bytes.NewReader(got))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("not well-formed XML: %v", err)
					}
					break
				}
			}
			if bytes.Contains(got, []byte("style=")) || bytes.Contains(got, []byte("<style")) {
				t.Error("the SVG carries inline style, which the page's CSP blocks")
			}
			cells := regexp.MustCompile(`<rect class="cell n\d" x="\d+" y="\d+" width="10" height="10" data-from`).FindAll(got, -1)
			if len(cells) != len(cw.Pairs) {
				t.Errorf("%d cells, want one per pair (%d)", len(cells), len(cw.Pairs))
			}
			// A cell's title names the shared controls.
			p := cw.Pairs[0]
			want := fmt.Sprintf("%d shared control", len(p.Via))
			title := fmt.Sprintf(`data-from="%s" data-to="%s"><title>`, p.From, p.To)
			i := bytes.Index(got, []byte(title))
			if i < 0 {
				t.Fatalf("no cell for the pair %s × %s", p.From, p.To)
			}
			line := string(got[i : bytes.IndexByte(got[i:], '\n')+i])
			if !strings.Contains(line, want) || !strings.Contains(line, strings.Join(p.Via, ", ")) {
				t.Errorf("cell title %q does not name the %d shared controls %v", line, len(p.Via), p.Via)
			}
			goldenBytes(t, tt.file, got)
		})
	}
}

func goldenBytes(t *testing.T, name string, got []byte) {
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
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; review the change and run go test ./internal/catalog -update", path)
	}
}
