// Package finding is the result type of every gate rule (`ward check`):
// one rule, one subject, one sentence that says what to do. Rule ids are a
// contract (DESIGN.md); they never change meaning.
package finding

import (
	"cmp"
	"slices"
)

const (
	Error   = "error"
	Warning = "warning"
)

type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
}

// Sort orders findings errors first, then by rule and subject, so output
// is stable for CI logs and golden files.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Severity != b.Severity {
			if a.Severity == Error {
				return -1
			}
			if b.Severity == Error {
				return 1
			}
		}
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Message, b.Message))
	})
}

// HasError reports whether any finding is an error.
func HasError(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}
