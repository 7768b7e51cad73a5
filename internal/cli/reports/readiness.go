package reports

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/report/readiness"
)

func init() {
	var out string
	var frameworks listFlag
	cli.Register(&cli.Command{
		Name:    "report readiness",
		Args:    "-o FILE.html|.md|.pdf|.xlsx [--framework hipaa|soc2|csf ...]",
		Summary: "readiness per framework: scores and bars, sections, gaps with what is missing, SOC 2 Type II exceptions",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			frameworks = nil
			fs.StringVar(&out, "o", "", "file to write; its extension chooses the format (without it, --format json prints the report)")
			fs.Var(&frameworks, "framework", "a framework to include (repeat for several; default HIPAA, SOC 2 when pursued, and CSF)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("report readiness takes no arguments besides its flags")
			}
			ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			if out == "" && env.Format != "json" || out != "" && !slices.Contains([]string{"html", "md", "pdf", "xlsx"}, ext) {
				return cli.BadInput("report readiness needs -o FILE.html, .md, .pdf or .xlsx (or --format json)")
			}
			for _, fw := range frameworks {
				if !slices.Contains([]string{"hipaa", "soc2", "csf"}, fw) {
					return cli.BadInput("--framework %q is not one of hipaa, soc2, csf", fw)
				}
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			rep, err := readiness.Build(ws, catalog.Default(), frameworks, env.AsOf)
			if err != nil {
				return cli.BadInput("%v", err)
			}
			if out == "" {
				return env.JSON(rep)
			}
			var buf bytes.Buffer
			if err := readiness.Write(&buf, ext, rep); err != nil {
				return err
			}
			if err := cli.WriteFileAtomic(out, buf.Bytes()); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(rep)
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d bytes)\n", out, buf.Len())
			return nil
		},
	})
}
