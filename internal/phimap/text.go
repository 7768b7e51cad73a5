package phimap

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the result for a person or a CI log: one line per
// finding, then one line per blocked system or customer. It writes
// nothing when there is nothing to report, so a passing gate is quiet.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s %s: %s\n", f.Severity, f.Rule, f.Subject, f.Message)
	}
	for _, x := range r.Blocked {
		fmt.Fprintf(&b, "blocked %s %s: live PHI with %s on its path\n", x.Kind, x.Subject, strings.Join(x.Rules, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
