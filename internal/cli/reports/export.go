package reports

import (
	"context"
	"flag"
	"fmt"

	"ward/internal/cli"
	"ward/internal/workspace"
)

func init() {
	var out string
	cli.Register(&cli.Command{
		Name:    "export",
		Args:    "-o DIR",
		Summary: "write the organization back as workspace files (apply → export → apply changes nothing)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the folder to write")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if out == "" {
				return cli.BadInput("export needs -o DIR")
			}
			defer cli.BoundMemory()()
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			if err := workspace.Write(out, ws, workspace.WriteOptions{Blob: b.Store.Blobs().Open}); err != nil {
				return err
			}
			if err := b.Data.Record(ctx, cli.Actor(), "export", "workspace", out, map[string]any{"records": countRecords(ws)}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: wrote %d records to %s\n", b.Org.Slug, countRecords(ws), out)
			return nil
		},
	})
}

func countRecords(ws *workspace.Workspace) int {
	return 1 + len(ws.People) + len(ws.Systems) + len(ws.Flows) + len(ws.Vendors) + len(ws.Agreements) +
		len(ws.Customers) + len(ws.RiskAnalyses) + len(ws.Risks) + len(ws.Controls) + len(ws.Evidence) + len(ws.Incidents)
}
