package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// A form page and its answer, plus a page whose inline script the CSP
// forbids, to check that the helpers see what a person would.
func testServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>form</title><form method="post" action="/hello"><input id="name" name="name" value="old"><button id="go">Go</button></form>`)
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>hello</title><p id="out">hello, %s</p>`, strings.ReplaceAll(r.FormValue("name"), "<", "&lt;"))
	})
	mux.HandleFunc("GET /csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'self'")
		fmt.Fprint(w, `<!doctype html><title>csp</title><p id="p">x</p><script>document.getElementById("p").textContent = "inline ran"</script>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFormRoundTrip(t *testing.T) {
	srv := testServer(t)
	b := New(t)
	b.Navigate(srv.URL + "/")
	b.Fill("#name", "Dana")
	b.Click("#go")
	if got := b.WaitText("#out", "hello, Dana", 5*time.Second); got != "hello, Dana" {
		t.Errorf("after submitting, #out = %q", got)
	}
	if !strings.HasSuffix(b.URL(), "/hello") {
		t.Errorf("URL = %s, want the form's target", b.URL())
	}
	if n := b.Count("p"); n != 1 {
		t.Errorf("Count(p) = %d, want 1", n)
	}
	p := b.Screenshot("form result")
	png, err := os.ReadFile(p)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s is not a PNG: %v", p, err)
	}
	if probs := b.Problems(); len(probs) != 0 {
		t.Errorf("a clean page reported problems: %q", probs)
	}
}

func TestProblemsReportCSPViolations(t *testing.T) {
	srv := testServer(t)
	b := New(t)
	b.Navigate(srv.URL + "/csp")
	if got := b.Text("#p"); got != "x" {
		t.Errorf("the inline script ran despite the CSP: #p = %q", got)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range b.Problems() {
			if strings.Contains(p, "Content Security Policy") {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the blocked inline script was not reported by Problems")
}
