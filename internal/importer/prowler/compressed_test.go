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

// Blank lines before the first JSON line still count: the error names
// the line an editor shows.
func TestJSONLinesErrorLineCountsLeadingBlankLines(t *testing.T) {
	raw, err := os.ReadFile("testdata/sample.ocsf.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	bad := strings.Replace(lines[1], `"class_uid"`, `"class"`, 1)
	for _, c := range []struct {
		name, data, want string
	}{
		{"none", lines[0] + bad, "line 2, finding 2, class_uid: missing"},
		{"two blank lines", "\n\r\n" + lines[0] + bad, "line 4, finding 2, class_uid: missing"},
		{"blank first", "\n  \n" + bad, "line 3, finding 1, class_uid: missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			for {
				_, err = rd.Next()
				if err != nil {
					break
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error %v, want it to start with %q", err, c.want)
			}
		})
	}
}
