package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// Issue 19 item 9: on a phone (390×844) no page is wider than the screen:
// wide tables scroll inside their own box, the header is one line with a
// menu, the data-flow diagram is full width. Screenshots are kept in
// WARD_SCREENSHOTS for a person to look at.
func TestBrowserPhoneLayouts(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	e.SeedDemo()
	b := browsertest.New(t)
	e.BrowserLogin(b, e.Users[store.RoleEditor])
	b.Do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	eval := func(js string) float64 {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	for _, p := range []struct{ name, path, wait string }{
		{"incident", "/orgs/alpha/incidents/inc-2026-001?as_of=2026-11-20", "main h1"},
		{"home", "/orgs/alpha", "main h1"},
		{"agreements", "/orgs/alpha/agreements", "main h1"},
		{"flows", "/orgs/alpha/flows", ".dataflow svg"},
		{"incidents", "/orgs/alpha/incidents?as_of=2026-11-20", "main h1"},
		{"reports", "/orgs/alpha/reports", "main h1"},
		{"new-agreement", "/orgs/alpha/agreements/new", "main h1"},
	} {
		t.Run(p.name, func(t *testing.T) {
			b.Navigate(e.HTTP.URL + p.path)
			b.WaitVisible(p.wait)
			b.Screenshot("phone-" + p.name)
			screen(t, b, "phone-"+p.name+"-screen")
			if w := eval(`document.documentElement.scrollWidth`); w > 390 {
				ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
				defer cancel()
				culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 391).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? "." + e.className : "") + " " + Math.round(e.getBoundingClientRect().right))`))
				t.Errorf("%s is %v px wide on a 390 px screen; too wide: %s", p.path, w, strings.Join(culprits, ", "))
			}
			// The header is one line: nothing in it wraps to two.
			if h := eval(`Math.max(...Array.from(document.querySelectorAll("header.topbar *")).filter(e => e.offsetParent !== null && !e.closest("ul")).map(e => e.getBoundingClientRect().height))`); h > 42 {
				t.Errorf("something in the header is %v px high: it wraps", h)
			}
		})
	}
	// The diagram fills the width (it was a 90 px thumbnail).
	b.Navigate(e.HTTP.URL + "/orgs/alpha/flows")
	b.WaitVisible(".dataflow svg")
	if w := eval(`document.querySelector(".dataflow svg").getBoundingClientRect().width`); w < 340 {
		t.Errorf("the diagram is %v px wide on a 390 px screen", w)
	}
	// The menu opens from the header.
	b.Click("header.topbar .menu-toggle")
	b.WaitVisible(".sidebar a[href='/orgs/alpha/agreements']")
	screen(t, b, "phone-menu-open")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems (CSP, scripts): %v", p)
	}
}

// screen saves what the phone's screen shows (the first 844 px), beside
// the full-page screenshots, when WARD_SCREENSHOTS is set.
func screen(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	dir := os.Getenv("WARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
