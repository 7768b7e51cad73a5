package reports

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/report/auditpack"
)

func init() {
	var rlOut, rlFramework string
	cli.Register(&cli.Command{
		Name:    "report request-list",
		Args:    "-o FILE.xlsx|FILE.csv [--framework soc2|hipaa|csf]",
		Summary: "the auditor's request list: per requirement in scope, each control, the evidence expected and held (ids, dates, hashes), what is missing for the period",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&rlOut, "o", "", "file to write: .xlsx or .csv (without it, --format json prints the list)")
			fs.StringVar(&rlFramework, "framework", "soc2", "soc2, hipaa or csf")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("report request-list takes no arguments besides its flags")
			}
			ext := strings.ToLower(filepath.Ext(rlOut))
			if rlOut == "" && env.Format != "json" || rlOut != "" && ext != ".xlsx" && ext != ".csv" {
				return cli.BadInput("report request-list needs -o FILE.xlsx or -o FILE.csv (or --format json)")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			rl, err := auditpack.BuildRequestList(ws, catalog.Default(), rlFramework, env.AsOf)
			if err != nil {
				return cli.BadInput("%v", err)
			}
			if rlOut == "" {
				return env.JSON(rl)
			}
			var buf bytes.Buffer
			if ext == ".csv" {
				err = auditpack.WriteRequestCSV(&buf, rl)
			} else {
				err = auditpack.WriteRequestXLSX(&buf, rl)
			}
			if err != nil {
				return err
			}
			if err := cli.WriteFileAtomic(rlOut, buf.Bytes()); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(rl)
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d rows, %s, period %s to %s)\n", rlOut, len(rl.Rows), rl.Name, rl.PeriodStart, rl.PeriodEnd)
			return nil
		},
	})

	var out, framework, periodStart, periodEnd string
	cli.Register(&cli.Command{
		Name:    "export evidence",
		Args:    "-o FILE.zip [--framework hipaa|soc2|csf] [--period-start DATE --period-end DATE]",
		Summary: "the evidence bundle for an auditor: every file, a manifest (JSON, CSV) and SHA256SUMS for sha256sum -c",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the .zip file to write")
			fs.StringVar(&framework, "framework", "", "only evidence for controls mapped to this framework (hipaa, soc2, csf)")
			fs.StringVar(&periodStart, "period-start", "", "only evidence that speaks for this period (with --period-end)")
			fs.StringVar(&periodEnd, "period-end", "", "last day of the period (with --period-start)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 || out == "" || !strings.EqualFold(filepath.Ext(out), ".zip") {
				return cli.BadInput("export evidence needs -o FILE.zip")
			}
			f := auditpack.Filter{Framework: framework}
			if framework != "" && !slices.Contains(auditpack.Frameworks, framework) {
				return cli.BadInput("--framework %q is not one of hipaa, soc2, csf", framework)
			}
			var err error
			if f.PeriodStart, f.PeriodEnd, err = periodFlags(periodStart, periodEnd); err != nil {
				return err
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			m := auditpack.BuildManifest(ws, catalog.Default(), f, date.Today())
			// Streamed to a temporary file: a bundle can be larger than memory.
			size, err := writeStreamAtomic(out, func(w io.Writer) error { return auditpack.WriteBundle(w, m, b.Store.Blobs().Open) })
			if err != nil {
				return err
			}
			files := 0
			for _, e := range m.Evidence {
				if e.File != "" {
					files++
				}
			}
			if err := b.Data.Record(ctx, cli.Actor(), "export", "evidence", filepath.Base(out),
				map[string]any{"items": len(m.Evidence), "files": files, "framework": framework, "period_start": periodStart, "period_end": periodEnd}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: wrote %d evidence items (%d files) to %s (%d bytes); check with: unzip, then sha256sum -c SHA256SUMS\n",
				b.Org.Slug, len(m.Evidence), files, out, size)
			return nil
		},
	})
}

// periodFlags parses a --period-start/--period-end pair: both or neither.
func periodFlags(start, end string) (date.Date, date.Date, error) {
	var s, e date.Date
	if (start == "") != (end == "") {
		return s, e, cli.BadInput("--period-start and --period-end go together: give both or neither")
	}
	if start == "" {
		return s, e, nil
	}
	var err error
	if s, err = date.Parse(start); err != nil {
		return s, e, cli.BadInput("--period-start: %v", err)
	}
	if e, err = date.Parse(end); err != nil {
		return s, e, cli.BadInput("--period-end: %v", err)
	}
	if e.Before(s) {
		return s, e, cli.BadInput("--period-end %s is before --period-start %s", e, s)
	}
	return s, e, nil
}

// writeStreamAtomic is writeFileAtomic for content written by write, and
// returns its size.
func writeStreamAtomic(name string, write func(w io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<16)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	var size int64
	if fi, serr := tmp.Stat(); serr == nil {
		size = fi.Size()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	return size, err
}
