package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"ward/internal/catalog"
	"ward/internal/posture"
)

func init() {
	var framework string
	Register(&Command{
		Name:    "posture",
		Args:    "[--framework hipaa|soc2|csf]",
		Summary: "readiness per framework from one set of controls and evidence; SOC 2 Type II exceptions",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&framework, "framework", "hipaa", "hipaa, soc2 or csf") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			p, err := posture.Evaluate(ws, catalog.Default(), framework, env.AsOf)
			if err != nil {
				return BadInput("%v", err)
			}
			open := openFindings(ws.ScanFailing, p)
			if env.Format == "json" {
				return env.JSON(struct {
					*posture.Posture
					OpenFindings []ControlOpenFindings `json:"open_findings"`
				}{p, open})
			}
			if err := posture.WriteText(env.Stdout, p); err != nil {
				return err
			}
			writeOpenFindings(env.Stdout, open)
			return nil
		},
	})
}

// ControlOpenFindings is one control's open items from imported scans:
// failing findings no newer scan has superseded.
type ControlOpenFindings struct {
	Control string `json:"control"`
	Failing int    `json:"failing"`
}

// openFindings lists the open failing findings (counts per control, as
// the store loads them with the workspace) on the controls of the
// framework's posture, most first.
func openFindings(counts map[string]int, p *posture.Posture) []ControlOpenFindings {
	inPosture := map[string]bool{}
	for _, r := range p.Requirements {
		for _, c := range r.Controls {
			inPosture[c] = true
		}
	}
	out := []ControlOpenFindings{}
	for c, n := range counts {
		if inPosture[c] {
			out = append(out, ControlOpenFindings{c, n})
		}
	}
	slices.SortFunc(out, func(a, b ControlOpenFindings) int {
		if a.Failing != b.Failing {
			return b.Failing - a.Failing
		}
		if a.Control < b.Control {
			return -1
		}
		return 1
	})
	return out
}

func writeOpenFindings(w io.Writer, open []ControlOpenFindings) {
	if len(open) == 0 {
		return
	}
	fmt.Fprintln(w, "\nOpen failing findings from imported scans:")
	for _, o := range open {
		fmt.Fprintf(w, "  %-28s %d\n", o.Control, o.Failing)
	}
}
