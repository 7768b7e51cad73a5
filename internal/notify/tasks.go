package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"

	"ward/internal/csvsafe"
	"ward/internal/todo"
)

// Task is one open gap, finding or overdue item, as a tracker issue:
// every item of `ward todo` but the upcoming ones (those are not due
// yet; the calendar feed has them).
type Task struct {
	// Key is stable across exports (organization, rule, subject, and
	// for a rule that fires more than once on one subject a hash of the
	// title), and ExternalID a short form of it: a tracker that already
	// holds an issue with it need not take a second.
	Key         string   `json:"key"`
	ExternalID  string   `json:"external_id"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Priority    string   `json:"priority"` // Highest | High | Medium
	Labels      []string `json:"labels"`
	Due         string   `json:"due,omitempty"`
}

// Tasks lists the open items of the list as tasks for the organization.
func Tasks(l todo.List, org, baseURL string) []Task {
	var out []Task
	seen := map[string]int{}
	for _, it := range l.Items {
		if it.Severity == todo.Upcoming {
			continue
		}
		key := "ward:" + org + ":" + it.Kind + ":" + it.Rule + ":" + it.Subject
		seen[key]++
		if seen[key] > 1 || moreThanOnce(l, it) {
			h := sha256.Sum256([]byte(it.Title + "\x00" + it.Due.String()))
			key += ":" + hex.EncodeToString(h[:4])
		}
		h := sha256.Sum256([]byte(key))
		ext := "ward-" + hex.EncodeToString(h[:8])
		t := Task{Key: key, ExternalID: ext, Summary: it.Title, Priority: "Medium",
			Labels: []string{"ward", "ward-" + it.Kind, ext}}
		switch {
		case it.Severity == todo.Error && it.Overdue:
			t.Priority = "Highest"
		case it.Severity == todo.Error:
			t.Priority = "High"
		}
		if it.BlocksLivePHI {
			t.Labels = append(t.Labels, "ward-blocks-live-phi")
		}
		if !it.Due.IsZero() {
			t.Due = it.Due.String()
		}
		var d strings.Builder
		if w := it.When(); w != "" {
			d.WriteString("When: " + w + "\n")
		}
		if it.Owner != "" {
			d.WriteString("Owner: " + it.Owner)
			if it.OwnerEmail != "" {
				d.WriteString(" <" + it.OwnerEmail + ">")
			}
			d.WriteString("\n")
		}
		if it.Why != "" {
			d.WriteString("\nWhy: " + it.Why + "\n")
		}
		if it.Fix != "" {
			d.WriteString("Fix: " + it.Fix + "\n")
		}
		if it.Link != "" {
			d.WriteString(strings.TrimRight(baseURL, "/") + it.Link + "\n")
		}
		if it.Detail != "" {
			d.WriteString("\n" + it.Rule + " " + it.Subject + ": " + it.Detail + "\n")
		}
		d.WriteString("\nward-key: " + key + "\n")
		t.Description = d.String()
		out = append(out, t)
	}
	return out
}

// moreThanOnce reports whether the list has another open item with the
// same kind, rule and subject (the notices of one incident).
func moreThanOnce(l todo.List, it todo.Item) bool {
	n := 0
	for _, o := range l.Items {
		if o.Severity != todo.Upcoming && o.Kind == it.Kind && o.Rule == it.Rule && o.Subject == it.Subject {
			n++
		}
	}
	return n > 1
}

// JiraHeader is the CSV header Jira's importer maps: Labels repeats, one
// label a column, as Jira reads several labels.
var JiraHeader = []string{"Summary", "Description", "Issue Type", "Priority", "Due date", "External ID", "Labels", "Labels", "Labels", "Labels"}

// WriteJiraCSV writes the tasks for Jira's CSV importer, every cell
// neutralised against formula injection (internal/csvsafe).
func WriteJiraCSV(w io.Writer, tasks []Task) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(JiraHeader); err != nil {
		return err
	}
	for _, t := range tasks {
		row := []string{t.Summary, t.Description, "Task", t.Priority, t.Due, t.ExternalID}
		labels := make([]string, 4)
		copy(labels, t.Labels)
		row = append(row, labels...)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// GitHubIssue is the body of GitHub's "create an issue" call (POST
// /repos/{owner}/{repo}/issues, which `gh api --input` sends).
type GitHubIssue struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Labels []string `json:"labels"`
}

// WriteGitHubJSON writes the tasks as a JSON array of issue bodies. The
// body ends with an HTML comment holding the key, and the key's short
// form is a label, so an issue already made from a task can be found.
func WriteGitHubJSON(w io.Writer, tasks []Task) error {
	out := make([]GitHubIssue, 0, len(tasks))
	for _, t := range tasks {
		body := t.Description
		body += "\n<!-- " + strings.ReplaceAll(t.Key, "--", "- -") + " -->\n"
		out = append(out, GitHubIssue{Title: t.Summary, Body: body, Labels: t.Labels})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
