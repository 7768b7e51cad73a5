package prowler

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
)

// FuzzReader feeds the reader arbitrary bytes (seeded from
// testdata/fuzz/FuzzReader: real-shaped OCSF, JSON lines and CSV, whole
// and cut): it must never panic, every failure must be a *prowler.Error
// saying where, and every finding it returns must carry what the import
// relies on.
func FuzzReader(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"class_uid":2004,"metadata":{"event_code":"c"},"status_code":"FAIL","finding_info":{"uid":"u"},"time":1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewReader: %T %v is not a *prowler.Error", err, err)
			}
			return
		}
		for range 10000 {
			fd, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Next: %T %v is not a *prowler.Error", err, err)
				}
				if e.Error() == "" {
					t.Fatal("empty error message")
				}
				if _, err := r.Next(); err != io.EOF {
					t.Fatalf("Next after an error: %v, want io.EOF", err)
				}
				return
			}
			if fd.UID == "" || fd.Check == "" || !slices.Contains(Statuses, fd.Status) || fd.Time.IsZero() && r.Format() != FormatCSV {
				t.Fatalf("finding without what an import needs: %+v", fd)
			}
			for _, q := range fd.Requirements {
				if Framework(q.Framework) == "" || q.ID == "" {
					t.Fatalf("kept a requirement that is not HIPAA or SOC 2: %+v", q)
				}
			}
		}
	})
}
