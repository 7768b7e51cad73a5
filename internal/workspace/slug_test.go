package workspace

import "testing"

func TestSlug(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Acme Health", "acme-health"},
		{"St. Mary's Clinic", "st-marys-clinic"},
		{"St. Mary’s Clinic", "st-marys-clinic"},
		{"  Lakeside   Cardiology, P.C. ", "lakeside-cardiology-p-c"},
		{"Clínica São José", "clinica-sao-jose"},
		{"Straße 42 GmbH", "strasse-42-gmbh"},
		{"acme-health", "acme-health"},
		{"ACME--HEALTH", "acme-health"},
		{"北京诊所", ""},
		{"!!!", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := Slug(c.name); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.name, got, c.want)
		}
		if c.want != "" && !validSlug(c.want) {
			t.Errorf("validSlug(%q) = false for Slug's own output", c.want)
		}
	}
	for _, bad := range []string{"Acme", "acme health", "-acme", "acme-", "acme--health", ""} {
		if validSlug(bad) {
			t.Errorf("validSlug(%q) = true", bad)
		}
	}
}
