package app_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// Every term a page explains on hover ({{gloss "id" ...}}) is in the
// glossary, with a definition, and the help page lists every term, with
// the ones the issue names: live PHI gate, upstream and downstream BAA,
// addressable, Type I and Type II.
func TestGlossaryCoversEveryTermUsed(t *testing.T) {
	use := regexp.MustCompile(`gloss "([a-z0-9-]+)"`)
	files, _ := fs.Glob(kit.TemplateFS, "templates/*.html")
	used := 0
	for _, f := range files {
		b, _ := fs.ReadFile(kit.TemplateFS, f)
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			used++
			if kit.GlossaryTerm(m[1]) == nil {
				t.Errorf("%s uses the term %q, which the glossary lacks", f, m[1])
			}
		}
	}
	if used < 3 {
		t.Errorf("only %d uses of gloss in the templates", used)
	}
	for _, id := range []string{"live-phi-gate", "upstream-baa", "downstream-baa", "addressable", "type1", "type2"} {
		if tm := kit.GlossaryTerm(id); tm == nil || tm.Short == "" {
			t.Errorf("the glossary lacks %s", id)
		}
	}
	e := webtest.NewEnv(t, kit.Config{})
	c, _ := e.Login(e.Users["viewer"])
	page := e.Get(c, "/help")
	if page.StatusCode != 200 {
		t.Fatalf("/help: %d", page.StatusCode)
	}
	for _, tm := range kit.Glossary {
		if !strings.Contains(page.Body, `id="`+tm.ID+`"`) {
			t.Errorf("/help has no entry %s", tm.ID)
		}
	}
	if g := string(kit.Gloss("live-phi-gate", "live PHI")); !strings.Contains(g, `href="/help#live-phi-gate"`) || !strings.Contains(g, `title="ward&#39;s check`) {
		t.Errorf("gloss draws %s", g)
	}
}
