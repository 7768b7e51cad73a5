package evidence

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestUploadPath(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	cases := []struct{ name, want string }{
		{"Q4 access review.pdf", "evidence/uploads/abababababab-Q4_access_review.pdf"},
		{"../../etc/passwd", "evidence/uploads/abababababab-passwd"},
		{`C:\Users\dana\scan.csv`, "evidence/uploads/abababababab-scan.csv"},
		{".hidden", "evidence/uploads/abababababab-hidden"},
		{"..", "evidence/uploads/abababababab-file"},
		{"", "evidence/uploads/abababababab-file"},
	}
	for _, c := range cases {
		got := UploadPath(sha, c.name)
		if got != c.want || !filepath.IsLocal(filepath.FromSlash(got)) {
			t.Errorf("UploadPath(%q) = %q, want %q (and local)", c.name, got, c.want)
		}
	}
}
