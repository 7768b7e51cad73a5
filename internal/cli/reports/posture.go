package reports

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/posture"
	"ward/internal/workspace"
)

func init() {
	var framework string
	cli.Register(&cli.Command{
		Name:    "posture",
		Args:    "[--framework hipaa|soc2|csf|hipaa-nprm]",
		Summary: "readiness per framework from one set of controls and evidence; SOC 2 Type II exceptions",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&framework, "framework", "hipaa", "hipaa, soc2, csf, or hipaa-nprm (the proposed Security Rule, an overlay apart from the HIPAA score)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			p, err := posture.Evaluate(ws, catalog.Default(), framework, env.AsOf)
			if err != nil {
				return cli.BadInput("%v", err)
			}
			open := openFindings(ws, p)
			untracked := posture.Untracked(ws)
			if env.Format == "json" {
				return env.JSON(struct {
					*posture.Posture
					OpenFindings []ControlOpenFindings `json:"open_findings"`
					// UntrackedChecks fail on controls not adopted: they
					// count in no readiness until one is.
					UntrackedChecks []workspace.ScanCheck `json:"untracked_checks"`
				}{p, open, untracked})
			}
			if err := posture.WriteText(env.Stdout, p); err != nil {
				return err
			}
			writeOpenFindings(env.Stdout, open)
			if len(untracked) > 0 {
				fmt.Fprintln(env.Stdout, "\nFailing scanner checks on controls not adopted (they count in no readiness):")
				for _, c := range untracked {
					fmt.Fprintf(env.Stdout, "  %s\n", posture.UntrackedMessage(c))
				}
			}
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

// openFindings lists the open failing findings on the controls of the
// framework's posture (counts per control, as the store loads them with
// the workspace, placed by the framework's own requirement ids), most
// first.
func openFindings(ws *workspace.Workspace, p *posture.Posture) []ControlOpenFindings {
	inPosture := map[string]bool{}
	for _, r := range p.Requirements {
		for _, c := range r.Controls {
			inPosture[c] = true
		}
	}
	out := []ControlOpenFindings{}
	for c := range inPosture {
		if n := ws.ScanFailingFor(p.Framework, c); n > 0 {
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
