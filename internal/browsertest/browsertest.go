// Package browsertest drives Debian's headless Chromium from Go tests, so
// that a page test can log in through the real form, click, wait and look
// at what a person would see. It wraps github.com/chromedp/chromedp with a
// few helpers that fail the test with a readable message instead of
// returning errors, and collects the page's script errors and Content
// Security Policy violations so that a test can assert there are none.
//
// A test needs /usr/bin/chromium (apt-get install -y chromium); without
// it the test fails saying so, unless WARD_SKIP_BROWSER=1, which skips
// browser tests. WARD_CHROMIUM names another binary. WARD_SCREENSHOTS=DIR
// keeps screenshots in DIR (otherwise in the test's temporary folder).
//
// This package is for tests only; nothing in the binary imports it.
package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// Browser is one headless Chromium with one tab.
type Browser struct {
	t       testing.TB
	ctx     context.Context
	Timeout time.Duration // for each helper call; default 15s
	shots   string

	mu       sync.Mutex
	problems []string
}

// New starts a fresh Chromium (its own empty profile) for t and stops it
// when t ends.
func New(t testing.TB) *Browser {
	t.Helper()
	if os.Getenv("WARD_SKIP_BROWSER") == "1" {
		t.Skip("WARD_SKIP_BROWSER=1: skipping the headless-browser test")
	}
	exe := os.Getenv("WARD_CHROMIUM")
	if exe == "" {
		exe = DefaultChromium
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("browser tests need Chromium at %s: run `apt-get install -y chromium` (or set WARD_SKIP_BROWSER=1 to skip them): %v", exe, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // containers and CI run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is small in containers
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &Browser{t: t, ctx: ctx, Timeout: 15 * time.Second}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first call starts the browser and binds it to ctx, which has no
	// timeout; later calls get their own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The browser asks every site for /favicon.ico on its own;
			// a missing one is not the page's problem.
			if strings.HasSuffix(m.URL, "/favicon.ico") {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				p := string(m.Type) + ": " + m.Text
				if m.URL != "" {
					p += " (" + m.URL + ")"
				}
				b.mu.Lock()
				b.problems = append(b.problems, p)
				b.mu.Unlock()
			}
		}
	}()
	b.shots = os.Getenv("WARD_SCREENSHOTS")
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	return b
}

// Problems returns the script exceptions, console errors and browser-log
// errors (Content Security Policy violations, failed loads) seen so far,
// and forgets them.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// Context is the tab's chromedp context, the escape hatch for what the
// helpers do not cover; derive a timeout from it for each call.
func (b *Browser) Context() context.Context { return b.ctx }

// Do performs actions with the helper timeout, failing the test on error.
func (b *Browser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %s (on %s): %v", what, b.currentURL(), err)
	}
}

// get runs one action that returns a value.
func get[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %s (on %s): %v", what, b.currentURL(), err)
	}
	return v
}

func (b *Browser) currentURL() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// Navigate opens url and waits for the page to load.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do("navigate to "+url, chromedp.Navigate(url))
}

// Fill types value into the input that the CSS selector matches, after
// clearing it.
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	b.Do("wait for "+selector, chromedp.WaitVisible(sel))
	// Clear with a script (a selector is valid as a JSON string literal),
	// then type, so the page sees key events as from a person.
	q, _ := json.Marshal(selector)
	get(b, "clear "+selector, chromedp.Evaluate[bool](`(function(){ const e = document.querySelector(`+string(q)+`); e.value = ""; return true })()`))
	b.Do("type into "+selector, chromedp.SendKeys(sel, value))
}

// Click clicks the first element the CSS selector matches.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	b.Do("click "+selector, chromedp.WaitVisible(sel), chromedp.Click(sel))
}

// WaitVisible waits until an element matching the CSS selector is shown.
func (b *Browser) WaitVisible(selector string) {
	b.t.Helper()
	b.Do("wait for "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
}

// WaitText waits up to d for the first element matching the CSS selector
// to contain substr, across page loads, and returns its text.
func (b *Browser) WaitText(selector, substr string, d time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(selector), chromedp.AtLeast(0)))
		if err == nil && len(nodes) > 0 {
			last, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector), chromedp.AtLeast(0)))
		}
		cancel()
		if err == nil && strings.Contains(last, substr) {
			return last
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: waited %v for %q in %s on %s; it reads %q", d, substr, selector, b.currentURL(), last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Text returns the visible text of the first element matching the CSS
// selector.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	return get(b, "read "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Count returns how many elements match the CSS selector, without waiting.
func (b *Browser) Count(selector string) int {
	b.t.Helper()
	return len(get(b, "count "+selector, chromedp.Nodes(chromedp.CSSAll(selector), chromedp.AtLeast(0))))
}

// URL returns the address the tab shows now.
func (b *Browser) URL() string {
	b.t.Helper()
	return get(b, "read location", chromedp.Location())
}

// Cookie returns the value of the named cookie for the current page,
// HttpOnly ones included (scripts cannot read those; tests can).
func (b *Browser) Cookie(name string) (string, bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.Timeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		b.t.Fatalf("browser: read cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves the whole page as PNG and returns the file's path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png := get(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	name = unsafeName.ReplaceAllString(name, "-")
	if !strings.HasSuffix(name, ".png") {
		name += ".png"
	}
	p := filepath.Join(b.shots, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}
