package phimap

import (
	"os"
	"path/filepath"
	"testing"

	"ward/internal/browsertest"
)

// The exported SVG opens on its own in a browser (not only in an XML
// parser), with the failing vendor drawn red and no load errors.
func TestDataflowSVGInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ws := failingWorkspace()
	path := filepath.Join(t.TempDir(), "dataflow.svg")
	if err := os.WriteFile(path, DataflowSVG(ws, nil, Check(ws, asOf), SVGOptions{}), 0o644); err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	b.Navigate("file://" + path)
	if n := b.Count("svg #vendor-twilio rect[fill='" + FailFill + "']"); n == 0 {
		t.Error("the browser does not show vendor-twilio filled red")
	}
	if n := b.Count("svg #vendor-aws rect[fill='" + FailFill + "']"); n != 0 {
		t.Error("vendor-aws is red in the browser")
	}
	if n := b.Count("svg g.edge.unencrypted"); n != 1 {
		t.Errorf("%d unencrypted PHI arrows in the browser, want 1", n)
	}
	b.Screenshot("dataflow")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems: %v", p)
	}
}
