package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"ward/internal/notify"
)

func init() {
	var dryRun bool
	var baseURL string
	Register(&Command{
		Name:    "notify",
		Args:    "--dry-run [--base-url URL]",
		Summary: "what the notifier would send today, and to whom: each person's digest (overdue and due within 14 days) and the day's alerts",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dryRun, "dry-run", false, "print the messages instead of sending them (required; 'ward notify send' sends)")
			fs.StringVar(&baseURL, "base-url", os.Getenv("WARD_BASE_URL"), "the web app's address, for the links ($WARD_BASE_URL)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 0 {
				return BadInput("notify takes no arguments besides its flags (got %q); to send, run 'ward notify send'", strings.Join(args, " "))
			}
			if !dryRun {
				return BadInput("notify needs --dry-run to print what would be sent; 'ward notify send' sends it")
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			msgs, err := notify.Planned(ctx, b.Store, b.Org, ws, env.AsOf, baseURL, false)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"messages": msgs})
			}
			writeMessages(env, msgs)
			return nil
		},
	})
}

func writeMessages(env *Env, msgs []notify.Message) {
	w := env.Stdout
	if len(msgs) == 0 {
		fmt.Fprintf(w, "Nothing to send on %s.\n", env.AsOf)
		return
	}
	for i, m := range msgs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "To: %s (%s)\nSubject: %s\n", m.To, m.Kind, m.Subject)
		for _, it := range m.Items {
			due := ""
			if !it.Due.IsZero() {
				due = "due " + it.Due.String()
				if it.Overdue {
					due = "OVERDUE, " + due
				}
				due = " [" + due + "]"
			}
			fmt.Fprintf(w, "  - %s %s%s: %s\n", it.Kind, it.Subject, due, it.Title)
		}
	}
}
