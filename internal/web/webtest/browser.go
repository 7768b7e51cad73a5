package webtest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
)

// BrowserLogin logs u in through the form and waits for the app shell.
func (e *TestEnv) BrowserLogin(b *browsertest.Browser, u TestUser) {
	b.Navigate(e.HTTP.URL + "/login")
	b.Fill(`input[name="email"]`, u.Email)
	b.Fill(`input[name="password"]`, u.Password)
	b.Click(`button[type="submit"]`)
	b.WaitVisible(".sidebar")
}

// EvalJS runs a script in the tab and decodes its value.
func EvalJS[T any](t *testing.T, b *browsertest.Browser, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("browser: %s: %v", js, err)
	}
	return v
}

// BrowserLogout ends the browser's session through the menu's button.
func (e *TestEnv) BrowserLogout(b *browsertest.Browser) {
	b.Click(`form.logout button`)
	// The login form's own field: a page with another e-mail field (the
	// invitations form) would match a bare input[name="email"] before the
	// log out had gone through, and the next navigation would race it.
	b.WaitVisible(`form[action="/login"] input[name="email"]`)
}
