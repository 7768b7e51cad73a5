package plan

import (
	"strings"
	"testing"
)

func TestQuestions(t *testing.T) {
	qs := Questions()
	want := []string{"handles_phi", "sells_to_covered_entities", "enterprise_health_systems", "buyers_ask_soc2"}
	if len(qs) != len(want) {
		t.Fatalf("%d questions, want 4", len(qs))
	}
	for i, q := range qs {
		if q.ID != want[i] || q.Rule != i+1 || q.Field != "organization.answers."+want[i] || q.Text == "" || q.Help == "" {
			t.Errorf("question %d = %+v", i, q)
		}
	}
}

func TestApplyAnswers(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		answers map[string]bool
		want    string
	}{
		{
			name: "block: values change, comments and the rest stay",
			in: `# Acme's workspace
organization:
  name: Acme Health   # legal name
  roles: [business-associate]
  answers:                        # the decision tree
    handles_phi: false   # not yet
    sells_to_covered_entities: true
    enterprise_health_systems: false
    buyers_ask_soc2: false
  officers:
    privacy: dana@acme.example
people:
  - email: dana@acme.example
`,
			answers: map[string]bool{"handles_phi": true, "buyers_ask_soc2": true},
			want: `# Acme's workspace
organization:
  name: Acme Health   # legal name
  roles: [business-associate]
  answers:                        # the decision tree
    handles_phi: true   # not yet
    sells_to_covered_entities: true
    enterprise_health_systems: false
    buyers_ask_soc2: true
  officers:
    privacy: dana@acme.example
people:
  - email: dana@acme.example
`,
		},
		{
			name: "block: missing keys are added after the last one",
			in: `organization:
    name: Acme
    answers:
        handles_phi: true

        # enterprise later
people: []
`,
			answers: map[string]bool{"handles_phi": false, "buyers_ask_soc2": true, "sells_to_covered_entities": false},
			want: `organization:
    name: Acme
    answers:
        handles_phi: false
        sells_to_covered_entities: false
        buyers_ask_soc2: true

        # enterprise later
people: []
`,
		},
		{
			name: "no answers block: added at the end of organization",
			in: `organization:
  name: Acme
  soc2:
    type: type2

# people
people: []
`,
			answers: map[string]bool{"buyers_ask_soc2": true, "handles_phi": true},
			want: `organization:
  name: Acme
  soc2:
    type: type2
  answers:
    handles_phi: true
    buyers_ask_soc2: true

# people
people: []
`,
		},
		{
			name: "flow mapping becomes a block, keeping the other answers",
			in: `organization:
  name: Acme
  answers: {handles_phi: false, enterprise_health_systems: true}  # quick
  program_start: 2026-12-01
`,
			answers: map[string]bool{"handles_phi": true},
			want: `organization:
  name: Acme
  answers:  # quick
    handles_phi: true
    enterprise_health_systems: true
  program_start: 2026-12-01
`,
		},
		{
			name: "a nested answers key elsewhere is not organization's",
			in: `organization:
  name: Acme
  notes:
    answers:
      handles_phi: false
`,
			answers: map[string]bool{"handles_phi": true},
			want: `organization:
  name: Acme
  notes:
    answers:
      handles_phi: false
  answers:
    handles_phi: true
`,
		},
		{
			name:    "CRLF line endings are kept",
			in:      "organization:\r\n  answers:\r\n    handles_phi: false\r\n",
			answers: map[string]bool{"handles_phi": true},
			want:    "organization:\r\n  answers:\r\n    handles_phi: true\r\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ApplyAnswers([]byte(c.in), c.answers)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestApplyAnswersErrors(t *testing.T) {
	cases := []struct {
		name, in string
		answers  map[string]bool
		want     string
	}{
		{"unknown question", "organization:\n  name: A\n", map[string]bool{"handles_pii": true}, "handles_pii: unknown question"},
		{"no organization", "people: []\n", map[string]bool{"handles_phi": true}, "no top-level organization"},
		{"organization on one line", "organization: {name: A}\n", map[string]bool{"handles_phi": true}, "block mapping"},
		{"answers is a scalar", "organization:\n  answers: yes\n", map[string]bool{"handles_phi": true}, "not a mapping"},
	}
	for _, c := range cases {
		_, err := ApplyAnswers([]byte(c.in), c.answers)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", c.name, err, c.want)
		}
	}
}
