package prowler

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
)

// A compressed Prowler output (as it is often shipped out of S3) is named
// as such, not misread as a CSV with a stray quote somewhere in its bytes.
func TestCompressedFileIsNamed(t *testing.T) {
	sample, err := os.ReadFile("testdata/sample.ocsf.json")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(sample)
	zw.Close()
	var zp bytes.Buffer
	aw := zip.NewWriter(&zp)
	w, _ := aw.Create("prowler-output.ocsf.json")
	w.Write(sample)
	aw.Close()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"gzip", gz.Bytes(), "gzip-compressed: decompress it first (gunzip FILE)"},
		{"zip", zp.Bytes(), "zip-compressed: decompress it first (unzip FILE)"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, "zstd-compressed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(c.data))
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "byte 0: ") {
				t.Fatalf("error %v, want a *prowler.Error at byte 0 saying %q", err, c.want)
			}
		})
	}
	// The uncompressed forms still read.
	for _, f := range []string{"testdata/sample.ocsf.json", "testdata/sample.ocsf.jsonl", "testdata/sample.csv"} {
		raw, _ := os.ReadFile(f)
		if _, err := NewReader(bytes.NewReader(raw)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
