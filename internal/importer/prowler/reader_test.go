package prowler

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func readAll(t testing.TB, data []byte) ([]*Finding, string, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	var out []*Finding
	for {
		f, err := r.Next()
		if err == io.EOF {
			return out, r.Format(), nil
		}
		if err != nil {
			return out, r.Format(), err
		}
		out = append(out, f)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The three forms Prowler writes carry the same findings.
func TestReadSampleInEveryFormat(t *testing.T) {
	want := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var first []*Finding
	for _, c := range []struct{ file, format string }{
		{"sample.ocsf.json", FormatOCSF}, {"sample.ocsf.jsonl", FormatJSONL}, {"sample.csv", FormatCSV},
	} {
		t.Run(c.format, func(t *testing.T) {
			fs, format, err := readAll(t, mustRead(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if format != c.format {
				t.Errorf("format %s, want %s", format, c.format)
			}
			if len(fs) != 6 {
				t.Fatalf("%d findings, want 6", len(fs))
			}
			f := fs[0]
			if f.UID != "prowler-aws-s3_bucket_default_encryption-123456789012-us-east-1-acme-phi-exports" || f.Check != "s3_bucket_default_encryption" ||
				f.Status != StatusFail || f.Severity != "medium" || f.ResourceUID != "arn:aws:s3:::acme-phi-exports" || f.ResourceType != "AwsS3Bucket" ||
				f.Region != "us-east-1" || f.Account != "123456789012" || !f.Time.Equal(want) {
				t.Errorf("first finding: %+v", f)
			}
			var reqs []string
			for _, r := range f.Requirements {
				reqs = append(reqs, r.Framework+":"+r.ID)
			}
			slices.Sort(reqs)
			if got := strings.Join(reqs, " "); got != "HIPAA:164_308_a_1_ii_b HIPAA:164_308_a_4_ii_a HIPAA:164_312_a_2_iv HIPAA:164_312_c_1 HIPAA:164_312_c_2 HIPAA:164_312_e_2_ii SOC2:cc_6_1 SOC2:cc_6_7" {
				t.Errorf("requirements (CIS dropped): %s", got)
			}
			statuses := map[string]int{}
			for _, f := range fs {
				statuses[f.Status]++
			}
			if statuses[StatusFail] != 3 || statuses[StatusPass] != 2 || statuses[StatusManual] != 1 {
				t.Errorf("statuses %v", statuses)
			}
			if fs[4].Requirements != nil {
				t.Errorf("a finding with only CIS ids keeps none: %v", fs[4].Requirements)
			}
			if first == nil {
				first = fs
				return
			}
			for i := range fs {
				a, b := *fs[i], *first[i]
				slices.SortFunc(a.Requirements, cmpReq)
				slices.SortFunc(b.Requirements, cmpReq)
				if !equalFinding(a, b) {
					t.Errorf("finding %d differs from the OCSF one:\n%+v\n%+v", i, a, b)
				}
			}
		})
	}
}

func cmpReq(a, b Requirement) int { return strings.Compare(a.Framework+a.ID, b.Framework+b.ID) }

func equalFinding(a, b Finding) bool {
	return a.UID == b.UID && a.Check == b.Check && a.Status == b.Status && a.Severity == b.Severity &&
		a.ResourceUID == b.ResourceUID && a.ResourceType == b.ResourceType && a.Region == b.Region &&
		a.Account == b.Account && a.Time.Equal(b.Time) && slices.Equal(a.Requirements, b.Requirements)
}

func TestBadInputNamesWhere(t *testing.T) {
	sample := mustRead(t, "sample.ocsf.json")
	jsonl := mustRead(t, "sample.ocsf.jsonl")
	csvb := mustRead(t, "sample.csv")
	second := int64(bytes.Index(sample, []byte("},\n  {")) + 5) // where finding 2 starts
	cases := []struct {
		name string
		data []byte
		want string // regexp over the error
	}{
		{"empty", nil, `empty`},
		{"truncated inside a finding", sample[:len(sample)/2], `^byte \d+, finding 3: .*truncated \(the finding starts at byte \d+\)`},
		{"truncated after a comma", sample[:second-3], `^byte \d+, finding 2: .*truncated`},
		{"truncated after a finding", sample[:second-4], `^byte \d+: .*truncated: the array of findings is not closed`},
		{"not JSON", []byte(`[{"class_uid": 2004,, }]`), `^byte 20, finding 1: not JSON`},
		{"not an object", []byte(`[1, 2]`), `^byte \d+, finding 1: not an OCSF finding: number where an object`},
		{"no class_uid", []byte(`[{"finding_info": {"uid": "x"}}]`), `^byte 1, finding 1, class_uid: missing`},
		{"other OCSF class", []byte(`[{"class_uid": 3002}]`), `class_uid: 3002 is not 2004`},
		{"no uid", bytes.Replace(sample, []byte(`"uid": "prowler-aws-iam_root`), []byte(`"uidx": "prowler-aws-iam_root`), 1), `^byte \d+, finding 3, finding_info.uid: missing`},
		{"bad status", bytes.Replace(sample, []byte(`"status_code": "PASS"`), []byte(`"status_code": "OK"`), 1), `finding 2, status_code: "OK" is not PASS, FAIL or MANUAL`},
		{"wrong type", bytes.Replace(sample, []byte(`"status_code": "PASS"`), []byte(`"status_code": 1`), 1), `finding 2, status_code: not an OCSF finding: status_code is number, want string`},
		{"data after the array", append(slices.Clone(sample), []byte("\n{}")...), `data after the end`},
		{"jsonl truncated", jsonl[:len(jsonl)-200], `^line 6, finding 6: .*truncated`},
		{"jsonl bad line", bytes.Replace(jsonl, []byte(`"status_code": "MANUAL"`), []byte(`"status_code": MANUAL`), 1), `^line 5, finding 5: not JSON`},
		// Prowler's compliance framework files (prowler/compliance/*/*.json)
		// are one pretty-printed object: not a truncated finding.
		{"one object over many lines", []byte("{\n  \"Framework\": \"HIPAA\",\n  \"Requirements\": []\n}\n"), `^line 1: not Prowler findings: one JSON object over several lines`},
		{"plain text, not Prowler output", []byte("Quarterly scan summary\nall good\n"), `^line 1: not Prowler output: OCSF JSON starts with '\['`},
		{"csv missing column", bytes.Replace(csvb, []byte("FINDING_UID"), []byte("FINDING"), 1), `^line 1: not a Prowler CSV .* FINDING_UID`},
		{"csv short row", csvb[:len(csvb)-40], `^line 7, column \d+: .*cut short`},
		{"csv bad status", bytes.Replace(csvb, []byte(";MANUAL;"), []byte(";MAYBE;"), 1), `^line 6, finding 5, column STATUS: "MAYBE" is not`},
		{"csv bad time", bytes.Replace(csvb, []byte("2026-11-25 12:00:00.000000;123456789012;acme-prod;;;;;prowler-aws-iam"), []byte("25/11/2026;123456789012;acme-prod;;;;;prowler-aws-iam"), 1), `^line 4, finding 3, column TIMESTAMP: "25/11/2026" is not a date`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(t, c.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Fatalf("error %q does not match %s", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is not a *prowler.Error", err)
			}
		})
	}
}

// The byte offset of a truncation is inside the file and after the start
// of the finding it names.
func TestTruncationOffset(t *testing.T) {
	sample := mustRead(t, "sample.ocsf.json")
	cut := sample[:len(sample)-10]
	_, _, err := readAll(t, cut)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("%v", err)
	}
	if e.Offset <= 0 || e.Offset > int64(len(cut)) {
		t.Errorf("offset %d outside the %d bytes", e.Offset, len(cut))
	}
}

func TestTimes(t *testing.T) {
	want := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	r := &Reader{zone: time.UTC}
	for _, s := range []string{
		"1795608000",
		"1795608000.75", // cut to the second
		"1795608000000", // OCSF milliseconds
		"2026-11-25T12:00:00.000000",
		"2026-11-25T12:00:00Z",
		"2026-11-25 12:00:00.999999", // CSV
		"2026-11-25T13:00:00+01:00",
	} {
		got, err := r.parseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := r.parseTime("25/11/2026"); err == nil {
		t.Error("25/11/2026 read as a time")
	}
	var o ocsfFinding
	if _, field, err := r.ocsfTime(&o); err == nil || field != "time" {
		t.Errorf("no time: %q %v", field, err)
	}
}
