package risks

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"ward/internal/cli"
	"ward/internal/risk"
)

// The threat and vulnerability libraries, for choosing ids for
// `ward risk add --threat/--vulnerability`: the embedded entries, then the
// organization's own (workspace threats and vulnerabilities, marked own).
func init() {
	cli.Register(&cli.Command{
		Name:    "risk threats",
		Summary: "the threat library (embedded, then the organization's own): ids, titles, NIST SP 800-30 category and the controls that mitigate each",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			ts := risk.LibraryFor(ws).Threats
			if env.Format == "json" {
				return env.JSON(ts)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCATEGORY\tTITLE\tCONTROLS\tFROM")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Category, t.Title, strings.Join(t.Controls, ", "), from(t.Own))
			}
			return tw.Flush()
		},
	})
	cli.Register(&cli.Command{
		Name:    "risk vulnerabilities",
		Summary: "the vulnerability library (embedded, then the organization's own): ids, titles and the controls that close each",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			vs := risk.LibraryFor(ws).Vulnerabilities
			if env.Format == "json" {
				return env.JSON(vs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTITLE\tCONTROLS\tFROM")
			for _, v := range vs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.ID, v.Title, strings.Join(v.Controls, ", "), from(v.Own))
			}
			return tw.Flush()
		},
	})
}

// from says where a library entry comes from.
func from(own bool) string {
	if own {
		return "own"
	}
	return "library"
}
