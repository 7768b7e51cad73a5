package app_test

import (
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

// TestBrowserVendorOnboarding is issue 19's vendor onboarding end to end
// in Chromium: from the vendors list, one guided flow makes the vendor,
// a system it runs that holds PHI, a PHI flow into it, and its BAA with
// the signed PDF uploaded in the same step; each step confirms and comes
// back to the steps, and at the end the go-live gate passes for the
// vendor (45 CFR 164.308(b): a BAA in force before PHI reaches it), with
// the clause review offered next.
func TestBrowserVendorOnboarding(t *testing.T) {
	b := browsertest.New(t)
	e := webtest.NewEnv(t, kit.Config{})
	e.BrowserLogin(b, e.Users[store.RoleEditor])

	b.Navigate(e.HTTP.URL + "/orgs/alpha/vendors")
	b.Click(`a[href="/orgs/alpha/vendors/new?then=onboard"]`)
	b.Fill(`input[name="name"]`, "Acme Fax")
	b.Fill(`input[name="services"]`, "fax")
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText("main h1", "Onboard Acme Fax", 20*time.Second)
	if f := b.Text(".flash"); !strings.Contains(f, "Acme Fax created") {
		t.Errorf("confirmation after the vendor: %q", f)
	}
	onboard := b.URL()
	if !strings.HasSuffix(onboard, "/orgs/alpha/vendors/acme-fax/onboard") {
		t.Fatalf("after the vendor form: %s", onboard)
	}
	b.Screenshot("onboard-1-vendor")

	// The systems it runs: the form comes prefilled with the vendor, PHI
	// and encryption at rest.
	b.Click(`li.step.current a.button`)
	b.WaitVisible("form.record-form")
	got := webtest.EvalJS[map[string]any](t, b, `({vendor: document.querySelector("[name=vendor]").value, phi: document.querySelector("[name=phi]").checked, enc: document.querySelector("[name=encrypted_at_rest]").checked})`)
	if got["vendor"] != "acme-fax" || got["phi"] != true || got["enc"] != true {
		t.Errorf("the system form is not prefilled for the vendor: %v", got)
	}
	b.Fill(`input[name="name"]`, "Fax gateway")
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText(".flash", "Fax gateway created", 20*time.Second)
	if !strings.HasSuffix(b.URL(), "/vendors/acme-fax/onboard") {
		t.Fatalf("after the system form: %s", b.URL())
	}

	// Its flows: PHI from the patient API into the fax gateway.
	b.Click(`li.step.current a.button`)
	b.WaitVisible("form.record-form")
	if to := webtest.EvalJS[string](t, b, `document.querySelector("[name=to]").value`); to != "fax-gateway" {
		t.Errorf("the flow form's destination is %q, want the vendor's system", to)
	}
	b.Do("choose the flow's source", chromedp.SetValue(chromedp.CSS(`select[name="from"]`), "patient-api"))
	b.Click(`form.record-form button[type="submit"]`)
	b.WaitText(".flash", "created", 20*time.Second)
	if txt := b.Text("#gate-status"); !strings.Contains(txt, "blocked") {
		t.Errorf("before the BAA, the gate for the vendor reads %q", txt)
	}
	if n := b.Count(`.onboard-findings li`); n == 0 {
		t.Error("the missing BAA is not listed among the gate's findings for the vendor")
	}
	b.Screenshot("onboard-3-flows")

	// The BAA with the signed PDF, in one step.
	pdf := filepath.Join(t.TempDir(), "acme-fax-baa-signed.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := webtest.EvalJS[string](t, b, `document.querySelector("#baa-effective").value`); v == "" {
		t.Error("the BAA's effective date is not prefilled")
	}
	b.Do("choose the signed PDF", chromedp.SetUploadFiles(chromedp.CSS(`#baa-file`), []string{pdf}))
	b.Click(`section.onboard-baa button[type="submit"]`)
	b.WaitText(".flash", "with its signed copy", 20*time.Second)
	if txt := b.Text("#gate-status"); !strings.Contains(txt, "passes for Acme Fax") {
		t.Errorf("after the BAA, the gate for the vendor reads %q", txt)
	}
	if n := b.Count(`li.step[data-done="true"]`); n != 4 {
		t.Errorf("%d steps done, want 4 (vendor, systems, flows, BAA)", n)
	}
	if href := webtest.EvalJS[string](t, b, `document.querySelector("li.step.current a").getAttribute("href")`); href != "/orgs/alpha/agreements/baa-acme-fax#clauses" {
		t.Errorf("the next step (clause review) links to %q", href)
	}
	for _, want := range []string{"Fax gateway", "patient-api → fax-gateway", "BAA baa-acme-fax", "signed copy on file"} {
		if !strings.Contains(b.Text(".onboard-linked"), want) {
			t.Errorf("the linked records do not show %q", want)
		}
	}
	b.Screenshot("onboard-4-baa")

	// The store agrees: the agreement points at the uploaded copy.
	ws, err := e.Store.Org(e.OrgA).Workspace(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range ws.Agreements {
		if a.ID == "baa-acme-fax" {
			found = a.Status == "executed" && a.Direction == "downstream" && a.Counterparty == "acme-fax" && a.File != "" && a.SHA256 != ""
		}
	}
	if !found {
		t.Errorf("no executed downstream BAA with its signed copy in the store: %+v", ws.Agreements)
	}
	if p := b.Problems(); len(p) != 0 {
		t.Errorf("script errors or CSP violations: %v", p)
	}
}
