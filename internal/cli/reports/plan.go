package reports

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/plan"
)

func init() {
	var start, file string
	var questions bool
	cli.Register(&cli.Command{
		Name:    "plan",
		Args:    "[--start DATE] | --questions -f organization.yaml",
		Summary: "which frameworks apply, in what order, and the dated roadmap with its gates",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&start, "start", "", "program start (default organization.program_start)")
			fs.BoolVar(&questions, "questions", false, "ask the four applicability questions and write the answers to the workspace file")
			fs.StringVar(&file, "f", "", "with --questions: the workspace file that holds organization:")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if questions {
				return askQuestions(env, file)
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			var s date.Date
			if start != "" {
				if s, err = date.Parse(start); err != nil {
					return cli.BadInput("--start: %v", err)
				}
			}
			p := plan.Build(ws, s, env.AsOf, plan.Checked(cli.Check(ws, env.AsOf)))
			if env.Format == "json" {
				return env.JSON(p)
			}
			return plan.WriteText(env.Stdout, p)
		},
	})
}

// askQuestions asks the decision tree's questions one by one (on a
// terminal, or from piped lines) and rewrites organization.answers in the
// workspace file, leaving the rest of the file as it was.
func askQuestions(env *cli.Env, file string) error {
	if file == "" {
		return cli.BadInput("plan --questions needs -f FILE: the workspace file with the organization: block")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return cli.BadInput("%v", err)
	}
	in := bufio.NewScanner(env.Stdin)
	answers := map[string]bool{}
	for i, q := range plan.Questions() {
		for {
			fmt.Fprintf(env.Stdout, "%d. %s\n   %s\n   [y/n] ", i+1, q.Text, q.Help)
			if !in.Scan() {
				fmt.Fprintln(env.Stdout)
				return cli.BadInput("no answer to question %d (%s); nothing was written", i+1, q.ID)
			}
			a := strings.ToLower(strings.TrimSpace(in.Text()))
			if a == "y" || a == "yes" || a == "n" || a == "no" {
				answers[q.ID] = a[0] == 'y'
				break
			}
			fmt.Fprintln(env.Stdout, "   please answer y or n")
		}
	}
	out, err := plan.ApplyAnswers(raw, answers)
	if err != nil {
		return cli.BadInput("%s: %v", file, err)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nwrote the answers to %s; run 'ward apply -f' on the workspace, then 'ward plan'.\n", file)
	return nil
}
