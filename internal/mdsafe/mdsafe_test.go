package mdsafe

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`<script>alert(1)</script>`:       `&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<img src=x onerror=alert(1)>`:    `&lt;img src=x onerror=alert(1)&gt;`,
		`[click](javascript:alert(1))`:    `\[click\](javascript:alert(1))`,
		"![x](http://evil.example/t.png)": `!\[x\](http://evil.example/t.png)`,
		"`code`":                          "\\`code\\`",
		"a | b\nc":                        `a \| b c`,
		"Patient API":                     "Patient API",
		"St. Mary's Clinic & Co":          "St. Mary's Clinic &amp; Co",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(Text(in), "<>\n") {
			t.Errorf("Text(%q) keeps a raw < > or line break", in)
		}
	}
}
