package phimap

import (
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	var quiet strings.Builder
	if err := Gate(clean(), asOf).WriteText(&quiet); err != nil || quiet.Len() != 0 {
		t.Errorf("a passing gate wrote %q (err %v); CI output must be quiet on success", quiet.String(), err)
	}

	ws := clean()
	agreement(ws, "baa-twilio").Status = "expired"
	var out strings.Builder
	if err := Gate(ws, asOf).WriteText(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"error baa.expired baa-twilio: ",
		"blocked customer st-marys: live PHI with baa.expired on its path",
		"blocked system patient-api: live PHI with baa.expired on its path",
		"blocked system sms-gateway: live PHI with baa.expired on its path",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], w)
		}
	}
}
