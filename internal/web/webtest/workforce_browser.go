package webtest

import (
	"ward/internal/browsertest"
)

// BrowserLogout ends the browser's session through the menu's button.
func (e *TestEnv) BrowserLogout(b *browsertest.Browser) {
	b.Click(`form.logout button`)
	// The login form's own field: a page with another e-mail field (the
	// invitations form) would match a bare input[name="email"] before the
	// log out had gone through, and the next navigation would race it.
	b.WaitVisible(`form[action="/login"] input[name="email"]`)
}
