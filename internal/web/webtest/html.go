package webtest

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// FormToken is the hidden csrf field of a rendered page.
func FormToken(t *testing.T, html string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no csrf field in the page:\n%s", html)
	}
	return m[1]
}

var (
	TodoItem = regexp.MustCompile(`<li class="todo-item [^"]*" data-kind="([^"]+)"(?: data-rule="([^"]*)")? data-subject="([^"]*)"`)
	nextPage = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// WalkPages gets path and each page its rel="next" link leads to, in
// order, and returns their bodies.
func WalkPages(t *testing.T, get func(string) string, path string) []string {
	t.Helper()
	var bodies []string
	for path != "" {
		if len(bodies) > 1000 {
			t.Fatalf("%s: more than 1,000 pages", path)
		}
		body := get(path)
		bodies = append(bodies, body)
		m := nextPage.FindStringSubmatch(body)
		if m == nil {
			break
		}
		next := html.UnescapeString(m[1])
		if strings.HasPrefix(next, "?") {
			if i := strings.IndexByte(path, '?'); i >= 0 {
				path = path[:i]
			}
			next = path + next
		}
		path = next
	}
	return bodies
}
