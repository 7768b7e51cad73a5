package risk

import (
	"testing"

	"ward/internal/workspace"
)

func TestNewID(t *testing.T) {
	ws := &workspace.Workspace{Risks: []workspace.Risk{{ID: "r-patient-api-ransomware"}, {ID: "r-patient-api-ransomware-2"}}}
	cases := []struct{ asset, threat, want string }{
		{"laptops", "Loss or theft of a device", "r-laptops-loss-or-theft-of-a-device"},
		{"patient-api", "ransomware", "r-patient-api-ransomware-3"},
		{"db", "A very long threat description that goes on and on", "r-db-a-very-long-threat-description-t"},
		{"db", "", "r-db"},
		{"db", "!!!", "r-db"},
	}
	for _, c := range cases {
		if got := NewID(ws, c.asset, c.threat); got != c.want {
			t.Errorf("NewID(%q, %q) = %q, want %q", c.asset, c.threat, got, c.want)
		}
	}
	if Find(ws, "r-patient-api-ransomware-2") == nil || Find(ws, "nope") != nil {
		t.Error("Find does not find by id")
	}
}
