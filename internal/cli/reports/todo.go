package reports

import (
	"context"
	"fmt"
	"strings"

	"ward/internal/cli"
	"ward/internal/todo"
)

func init() {
	cli.Register(&cli.Command{
		Name:    "todo",
		Summary: "what needs attention, most urgent first: overdue breach notices and Privacy Rule requests, what blocks live PHI, BAAs, milestones, evidence due, risks, policies and training (the web app's home page)",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("todo takes no arguments besides its flags (got %q)", strings.Join(args, " "))
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			l := todo.Build(ws, env.AsOf, b.Org.Slug)
			if env.Format == "json" {
				return env.JSON(l)
			}
			writeTodo(env, l)
			return nil
		},
	})
}

// writeTodo prints one block per item: when, the title, who, why, and
// the CLI's own message (the rule's, which says how to fix it in the
// workspace files).
func writeTodo(env *cli.Env, l todo.List) {
	w := env.Stdout
	if len(l.Items) == 0 {
		fmt.Fprintf(w, "Nothing needs attention on %s.\n", l.AsOf)
		return
	}
	fmt.Fprintf(w, "Needs attention on %s: %d open (%d overdue, %d blocking live PHI), %d upcoming\n", l.AsOf, l.Open, l.Overdue, l.BlockingLivePHI, len(l.Items)-l.Open)
	for i, it := range l.Items {
		fmt.Fprintf(w, "\n%d. [%s] %s\n", i+1, when(it), it.Title)
		if it.Owner != "" {
			fmt.Fprintf(w, "   owner: %s\n", it.Owner)
		}
		if it.Why != "" {
			fmt.Fprintf(w, "   why: %s\n", it.Why)
		}
		if it.Detail != "" {
			fmt.Fprintf(w, "   %s %s: %s\n", it.Rule, it.Subject, it.Detail)
		}
	}
}

func when(it todo.Item) string {
	sev := it.Severity
	if it.BlocksLivePHI {
		sev += ", blocks live PHI"
	}
	if w := it.When(); w != "" {
		sev += ", " + w
	}
	return sev
}
