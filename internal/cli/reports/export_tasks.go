package reports

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/notify"
	"ward/internal/todo"
)

func init() {
	var format, out, asOf, baseURL string
	cli.Register(&cli.Command{
		Name:    "export tasks",
		Args:    "--format jira-csv|github-json [-o FILE]",
		Summary: "every open gap, finding and overdue item as issues for Jira's CSV importer or GitHub's issue API, each with a stable key so a second import can skip what the first made",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "", "jira-csv or github-json")
			fs.StringVar(&out, "o", "", "the file to write (default: standard output)")
			fs.StringVar(&asOf, "as-of", "", "evaluate as of this date (YYYY-MM-DD; default today)")
			fs.StringVar(&baseURL, "base-url", os.Getenv("WARD_BASE_URL"), "the web app's address, for the links ($WARD_BASE_URL)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("export tasks takes no arguments besides its flags (got %q)", strings.Join(args, " "))
			}
			if format != "jira-csv" && format != "github-json" {
				return cli.BadInput("export tasks needs --format jira-csv or --format github-json (got %q)", format)
			}
			day := date.Today()
			if asOf != "" {
				d, err := date.ParseAsOf(asOf)
				if err != nil {
					return cli.BadInput("--as-of: %v", err)
				}
				day = d
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			tasks := notify.Tasks(todo.Build(ws, day, b.Org.Slug), b.Org.Slug, baseURL)
			var buf bytes.Buffer
			if format == "jira-csv" {
				err = notify.WriteJiraCSV(&buf, tasks)
			} else {
				err = notify.WriteGitHubJSON(&buf, tasks)
			}
			if err != nil {
				return err
			}
			if out == "" {
				_, err = env.Stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
				return cli.BadInput("-o %s: %v", out, err)
			}
			if err := b.Data.Record(ctx, cli.Actor(), "export", "tasks", out, map[string]any{"format": format, "tasks": len(tasks), "as_of": day.String()}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "%s: wrote %d tasks to %s\n", b.Org.Slug, len(tasks), out)
			return nil
		},
	})
}
