package prowler

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"
)

var synthAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func synthetic(b *testing.B, size int64) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := WriteSynthetic(&buf, size, 1, synthAt); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeFloor is the floor the import is held to: a plain
// encoding/json streaming decode of the same bytes (Token into the array,
// Decode each element) into a struct of only the fields ward reads.
func BenchmarkDecodeFloor(b *testing.B) {
	data := synthetic(b, 8<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.Token()
		for dec.More() {
			var o ocsfFinding
			if err := dec.Decode(&o); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReader is the reader over the same bytes, with the mapping
// tally an import keeps.
func BenchmarkReader(b *testing.B) { benchReader(b, Options{}) }

// BenchmarkReaderJSON is the reader with encoding/json alone (the path
// the fast one hands over to).
func BenchmarkReaderJSON(b *testing.B) { benchReader(b, Options{jsonOnly: true}) }

func benchReader(b *testing.B, opt Options) {
	data := synthetic(b, 8<<20)
	m := MustMapper()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewReaderOptions(bytes.NewReader(data), opt)
		if err != nil {
			b.Fatal(err)
		}
		t := NewTally(m)
		for {
			f, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			t.Add(f)
		}
	}
}

func TestSyntheticIsReadable(t *testing.T) {
	var buf bytes.Buffer
	n, err := WriteSynthetic(&buf, 200<<10, 7, synthAt)
	if err != nil || n < 50 {
		t.Fatalf("%d findings, %v", n, err)
	}
	fs, format, err := readAll(t, buf.Bytes())
	if err != nil || format != FormatOCSF || len(fs) != n {
		t.Fatalf("read back %d of %d (%s): %v", len(fs), n, format, err)
	}
	tl := NewTally(MustMapper())
	for _, f := range fs {
		tl.Add(f)
	}
	if len(tl.Unmapped()) != 0 || tl.ByStatus[StatusFail] == 0 || len(tl.Placements()) == 0 {
		t.Errorf("synthetic tally: %+v %v", tl.ByStatus, tl.Unmapped())
	}
}
