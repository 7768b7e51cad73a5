package policy

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"ward/internal/workspace"
)

// md renders policy Markdown: CommonMark with tables, and raw HTML left
// out (goldmark's default: a policy's text is shown to the whole
// workforce and must not carry script or markup of its own). Links keep
// only safe schemes.
var md = goldmark.New(goldmark.WithExtensions(extension.Table))

// HTMLFragment renders a policy's Markdown to an HTML fragment, raw HTML
// omitted.
func HTMLFragment(text string) (string, error) {
	var b bytes.Buffer
	if err := md.Convert([]byte(text), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// HTMLDocument is a whole HTML page for one policy version: what
// `ward policy show --text -o FILE.html` and the download write.
func HTMLDocument(title, subtitle, text string) ([]byte, error) {
	body, err := HTMLFragment(text)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse}td,th{border:1px solid #c8ccd1;padding:.3rem .5rem;vertical-align:top}
.meta{color:#57606a;border-bottom:1px solid #d0d7de;padding-bottom:.5rem}</style></head>
<body><p class="meta">%s</p>
%s</body></html>
`, html.EscapeString(title), html.EscapeString(subtitle), body)
	return b.Bytes(), nil
}

// VersionLine says what a version is, for the top of its document:
// "Acme Health · sanctions · version 2 · approved by ... on ..., effective
// ..." or "... · DRAFT, not approved".
func VersionLine(org string, p *workspace.Policy, v workspace.PolicyVersion) string {
	s := fmt.Sprintf("%s · %s · version %d · ", org, p.ID, v.Version)
	if v.Approved() {
		return s + fmt.Sprintf("approved by %s on %s, effective %s", v.ApprovedBy, v.ApprovedOn, v.EffectiveOn())
	}
	return s + "DRAFT, not approved"
}

// PlainTitle is the first heading of a policy's Markdown, or "".
func PlainTitle(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if t, ok := strings.CutPrefix(l, "# "); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}
