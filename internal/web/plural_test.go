package web_test

import (
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/web/kit"
)

func TestKindNouns(t *testing.T) {
	cases := []struct {
		kind string
		n    int
		want string
	}{
		{store.KindVuln, 1, "Vulnerability"},
		{store.KindVuln, 2, "Vulnerabilities"},
		{store.KindVuln, 0, "Vulnerabilities"},
		{store.KindRiskAnalysis, 1, "Risk analysis"},
		{store.KindRiskAnalysis, 3, "Risk analyses"},
		{store.KindPerson, 1, "Person"},
		{store.KindPerson, 4, "People"},
		{store.KindEvidence, 7, "Evidence"},
		{store.KindSystem, 1, "System"},
		{store.KindSystem, 2, "Systems"},
		{store.KindPrivacyRequest, 2, "Privacy requests"},
		{"policy", 2, "Policies"},
		{"survey", 2, "Surveys"},
	}
	for _, c := range cases {
		if got := kit.KindNoun(c.kind, c.n); got != c.want {
			t.Errorf("kindNoun(%q, %d) = %q, want %q", c.kind, c.n, got, c.want)
		}
	}
	// Every kind the store keeps reads as English in the plural: a
	// consonant and y make ies, an -sis noun makes -ses.
	for _, k := range store.Kinds {
		p := kit.KindNoun(k, 2)
		if n := len(p); n > 2 && strings.HasSuffix(p, "ys") && !strings.ContainsRune("aeiou", rune(p[n-3])) || strings.HasSuffix(p, "siss") {
			t.Errorf("kindNoun(%q, 2) = %q", k, p)
		}
	}
}
