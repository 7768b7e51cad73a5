package reports

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/cli"
	"ward/internal/phimap"
	"ward/internal/plan"
	"ward/internal/report/riskreport"
	"ward/internal/risk"
)

func init() {
	var out, analysis, vendor string
	var phiOnly, collapse bool
	cli.Register(&cli.Command{
		Name:    "report",
		Args:    "risk-analysis|roadmap|dataflow -o FILE",
		Summary: "documents: risk-analysis (.html .pdf .md .xlsx), roadmap (.html .md), dataflow (.svg)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "file to write; its extension chooses the format")
			fs.StringVar(&analysis, "analysis", "", "risk-analysis: the analysis id (default: the latest)")
			fs.BoolVar(&phiOnly, "phi-only", false, "dataflow: only systems that hold or carry PHI")
			fs.BoolVar(&collapse, "collapse", false, "dataflow: one node per vendor")
			fs.StringVar(&vendor, "vendor", "", "dataflow: only this vendor's systems (or "+phimap.InHouse+") and the systems they exchange data with")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 || out == "" {
				return cli.BadInput("report needs a kind (risk-analysis, roadmap, dataflow) and -o FILE")
			}
			ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			switch args[0] {
			case "risk-analysis":
				if !slices.Contains([]string{"html", "pdf", "md", "xlsx"}, ext) {
					return cli.BadInput("a risk-analysis report is .html, .pdf, .md or .xlsx, not %q", filepath.Ext(out))
				}
				g := phimap.Build(ws)
				rep, err := riskreport.BuildReport(ws, analysis, g.PHISystems(), cli.ControlTitle, env.AsOf)
				if err != nil {
					return cli.BadInput("%v", err)
				}
				if err := riskreport.WriteReport(&buf, ext, rep); err != nil {
					return err
				}
			case "roadmap":
				p := plan.Build(ws, ws.Organization.ProgramStart, env.AsOf, plan.Checked(cli.Check(ws, env.AsOf)))
				switch ext {
				case "md":
					err = plan.WriteMarkdown(&buf, ws, p)
				case "html":
					err = plan.WriteHTML(&buf, ws, p)
				default:
					return cli.BadInput("a roadmap report is .md or .html, not %q", filepath.Ext(out))
				}
				if err != nil {
					return err
				}
			case "dataflow":
				if ext != "svg" {
					return cli.BadInput("a dataflow report is .svg, not %q", filepath.Ext(out))
				}
				if vendor != "" && vendor != phimap.InHouse && ws.Vendor(vendor) == nil {
					return cli.BadInput("--vendor: %q is not a vendor id in this organization (nor %s)", vendor, phimap.InHouse)
				}
				buf.Write(phimap.DataflowSVG(ws, nil, cli.Check(ws, env.AsOf), phimap.SVGOptions{PHIOnly: phiOnly, Collapse: collapse, Vendor: vendor}))
			default:
				return cli.BadInput("no report %q (risk-analysis, roadmap, dataflow, readiness, request-list, policies, workforce)", args[0])
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d bytes)\n", out, buf.Len())
			return nil
		},
	})

	var which, analysisID string
	cli.Register(&cli.Command{
		Name:    "risk list",
		Summary: "the risk register of the latest (or a named) analysis, by residual level",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&analysisID, "analysis", "", "analysis id (default: the latest)") },
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			a, err := cli.Analyze(ctx, env, analysisID)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(a)
			}
			return risk.WriteText(env.Stdout, a.Risks)
		},
	})
	cli.Register(&cli.Command{
		Name:    "risk matrix",
		Args:    "[--which inherent|residual]",
		Summary: "the 5×5 risk heat map as text",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&which, "which", "residual", "inherent or residual")
			fs.StringVar(&analysisID, "analysis", "", "analysis id (default: the latest)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if which != "inherent" && which != "residual" {
				return cli.BadInput("--which %q is not inherent or residual", which)
			}
			a, err := cli.Analyze(ctx, env, analysisID)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"which": which, "matrix": a.Matrix, "risks": a.Risks})
			}
			return risk.MatrixText(env.Stdout, a.Risks, a.Matrix, which)
		},
	})
}
