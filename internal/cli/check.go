package cli

import (
	"context"
	"fmt"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/finding"
	"ward/internal/workspace"
)

func init() {
	Register(&Command{
		Name:    "check",
		Summary: "the gates: exit 0 when none fails, 1 when one does, 2 on bad input (quiet on success; one line per finding)",
		Report:  true,
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
			fs := Check(ws, env.AsOf)
			ok := !finding.HasError(fs)
			if env.Format == "json" {
				if fs == nil {
					fs = []finding.Finding{}
				}
				if err := env.JSON(map[string]any{"ok": ok, "findings": fs}); err != nil {
					return err
				}
			} else {
				for _, f := range fs {
					fmt.Fprintf(env.Stdout, "%s %s %s: %s\n", f.Severity, f.Rule, f.Subject, f.Message)
				}
			}
			if !ok {
				return Findings
			}
			return nil
		},
	})
}

// Check runs every gate rule over the workspace (see package check).
func Check(ws *workspace.Workspace, asOf date.Date) []finding.Finding { return check.Run(ws, asOf) }
