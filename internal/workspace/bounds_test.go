package workspace

import (
	"fmt"
	"strings"
	"testing"
)

// TestBounds is issue 20's findings 10, 11 and 16 at the workspace files:
// each value outside ward's bounds is an error naming the file, line and
// field, and nothing is loaded.
func TestBounds(t *testing.T) {
	huge := strings.Repeat("x", 200_000)
	tests := []struct {
		name, body string
		want       string // one expected error line
	}{
		{"observation months without bound (finding 10)", `organization:
  name: Acme
  soc2:
    type: type2
    observation_start: 2027-04-01
    observation_months: 2147483647
`, "ws.yaml:6: organization.soc2.observation_months: 2147483647 is outside 1..24"},
		{"observation months 25", `organization:
  name: Acme
  soc2:
    observation_months: 25
`, "ws.yaml:4: organization.soc2.observation_months: 25 is outside 1..24"},
		{"id with a NUL byte (finding 16)", head + `systems:
  - id: "patient\0api"
    kind: service
`, `ws.yaml:6: systems[0].id: "patient\x00api" has a NUL byte`},
		{"id with a path separator", head + `vendors:
  - id: ../../etc
`, `ws.yaml:6: vendors[0].id: "../../etc" starts with "."`},
		{"id with a slash inside", head + `customers:
  - id: st/marys
`, `ws.yaml:6: customers[0].id: "st/marys" has a path separator ('/')`},
		{"id too long", head + `incidents:
  - id: ` + strings.Repeat("a", 200) + `
    discovered: 2027-05-01
    summary: x
`, "ws.yaml:6: incidents[0].id: is 200 characters long; an id has at most 128"},
		{"description of 200 KB (finding 11)", head + `systems:
  - id: api
    kind: service
    description: ` + huge + `
`, "ws.yaml:8: systems[0].description: is 200 KB long; at most 100 KB"},
		{"control character in text", head + `systems:
  - id: api
    kind: service
    description: "bell\a"
`, "ws.yaml:8: systems[0].description: has a control character (U+0007)"},
		{"list too long", head + `systems:
  - id: api
    kind: service
incidents:
  - id: inc-1
    discovered: 2027-05-01
    summary: x
    systems: [` + strings.TrimSuffix(strings.Repeat("api, ", 1001), ", ") + `]
`, "ws.yaml:12: incidents[0].systems: has 1001 items; a list holds at most 1000"},
		{"count out of range", head + `incidents:
  - id: inc-1
    discovered: 2027-05-01
    summary: x
    individuals: 99999999999
`, "ws.yaml:9: incidents[0].individuals: 99999999999 is out of range"},
		{"date in year 9999", head + `risk_analyses:
  - id: ra-1
    performed: 9999-01-01
`, "ws.yaml:7: risk_analyses[0].performed: 9999-01-01 is outside the years 1900 to 2199"},
		{"breach notice of 10000 days", head + `vendors:
  - id: twilio
agreements:
  - id: baa-1
    kind: baa
    counterparty: twilio
    direction: downstream
    status: draft
    breach_notice_days: 10000
`, "ws.yaml:13: agreements[0].breach_notice_days: 10000 days is more than a year"},
		{"file name longer than a file system allows (finding 15)", head + `controls:
  - id: access-review
    status: implemented
evidence:
  - control: access-review
    collected: 2027-04-03
    file: evidence/` + strings.Repeat("n", 300) + `.pdf
`, "ws.yaml:11: evidence[0].file: has a name of 304 bytes; a file system allows at most 255"},
		{"invalid UTF-8 (finding 18)", head + "systems:\n  - id: api\n    kind: service\n    name: caf\xe9\n",
			"ws.yaml:8: byte 116 (column 14) is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadIn(t, map[string]string{"ws.yaml": tt.body}, "ws.yaml", Options{})
			lines := errorLines(t, err)
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) {
					return
				}
			}
			t.Errorf("want an error starting %q, got:\n%s", tt.want, strings.Join(lines, "\n"))
		})
	}
}

// TestDeepNestingFailsFast is finding 11: 100,000 levels of nesting in a
// 200 KB file ran ward apply out of memory. It is refused before the YAML
// parser sees it, at once.
func TestDeepNestingFailsFast(t *testing.T) {
	for name, body := range map[string]string{
		"flow brackets":   "organization:\n  name: x\nsystems:\n  - id: a\n    kind: service\n    description: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n",
		"compact lists":   "organization:\n  name: x\nsystems:\n  " + strings.Repeat("- ", 100_000) + "x\n",
		"flow mappings":   "organization: " + strings.Repeat("{a: ", 100_000) + "1" + strings.Repeat("}", 100_000) + "\n",
		"indented blocks": "organization:\n  name: x\nsystems:\n" + deepBlocks(100),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadIn(t, map[string]string{"ws.yaml": body}, "ws.yaml", Options{})
			lines := errorLines(t, err)
			if len(lines) != 1 || !strings.Contains(lines[0], "nested more than 64 levels deep") {
				t.Fatalf("got %q", lines)
			}
		})
	}
	// Ordinary nesting, block scalars with brackets and indentation, and
	// quoted brackets are not mistaken for depth.
	ok := head + `systems:
  - id: api
    kind: service
    description: |
      [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
          deeply indented text
              more
    name: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
`
	if _, err := loadIn(t, map[string]string{"ws.yaml": ok}, "ws.yaml", Options{}); err != nil {
		t.Errorf("an ordinary file was refused: %v", err)
	}
}

func deepBlocks(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s- k%d:\n", strings.Repeat("  ", i+1), i)
	}
	return b.String()
}
