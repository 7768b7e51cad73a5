package records

import (
	"ward/internal/catalog"
	"ward/internal/workspace"
)

// ClauseRow is one checklist clause as an agreement's review marks it.
type ClauseRow struct {
	ID       string `json:"clause"`
	Citation string `json:"citation"`
	Title    string `json:"title"`
	Required bool   `json:"required"`
	Status   string `json:"status"` // present | missing | n/a | "" (not marked)
	Note     string `json:"note,omitempty"`
	// Missing: required, the agreement was reviewed, and the review does
	// not find it present or n/a (what baa.clause-missing counts).
	Missing bool `json:"missing"`
}

// FileInfo is an agreement's signed copy.
type FileInfo struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Href   string `json:"-"`
}

func ClauseRows(a workspace.Agreement) []ClauseRow {
	var rows []ClauseRow
	for _, c := range catalog.Default().BAA.Clauses {
		row := ClauseRow{ID: c.ID, Citation: c.Citation, Title: c.Title, Required: c.Required, Status: a.ClauseStatus(c.ID)}
		row.Missing = c.Required && a.Reviewed() && row.Status != workspace.ClausePresent && row.Status != workspace.ClauseNotApplicable
		for _, m := range a.ClauseReview {
			if m.Clause == c.ID {
				row.Note = m.Note
			}
		}
		rows = append(rows, row)
	}
	return rows
}
