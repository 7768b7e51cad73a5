package kit

import (
	"ward/internal/workspace"
)

// EvidenceRow is one piece of evidence as listed: the record, and the
// item that superseded it (both are kept).
type EvidenceRow struct {
	workspace.Evidence
	Name         string `json:"name"` // the file's name, for people
	SupersededBy string `json:"superseded_by,omitempty"`
	Downloadable bool   `json:"downloadable"`
	// CountsFor is the calendar period(s) of the control's schedule the
	// item speaks for (on a control's page), and ByCollection whether
	// that comes from the date it was collected, for want of a stated
	// period.
	CountsFor    string `json:"counts_for,omitempty"`
	ByCollection bool   `json:"by_collection,omitempty"`
}

// Short is the first 12 hex digits of the SHA-256, for the table.
func (e EvidenceRow) Short() string {
	if len(e.SHA256) < 12 {
		return e.SHA256
	}
	return e.SHA256[:12]
}

// Bytes is the size for people.
func (e EvidenceRow) Bytes() string { return HumanBytes(e.Size) }

// EvidenceTable is a list of evidence items as a table: download links
// for those who may download evidence (auditors and above), and the
// controls column where the items are of several controls.
type EvidenceTable struct {
	Slug         string
	CSRF         string // downloads are POST forms (downloads.go)
	Download     bool
	WithControls bool
	Rows         []EvidenceRow
}
