package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/phimap"
	"ward/internal/workspace"
)

func init() {
	var quiet bool
	Register(&Command{
		Name:    "check",
		Args:    "[--quiet]",
		Summary: "the gates: exit 0 when none fails, 1 when one does, 2 on bad input (quiet on success; one line per finding)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&quiet, "quiet", false, "print error-level findings only (warnings are left out; the exit code is the same)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			// Flags after a stray word are not parsed (flag stops at the
			// first argument), so `ward check x --as-of D` would gate on
			// today: in CI that is a wrong answer, not a usage slip.
			if len(args) != 0 {
				return BadInput("check takes no arguments besides its flags (got %q); put --format, --as-of and --org before anything else", strings.Join(args, " "))
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			fs, blocked := check.Gate(ws, env.AsOf)
			ok := !finding.HasError(fs)
			if quiet {
				fs = slices.DeleteFunc(fs, func(f finding.Finding) bool { return f.Severity != finding.Error })
			}
			// blocked is what the errors hold back: each system or customer
			// with live PHI that an error fires on the path of (DESIGN.md's
			// gate).
			if env.Format == "json" {
				if fs == nil {
					fs = []finding.Finding{}
				}
				if blocked == nil {
					blocked = []phimap.Blocked{}
				}
				if err := env.JSON(map[string]any{"ok": ok, "findings": fs, "blocked": blocked}); err != nil {
					return err
				}
			} else {
				for _, f := range fs {
					fmt.Fprintf(env.Stdout, "%s %s %s: %s\n", f.Severity, f.Rule, f.Subject, f.Message)
				}
				if len(blocked) > 0 {
					fmt.Fprintf(env.Stderr, "ward: go-live blocked for %s (--format json lists the rules per subject)\n", blockedSummary(blocked))
				}
			}
			if !ok {
				return Findings
			}
			return nil
		},
	})
}

// blockedSummary names the blocked customers and systems in one line:
// "2 customers (a, b), 1 system (c)".
func blockedSummary(bs []phimap.Blocked) string {
	by := map[string][]string{}
	for _, b := range bs {
		s := b.Subject
		if !b.GoLive.IsZero() {
			s += " going live " + b.GoLive.String()
		}
		by[b.Kind] = append(by[b.Kind], s)
	}
	var parts []string
	for _, kind := range []string{phimap.KindCustomer, phimap.KindSystem} {
		if ids := by[kind]; len(ids) > 0 {
			noun := kind
			if len(ids) > 1 {
				noun += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(ids), noun, strings.Join(ids, ", ")))
		}
	}
	return strings.Join(parts, ", ")
}

// Check runs every gate rule over the workspace (see package check).
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding { return check.Run(ws, asOf) }
