package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"ward/internal/risk"
)

// The threat and vulnerability libraries, for choosing ids for
// `ward risk add --threat/--vulnerability`.
func init() {
	Register(&Command{
		Name:    "risk threats",
		Summary: "the threat library: ids, titles, NIST SP 800-30 category and the controls that mitigate each",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			ts := risk.Threats()
			if env.Format == "json" {
				return env.JSON(ts)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCATEGORY\tTITLE\tCONTROLS")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Category, t.Title, strings.Join(t.Controls, ", "))
			}
			return tw.Flush()
		},
	})
	Register(&Command{
		Name:    "risk vulnerabilities",
		Summary: "the vulnerability library: ids, titles and the controls that close each",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			vs := risk.Vulnerabilities()
			if env.Format == "json" {
				return env.JSON(vs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTITLE\tCONTROLS")
			for _, v := range vs {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", v.ID, v.Title, strings.Join(v.Controls, ", "))
			}
			return tw.Flush()
		},
	})
}
