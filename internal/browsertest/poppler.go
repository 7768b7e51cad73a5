package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// Poppler returns the path of a poppler tool (pdftotext, pdftoppm) that
// the document tests use to read a generated PDF's text and turn its pages
// into images. The README's test command installs poppler-utils; without
// it the test fails, unless WARD_SKIP_PDF=1 says to skip that check.
func Poppler(t testing.TB, tool string) string {
	t.Helper()
	if os.Getenv("WARD_SKIP_PDF") == "1" {
		t.Skipf("WARD_SKIP_PDF=1: skipping the %s check", tool)
	}
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("this test needs %s: run `apt-get install -y poppler-utils` (or set WARD_SKIP_PDF=1 to skip it): %v", tool, err)
	}
	return p
}
