package workforce

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"ward/internal/cli"
	"ward/internal/report/policyset"
	"ward/internal/report/workforce"
	"ward/internal/workspace"
)

// The documents of the policies and the workforce (issue 18 item 9): the
// approved policy set as one PDF, and the acknowledgement and training
// report as a workbook.
func init() {
	var psOut string
	cli.Register(&cli.Command{
		Name:    "report policies",
		Args:    "-o FILE.pdf",
		Summary: "the approved policy set as one PDF: cover, versions in force with approval, next review and retention date, the approval record, then each policy",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&psOut, "o", "", "the .pdf to write (without it, --format json prints the set's record)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("report policies takes no arguments besides its flags")
			}
			if psOut == "" && env.Format != "json" || psOut != "" && !strings.EqualFold(filepath.Ext(psOut), ".pdf") {
				return cli.BadInput("report policies needs -o FILE.pdf (or --format json)")
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			rep, err := policyset.Build(ws, env.AsOf, func(_ *workspace.Policy, v workspace.PolicyVersion) (string, error) { return policyText(b, v) })
			if err != nil {
				return err
			}
			if psOut == "" {
				return env.JSON(rep)
			}
			var buf bytes.Buffer
			if err := policyset.WritePDF(&buf, rep); err != nil {
				return err
			}
			if err := cli.WriteFileAtomic(psOut, buf.Bytes()); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(rep)
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d bytes): %d policies in force on %s, %d earlier versions kept, %d required not approved\n",
				psOut, buf.Len(), len(rep.InForce), env.AsOf, len(rep.Kept), len(rep.Missing))
			for _, p := range rep.Problems {
				fmt.Fprintf(env.Stderr, "ward: warning: %s; the PDF says so in its place\n", p)
			}
			return nil
		},
	})

	var wfOut string
	cli.Register(&cli.Command{
		Name:    "report workforce",
		Args:    "-o FILE.xlsx",
		Summary: "the acknowledgement and training report for an auditor: where each person stands, every acknowledgement and completion on record, joiners and leavers, security reminders",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&wfOut, "o", "", "the .xlsx to write (without it, --format json prints the report)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("report workforce takes no arguments besides its flags")
			}
			if wfOut == "" && env.Format != "json" || wfOut != "" && !strings.EqualFold(filepath.Ext(wfOut), ".xlsx") {
				return cli.BadInput("report workforce needs -o FILE.xlsx (or --format json)")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			rep := workforce.Build(ws, env.AsOf)
			if wfOut == "" {
				return env.JSON(rep)
			}
			var buf bytes.Buffer
			if err := workforce.WriteXLSX(&buf, rep); err != nil {
				return err
			}
			if err := cli.WriteFileAtomic(wfOut, buf.Bytes()); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(rep)
			}
			overdue := 0
			for _, s := range rep.Status {
				if s.Task.Status == "overdue" {
					overdue++
				}
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d bytes): %s, %s (%d overdue), %s and %s on record, as of %s\n",
				wfOut, buf.Len(), count(len(rep.People), "person", "people"), count(len(rep.Status), "task", "tasks"), overdue,
				count(len(rep.Acks), "acknowledgement", "acknowledgements"), count(len(rep.Completions), "completion", "completions"), env.AsOf)
			return nil
		},
	})
}

// count is n and the noun, singular for one: "1 person", "9 people".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
