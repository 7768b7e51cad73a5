package records

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FieldErrors are validation errors by field, named as in the workspace
// YAML (assessment.decided_by, law_enforcement_delay.until, states), which
// are also the form fields' names.
type FieldErrors map[string]string

func (fe FieldErrors) Add(field, format string, args ...any) {
	if _, ok := fe[field]; !ok {
		fe[field] = fmt.Sprintf(format, args...)
	}
}

// Summary lists the errors in field order, for the API and the top of
// the form.
func (fe FieldErrors) Summary() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(fe)) {
		parts = append(parts, k+": "+fe[k])
	}
	return strings.Join(parts, "; ")
}

// Choice is an option of a multiple choice (systems, vendors, customers).
type Choice struct {
	ID, Name string
	Checked  bool
}

// APIFieldErrors is a 422 answer naming each field.
type APIFieldErrors struct {
	Error  string      `json:"error"`
	Fields FieldErrors `json:"fields"`
}

// PersonOption is someone who can be named as having decided.
type PersonOption struct{ Email, Name string }
