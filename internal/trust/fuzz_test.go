package trust

import (
	"bytes"
	"os"
	"testing"
)

// FuzzStamp feeds the stamper files an outsider could upload as a
// document: it must never panic or loop, and whatever it stamps keeps the
// original bytes in front. Seeds in testdata/fuzz/FuzzStamp; more with
// go test -run '^$' -fuzz FuzzStamp -fuzztime 2m ./internal/trust.
func FuzzStamp(f *testing.F) {
	if b, err := os.ReadFile("testdata/report-xref-stream.pdf"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, pdf []byte) {
		out, err := Stamp(pdf, "Provided to A (B, a@b.example)")
		if err == nil && !bytes.HasPrefix(out, pdf) {
			t.Fatal("stamped output does not keep the original in front")
		}
	})
}
