package incident

import (
	"strings"
	"testing"
)

// TestCoveredEntityNoticeJoinsFactorsCleanly: the four-factor answers of
// 164.402(2)(i)-(iii) are usually written as sentences; joined into one
// line of the 164.410(c)(2) notice they must not read "….; …".
func TestCoveredEntityNoticeJoinsFactorsCleanly(t *testing.T) {
	ws, inc := stolenLaptop()
	a := *inc.Assessment
	a.Nature = "Names and diagnoses; no SSNs. "
	a.UnauthorizedPerson = "Unknown."
	a.AcquiredOrViewed = "Unknown; the disk was not encrypted."
	inc.Assessment = &a
	text := DraftCoveredEntityNotice(ws, inc, Determine(ws, inc), "st-marys")
	want := "- Our risk assessment (164.402(2)): nature and extent: Names and diagnoses; no SSNs; unauthorized person: Unknown; acquired or viewed: Unknown; the disk was not encrypted\n"
	if !strings.Contains(text, want) {
		t.Errorf("notice lacks %q:\n%s", want, text)
	}
	if strings.Contains(text, ".;") {
		t.Errorf("notice has a full stop before a semicolon:\n%s", text)
	}
}
