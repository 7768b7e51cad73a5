package records

import (
	"net/url"
	"strings"
)

// validThen is a guided flow's next step as a form carries it: "onboard"
// (after a new vendor) or "onboard:VENDOR"; anything else is dropped, so
// a form cannot be made to send anyone elsewhere.
func validThen(v string) string {
	if v == "onboard" {
		return v
	}
	if id, ok := strings.CutPrefix(v, "onboard:"); ok && id != "" && !strings.ContainsAny(id, "/?#\\ ") {
		return v
	}
	return ""
}

// thenHref is where a create goes in a guided flow: the vendor's
// onboarding steps.
func thenHref(slug string, k recordKind, rec any, then string) string {
	switch {
	case then == "onboard" && k == recordKind(VendorKind):
		return OnboardHref(slug, k.keyOf(rec))
	case strings.HasPrefix(then, "onboard:"):
		return OnboardHref(slug, strings.TrimPrefix(then, "onboard:"))
	}
	return ""
}

func OnboardHref(slug, vendor string) string {
	return "/orgs/" + slug + "/vendors/" + url.PathEscape(vendor) + "/onboard"
}
