package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ward/internal/cli"
	"ward/internal/notify"
)

// TestExportTasksJiraCSV: the CSV reads back with encoding/csv under the
// header Jira's importer maps (Summary, Description, Issue Type,
// Priority, Due date, External ID, Labels); one row per open item of
// `ward todo`, each with a unique External ID that a second export
// repeats byte for byte; the overdue breach notice (164.410(b)) is
// Highest, due 2026-11-20.
func TestExportTasksJiraCSV(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	mustWard(t, db, "apply", "-f", demoDir)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	mustWard(t, db, "export", "tasks", "--format", "jira-csv", "--as-of", "2026-12-04", "-o", a)
	mustWard(t, db, "export", "tasks", "--format", "jira-csv", "--as-of", "2026-12-04", "-o", b)
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if !bytes.Equal(ra, rb) {
		t.Error("two exports on one day differ")
	}
	rows, err := csv.NewReader(bytes.NewReader(ra)).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the export: %v", err)
	}
	for _, h := range []string{"Summary", "Description", "Issue Type", "Priority", "Due date", "External ID", "Labels"} {
		if !slices.Contains(rows[0], h) {
			t.Errorf("header %v lacks %q", rows[0], h)
		}
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	var todo struct {
		Items []struct {
			Severity string `json:"severity"`
		} `json:"items"`
	}
	json.Unmarshal([]byte(mustWard(t, db, "todo", "--as-of", "2026-12-04", "--format", "json")), &todo)
	open := 0
	for _, it := range todo.Items {
		if it.Severity != "upcoming" {
			open++
		}
	}
	if len(rows)-1 != open || open == 0 {
		t.Errorf("%d rows, want one per open todo item (%d)", len(rows)-1, open)
	}
	ids := map[string]bool{}
	breach := false
	for _, r := range rows[1:] {
		id := r[col("External ID")]
		if ids[id] || !strings.HasPrefix(id, "ward-") {
			t.Errorf("External ID %q repeated or malformed", id)
		}
		ids[id] = true
		if !slices.Contains(r, id) || r[col("Issue Type")] != "Task" || r[col("Summary")] == "" {
			t.Errorf("row %v", r)
		}
		if strings.HasPrefix(r[col("Summary")], "Notify Lakeside Cardiology") {
			breach = r[col("Priority")] == "Highest" && r[col("Due date")] == "2026-11-20"
		}
	}
	if !breach {
		t.Error("the overdue breach notice is not a Highest task due 2026-11-20")
	}
}

// TestExportTasksGitHubJSON: an array of the bodies GitHub's create-issue
// call takes (title, body, labels, and nothing else), each with its key
// in an HTML comment and as a label.
func TestExportTasksGitHubJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	mustWard(t, db, "apply", "-f", demoDir)
	out := mustWard(t, db, "export", "tasks", "--format", "github-json", "--as-of", "2026-12-04")
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var issues []struct {
		Title  string   `json:"title"`
		Body   string   `json:"body"`
		Labels []string `json:"labels"`
	}
	if err := dec.Decode(&issues); err != nil {
		t.Fatalf("not an array of {title, body, labels}: %v", err)
	}
	if len(issues) == 0 {
		t.Fatal("no issues")
	}
	keys := map[string]bool{}
	for _, is := range issues {
		i := strings.Index(is.Body, "<!-- ward:")
		if is.Title == "" || i < 0 || !slices.Contains(is.Labels, "ward") {
			t.Errorf("issue %q lacks a title, its key marker or the ward label", is.Title)
			continue
		}
		k := is.Body[i:]
		if keys[k] {
			t.Errorf("key %s twice", k)
		}
		keys[k] = true
	}
	if code, _, _ := ward(t, db, "export", "tasks", "--format", "xlsx"); code != cli.ExitBadInput {
		t.Errorf("an unknown format exits %d, want 2", code)
	}
}

// TestTasksCSVNeutralised: a title that a spreadsheet would run as a
// formula is written as text.
func TestTasksCSVNeutralised(t *testing.T) {
	var b bytes.Buffer
	notify.WriteJiraCSV(&b, []notify.Task{{Summary: "=HYPERLINK(\"http://evil.example\")", Description: "@SUM(1)", ExternalID: "ward-1", Labels: []string{"ward"}}})
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "'=HYPERLINK(\"http://evil.example\")" || rows[1][1] != "'@SUM(1)" {
		t.Errorf("cells not neutralised: %q", rows[1])
	}
}
