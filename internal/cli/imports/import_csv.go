package imports

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/importer/csvimport"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	var mapPath string
	cli.Register(&cli.Command{
		Name:    "import csv",
		Args:    "FILE --map MAPPING.yaml",
		Summary: "any tool's CSV export as control results and evidence, through a column mapping (control, date, status, resource, note)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&mapPath, "map", "", "YAML column mapping: columns.control, columns.date, columns.status (required), resource, note, severity, account, id")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("import csv: name one CSV file (and its --map MAPPING.yaml)")
			}
			if mapPath == "" {
				return cli.BadInput("import csv: --map MAPPING.yaml is required: it names the columns that hold the control, the date and the status")
			}
			m, err := csvimport.LoadMapping(mapPath)
			if err != nil {
				return cli.BadInput("%v; nothing was written", err)
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			fi, err := importCSV(ctx, env, b, m, mapPath, args[0])
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"org": b.Org.Slug, "files": []*CSVImport{fi}})
			}
			fi.writeText(env.Stdout, b.Org.Slug)
			return nil
		},
	})
}

// CSVImport is the summary of one imported CSV file (--format json).
type CSVImport struct {
	File            string         `json:"file"`
	Mapping         string         `json:"mapping"`
	SHA256          string         `json:"sha256"`
	Size            int64          `json:"size"`
	ScanID          int64          `json:"scan_id"`
	AlreadyImported bool           `json:"already_imported"`
	Rows            int            `json:"rows"`
	New             int            `json:"new"`
	Already         int            `json:"already"`
	Duplicates      int            `json:"duplicates"`
	ByStatus        map[string]int `json:"by_status"`
	Controls        []string       `json:"controls"`
	EvidenceID      string         `json:"evidence_id,omitempty"`
	PeriodStart     date.Date      `json:"period_start"`
	PeriodEnd       date.Date      `json:"period_end"`
	Superseded      int            `json:"superseded"`
	Outdated        int            `json:"outdated"`
}

func importCSV(ctx context.Context, env *cli.Env, b *cli.Backend, m *csvimport.Mapping, mapPath, path string) (*CSVImport, error) {
	ws, err := b.Data.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, c := range ws.Controls {
		own[c.ID] = true
	}
	cat := catalog.Default()
	known := func(id string) bool { return own[id] || cat.Control(id) != nil }

	src, err := openSource(path, b.Store.Blobs())
	if err != nil {
		return nil, err
	}
	var rows atomic.Int64
	prog := startProgress(env, src, &rows, "rows")
	byStatus := map[string]int{}
	controls := map[string][]string{}
	var first, last time.Time
	res, err := b.Data.ImportScan(ctx, cli.Actor(), func(sw *store.ScanWriter) (store.ScanInput, error) {
		rd, err := csvimport.NewReader(src.r, m, known)
		if err != nil {
			return store.ScanInput{}, err
		}
		for {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return store.ScanInput{}, err
			}
			byStatus[r.Status]++
			if controls[r.Control] == nil {
				controls[r.Control] = []string{r.Control}
			}
			if first.IsZero() || r.Date.Before(first) {
				first = r.Date
			}
			if r.Date.After(last) {
				last = r.Date
			}
			// The control is the check: a newer export's rows for a
			// control (and account) supersede an older one's.
			if err := sw.Add(store.ScanFinding{UID: r.ID, Check: r.Control, Status: r.Status, Severity: r.Severity,
				ResourceUID: r.Resource, Account: r.Account, Time: r.Date, Note: r.Note}); err != nil {
				return store.ScanInput{}, err
			}
			rows.Add(1)
		}
		if rows.Load() == 0 {
			return store.ScanInput{}, &csvimport.Error{Err: errors.New("the file holds no rows after its header: nothing to import")}
		}
		sha, size, err := src.finish()
		if err != nil {
			return store.ScanInput{}, fmt.Errorf("keep %s as evidence: %w", path, err)
		}
		return store.ScanInput{
			Source: "csv", Format: "csv", FileName: filepath.Base(path), SHA256: sha, Size: size, ScannedAt: last, Controls: controls,
			Summary: map[string]any{"rows": rows.Load(), "by_status": byStatus, "mapping": filepath.Base(mapPath)},
			Evidence: workspace.Evidence{
				Collected: date.Of(last), PeriodStart: date.Of(first), PeriodEnd: date.Of(last),
				File: filepath.Base(path), Type: "text/csv",
				Note: fmt.Sprintf("CSV import (%s): %d results, %d failing", filepath.Base(mapPath), rows.Load(), byStatus[csvimport.Fail]),
			},
		}, nil
	})
	if err != nil {
		src.abort(err)
		prog.done(env, false)
		var ce *csvimport.Error
		if errors.As(err, &ce) {
			return nil, cli.BadInput("%s: %v; nothing was written", path, ce)
		}
		return nil, fmt.Errorf("%s: %w; nothing was written", path, err)
	}
	prog.done(env, true)
	ctl := make([]string, 0, len(controls))
	for c := range controls {
		ctl = append(ctl, c)
	}
	slices.Sort(ctl)
	fi := &CSVImport{
		File: path, Mapping: mapPath, SHA256: res.Scan.SHA256, Size: res.Scan.Size, ScanID: res.Scan.ID,
		AlreadyImported: res.Already, Rows: int(rows.Load()), New: res.New, Duplicates: res.Duplicates,
		ByStatus: byStatus, Controls: ctl, EvidenceID: res.Scan.EvidenceID, Superseded: res.Superseded, Outdated: res.Outdated,
	}
	if !first.IsZero() {
		fi.PeriodStart, fi.PeriodEnd = date.Of(first), date.Of(last)
	}
	if res.Already {
		fi.Already = fi.Rows
	}
	return fi, nil
}

func (fi *CSVImport) writeText(w io.Writer, org string) {
	short := fi.SHA256
	if len(short) > 12 {
		short = short[:12]
	}
	if fi.AlreadyImported {
		fmt.Fprintf(w, "%s: %s was already imported (scan %d, sha256 %s…): nothing new, %d rows already imported\n", org, fi.File, fi.ScanID, short, fi.Already)
		return
	}
	fmt.Fprintf(w, "%s: imported %s (csv, %s, sha256 %s…) as scan %d\n", org, fi.File, cli.HumanBytes(fi.Size), short, fi.ScanID)
	fmt.Fprintf(w, "  rows:         %d (%d new, %d already imported, %d duplicate rows in the file)\n", fi.Rows, fi.New, fi.Already, fi.Duplicates)
	fmt.Fprintf(w, "  status:       %s\n", counts(fi.ByStatus, []string{csvimport.Fail, csvimport.Manual, csvimport.Pass}))
	if !fi.PeriodStart.IsZero() {
		fmt.Fprintf(w, "  dates:        %s to %s\n", fi.PeriodStart, fi.PeriodEnd)
	}
	if fi.EvidenceID != "" {
		fmt.Fprintf(w, "  evidence:     %s on %d control(s): %s\n", fi.EvidenceID, len(fi.Controls), strings.Join(fi.Controls, ", "))
	}
	if fi.Superseded > 0 || fi.Outdated > 0 {
		fmt.Fprintf(w, "  supersedes:   %d control(s) of older imports; %d of this file's already superseded by newer ones\n", fi.Superseded, fi.Outdated)
	}
}
