package webtest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"ward/internal/browsertest"
)

// DemoNow is the day the demo's deliberate gaps are dated for: its
// breach notice to Lakeside Cardiology is 14 days overdue.
func DemoNow() time.Time { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }

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
