package kit

import (
	"fmt"

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

func HumanBytes(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1024*1024*1024))
}
