package prowler

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// The tests below read Prowler's own example outputs
// (testdata/prowler-5.40, written by Prowler 5.4 on a machine at UTC+1)
// and files made from them by changing only what each case is about.

func example(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/prowler-5.40/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editOCSF decodes an example OCSF file, lets edit change each finding,
// and encodes it again.
func editOCSF(t testing.TB, name string, edit func(i int, f map[string]any)) []byte {
	t.Helper()
	var fs []map[string]any
	if err := json.Unmarshal(example(t, name), &fs); err != nil {
		t.Fatal(err)
	}
	for i, f := range fs {
		edit(i, f)
	}
	b, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readWith(t *testing.T, data []byte, opt Options) ([]*Finding, *Reader, error) {
	t.Helper()
	r, err := NewReaderOptions(bytes.NewReader(data), opt)
	if err != nil {
		return nil, nil, err
	}
	var out []*Finding
	for {
		f, err := r.Next()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, f)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Prowler writes the CSV TIMESTAMP as the scanning machine's local time
// with no zone (datetime.today()) and OCSF time in seconds since 1970.
// Read in the zone of the machine that ran it (the examples come from one
// at UTC+1, Europe/Berlin in February), the CSV and the OCSF of one run
// agree to the second; read as UTC, the CSV is an hour late.
func TestCSVTimesAreLocalTimeInTheGivenZone(t *testing.T) {
	for _, provider := range []string{"aws", "azure", "gcp", "kubernetes"} {
		ocsf, _, err := readWith(t, example(t, "example_output_"+provider+".ocsf.json"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		berlin, r, err := readWith(t, example(t, "example_output_"+provider+".csv"), Options{Zone: mustZone(t, "Europe/Berlin")})
		if err != nil {
			t.Fatal(err)
		}
		if r.Naive() != len(berlin) {
			t.Errorf("%s: %d of %d CSV times counted as without a zone", provider, r.Naive(), len(berlin))
		}
		if !berlin[0].Time.Equal(ocsf[0].Time) {
			t.Errorf("%s: CSV read at UTC+1 gives %v, OCSF %v: the same run must pair up to the second", provider, berlin[0].Time, ocsf[0].Time)
		}
		utc, _, _ := readWith(t, example(t, "example_output_"+provider+".csv"), Options{Zone: time.UTC})
		if d := utc[0].Time.Sub(ocsf[0].Time); d != time.Hour {
			t.Errorf("%s: CSV read as UTC is %v off the OCSF time, want the machine's hour", provider, d)
		}
		if ocsf[0].Time.Nanosecond() != 0 || berlin[0].Time.Nanosecond() != 0 {
			t.Errorf("%s: times not cut to the second", provider)
		}
	}
}

// A CSV written with --unix-timestamp carries seconds since 1970: no zone
// to guess.
func TestCSVUnixTimestamp(t *testing.T) {
	csv := strings.ReplaceAll(string(example(t, "example_output_aws.csv")), ";2025-02-14 14:27:03.913874;", ";1739539623;")
	fs, r, err := readWith(t, []byte(csv), Options{Zone: mustZone(t, "America/New_York")})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1739539623, 0).UTC(); !fs[0].Time.Equal(want) || r.Naive() != 0 {
		t.Errorf("epoch TIMESTAMP read as %v (naive %d), want %v", fs[0].Time, r.Naive(), want)
	}
}

// A muted finding (OCSF status "Suppressed", CSV MUTED=True) is its own
// state, with Prowler's status kept in its note: never an open failure.
func TestMutedFindings(t *testing.T) {
	ocsf := editOCSF(t, "example_output_aws.ocsf.json", func(i int, f map[string]any) {
		if i == 0 {
			f["status"], f["status_id"] = "Suppressed", 3
		}
	})
	fs, _, err := readWith(t, ocsf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Status != StatusMuted || !strings.Contains(fs[0].Note, "Prowler's status: FAIL") || fs[1].Status == StatusMuted {
		t.Errorf("OCSF Suppressed: %+v / %+v", fs[0], fs[1])
	}
	csv := string(example(t, "example_output_aws.csv"))
	lines := strings.SplitN(csv, "\n", 3)
	lines[1] = strings.Replace(lines[1], ";FAIL;IAM Access Analyzer in account <account_uid> is not enabled.;False;", ";FAIL;IAM Access Analyzer in account <account_uid> is not enabled.;True;", 1)
	fs, _, err = readWith(t, []byte(strings.Join(lines, "\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Status != StatusMuted || fs[1].Status != StatusManual {
		t.Errorf("CSV MUTED=True: %+v / %+v", fs[0], fs[1])
	}
}

// Two findings can share a uid: Prowler builds it from the resource's
// name, unique on Azure only within a resource group. The reader returns
// both, with their resources (the store keeps both; storetest).
func TestSameUIDTwoResources(t *testing.T) {
	csv := string(example(t, "example_output_azure.csv"))
	lines := strings.Split(strings.TrimRight(csv, "\n"), "\n")
	twin := strings.Replace(lines[1], "/resourcegroups/", "/resourcegroups/other-", 1)
	if twin == lines[1] {
		t.Fatalf("the example has no resource group: %s", lines[1])
	}
	fs, _, err := readWith(t, []byte(strings.Join(append(lines, twin), "\n")+"\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := fs[0], fs[len(fs)-1]
	if a.UID != b.UID || a.ResourceUID == b.ResourceUID {
		t.Errorf("twin: %+v / %+v", a, b)
	}
}

// Prowler 4.0-4.4 wrote the finding's time as event_time and
// finding_info.created_time as ISO text (local time, no zone), with no
// time or time_dt; ward reads it.
func TestProwler4OCSF(t *testing.T) {
	v4 := editOCSF(t, "example_output_aws.ocsf.json", func(_ int, f map[string]any) {
		dt := f["time_dt"]
		delete(f, "time")
		delete(f, "time_dt")
		f["event_time"] = dt
		fi := f["finding_info"].(map[string]any)
		fi["created_time"] = dt
		delete(fi, "created_time_dt")
		f["metadata"].(map[string]any)["version"] = "1.1.0"
		f["metadata"].(map[string]any)["product"].(map[string]any)["version"] = "4.2.4"
	})
	fs, r, err := readWith(t, v4, Options{Zone: mustZone(t, "Europe/Berlin")})
	if err != nil {
		t.Fatalf("Prowler 4 OCSF: %v", err)
	}
	if want := time.Unix(1739539623, 0).UTC(); !fs[0].Time.Equal(want) || r.Naive() == 0 {
		t.Errorf("event_time read as %v, want %v", fs[0].Time, want)
	}
	// created_time alone, as ISO text with a zone, is read too.
	v4z := editOCSF(t, "example_output_aws.ocsf.json", func(_ int, f map[string]any) {
		delete(f, "time")
		delete(f, "time_dt")
		f["finding_info"].(map[string]any)["created_time"] = "2025-02-14T13:27:03.913874+00:00"
	})
	if fs, _, err := readWith(t, v4z, Options{}); err != nil || !fs[0].Time.Equal(time.Unix(1739539623, 0)) {
		t.Errorf("created_time ISO: %v %v", fs, err)
	}
}

// Outputs ward does not read are named, with what to do instead.
func TestOtherOutputsAreNamed(t *testing.T) {
	asff := []byte(`[{"SchemaVersion": "2018-10-08", "Id": "prowler-accessanalyzer_enabled-123456789012-us-east-1-4d5a8c",
 "ProductArn": "arn:aws:securityhub:us-east-1::product/prowler/prowler", "RecordState": "ACTIVE",
 "ProductFields": {"ProviderName": "Prowler", "ProviderVersion": "4.2.4", "ProwlerResourceName": "123456789012"},
 "GeneratorId": "prowler-accessanalyzer_enabled", "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
 "FirstObservedAt": "2025-02-14T13:27:03Z", "UpdatedAt": "2025-02-14T13:27:03Z", "CreatedAt": "2025-02-14T13:27:03Z",
 "Severity": {"Label": "LOW"}, "Title": "Check if IAM Access Analyzer is enabled", "Description": "IAM Access Analyzer in account 123456789012 is not enabled.",
 "Resources": [{"Type": "Other", "Id": "arn:aws:accessanalyzer:us-east-1:123456789012:analyzer", "Partition": "aws", "Region": "us-east-1"}],
 "Compliance": {"Status": "FAILED", "RelatedRequirements": ["CIS-1.4 1.20"], "AssociatedStandards": [{"StandardsId": "CIS-1.4"}]},
 "Remediation": {"Recommendation": {"Text": "Enable IAM Access Analyzer for all accounts.", "Url": "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html"}}}]`)
	prowler3 := []byte(`[{"AssessmentStartTime": "2023-06-01T10:00:00.000000", "FindingUniqueId": "prowler-aws-accessanalyzer_enabled-123456789012-us-east-1-123456789012",
 "Provider": "aws", "CheckID": "accessanalyzer_enabled", "Status": "FAIL", "Severity": "low", "Compliance": {"CIS-1.4": ["1.20"]}}]`)
	prowler3CSV := []byte("ASSESSMENT_START_TIME;FINDING_UNIQUE_ID;PROVIDER;CHECK_ID;STATUS\n2023-06-01T10:00:00;prowler-aws-x;aws;accessanalyzer_enabled;FAIL\n")
	ocsf2001 := []byte(`[{"class_uid": 2001, "finding": {"uid": "x"}}]`)
	for _, c := range []struct {
		name string
		data []byte
		is   error
		want string
	}{
		{"ASFF", asff, ErrASFF, "--output-formats json-ocsf"},
		{"ASFF as JSON lines", bytes.ReplaceAll(bytes.TrimSuffix(bytes.TrimPrefix(asff, []byte("[")), []byte("]")), []byte("\n"), nil), ErrASFF, "Security Hub"},
		{"Prowler 3 JSON", prowler3, ErrProwler3, "Prowler 4.0 or later"},
		{"Prowler 3 CSV", prowler3CSV, nil, "CSV of Prowler 3"},
		{"Prowler 3 OCSF", ocsf2001, nil, "Prowler 4.0 or later"},
	} {
		_, _, err := readWith(t, c.data, Options{})
		var e *Error
		if err == nil || !errors.As(err, &e) {
			t.Errorf("%s: %v is not a *prowler.Error", c.name, err)
			continue
		}
		if c.is != nil && !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// Another framework's compliance value in a shape ward does not expect is
// skipped; a HIPAA or SOC 2 one is an error naming its key.
func TestComplianceOfOtherFrameworks(t *testing.T) {
	odd := editOCSF(t, "example_output_aws.ocsf.json", func(i int, f map[string]any) {
		c := f["unmapped"].(map[string]any)["compliance"].(map[string]any)
		c["CIS-1.4"] = "1.20"
		c["MITRE-ATTACK"] = []any{map[string]any{"technique": "T1078"}}
		c["KISA-ISMS-P-2023"] = nil
		c["HIPAA"] = []string{"164_312_b"}
	})
	fs, _, err := readWith(t, odd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs[0].Requirements) != 1 || fs[0].Requirements[0] != (Requirement{"HIPAA", "164_312_b"}) {
		t.Errorf("requirements %v", fs[0].Requirements)
	}
	bad := editOCSF(t, "example_output_aws.ocsf.json", func(i int, f map[string]any) {
		f["unmapped"].(map[string]any)["compliance"].(map[string]any)["SOC2"] = "cc_6_1"
	})
	if _, _, err := readWith(t, bad, Options{}); err == nil || !strings.Contains(err.Error(), "unmapped.compliance.SOC2") {
		t.Errorf("malformed SOC2: %v", err)
	}
}

// A Kubernetes finding has no cloud account; Prowler 5 names the cluster
// in unmapped.provider_uid, as the CSV does in ACCOUNT_UID, so the CSV and
// OCSF of one run are one account.
func TestKubernetesAccount(t *testing.T) {
	k8s := editOCSF(t, "example_output_kubernetes.ocsf.json", func(_ int, f map[string]any) {
		f["unmapped"].(map[string]any)["provider_uid"] = "<account_uid>"
	})
	ocsf, _, err := readWith(t, k8s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	csv, _, err := readWith(t, example(t, "example_output_kubernetes.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ocsf[0].Account != "<account_uid>" || ocsf[0].Account != csv[0].Account {
		t.Errorf("kubernetes account: OCSF %q, CSV %q", ocsf[0].Account, csv[0].Account)
	}
}
