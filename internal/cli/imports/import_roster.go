package imports

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"ward/internal/cli"
	"ward/internal/importer/rostercsv"
	"ward/internal/store"
	"ward/internal/workspace"
)

// `ward import acknowledgements|trainings FILE --map M`: another system's
// CSV export (an e-signature tool, an LMS) as the workforce's records,
// through a column mapping like `ward import csv`'s. The whole file is
// checked first, each row against the workspace with apply's rules
// (people, policies and their approved versions, trainings, no date in
// the future); any problem exits 2 naming the file, line and column, and
// nothing is written. Rows already recorded are counted, not added, so
// importing a file again changes nothing.

func init() {
	for _, kind := range []string{rostercsv.Acknowledgements, rostercsv.Trainings} {
		var mapPath string
		what := "policy acknowledgements (person, policy, version, date)"
		if kind == rostercsv.Trainings {
			what = "training completions from an LMS (person, training, date)"
		}
		cli.Register(&cli.Command{
			Name:    "import " + kind,
			Args:    "FILE --map MAPPING.yaml",
			Summary: "a CSV export of " + what + ", through a column mapping; all rows or none",
			Report:  true,
			Flags: func(fs *flag.FlagSet) {
				fs.StringVar(&mapPath, "map", "", "YAML column mapping (docs/cli.md): columns.person, columns.date, "+map[string]string{
					rostercsv.Acknowledgements: "columns.policy and columns.version (or version: N), optional policies: {name: id}",
					rostercsv.Trainings:        "columns.training, optional columns.status, trainings: {name: id}",
				}[kind])
			},
			Run: func(ctx context.Context, env *cli.Env, args []string) error {
				if len(args) != 1 {
					return cli.BadInput("import %s: name one CSV file (and its --map MAPPING.yaml)", kind)
				}
				if mapPath == "" {
					return cli.BadInput("import %s: --map MAPPING.yaml is required: it names the columns that hold the person, the date and the %s", kind, map[string]string{rostercsv.Acknowledgements: "policy and version", rostercsv.Trainings: "training"}[kind])
				}
				return importRoster(ctx, env, kind, args[0], mapPath)
			},
		})
	}
}

// RosterImport is the summary of one imported roster (--format json).
type RosterImport struct {
	File    string `json:"file"`
	Kind    string `json:"kind"`
	Rows    int    `json:"rows"`
	New     int    `json:"new"`
	Already int    `json:"already"`
	// Skipped rows had a status that is not a completion.
	Skipped int `json:"skipped"`
	// Duplicates repeat an earlier row of the file.
	Duplicates       int                         `json:"duplicates"`
	Acknowledgements []workspace.Acknowledgement `json:"acknowledgements,omitempty"`
	TrainingRecords  []workspace.TrainingRecord  `json:"training_records,omitempty"`
}

func importRoster(ctx context.Context, env *cli.Env, kind, path, mapPath string) error {
	m, err := rostercsv.LoadMapping(mapPath, kind)
	if err != nil {
		return cli.BadInput("%v; nothing was written", err)
	}
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return cli.BadInput("%v", err)
	}
	defer f.Close()
	rd, err := rostercsv.NewReader(f, m, kind)
	if err != nil {
		return rosterErr(path, err)
	}
	res := &RosterImport{File: path, Kind: kind}
	seen := map[string]bool{}
	have := map[string]bool{}
	for _, a := range ws.Acknowledgements {
		have[a.Key()] = true
	}
	for _, r := range ws.TrainingRecords {
		have[r.Key()] = true
	}
	// lines[i] is the CSV line of the i-th new record, for errors.
	var lines []int
	next := *ws
	next.Acknowledgements = append([]workspace.Acknowledgement(nil), ws.Acknowledgements...)
	next.TrainingRecords = append([]workspace.TrainingRecord(nil), ws.TrainingRecords...)
	type problem struct {
		line int
		msg  string
	}
	var problems []problem
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rosterErr(path, err)
		}
		res.Rows++
		if ws.Person(row.Person) == nil {
			problems = append(problems, problem{row.Line, fmt.Sprintf("%s:%d: column %q: %q is not anyone under people (add them, or fix the address)", path, row.Line, rd.Column("person"), row.Person)})
			continue
		}
		var key string
		switch kind {
		case rostercsv.Acknowledgements:
			a := workspace.Acknowledgement{Person: row.Person, Policy: row.Policy, Version: row.Version, On: row.Date, Source: workspace.RecordImport}
			key = a.Key()
			if !seen[key] && !have[key] {
				next.Acknowledgements = append(next.Acknowledgements, a)
				res.Acknowledgements = append(res.Acknowledgements, a)
				lines = append(lines, row.Line)
			}
		case rostercsv.Trainings:
			r := workspace.TrainingRecord{Person: row.Person, Training: row.Training, Completed: row.Date, Source: workspace.RecordImport}
			key = r.Key()
			if !seen[key] && !have[key] {
				next.TrainingRecords = append(next.TrainingRecords, r)
				res.TrainingRecords = append(res.TrainingRecords, r)
				lines = append(lines, row.Line)
			}
		}
		switch {
		case seen[key]:
			res.Duplicates++
		case have[key]:
			res.Already++
		default:
			res.New++
		}
		// A row left as it is (on record already, or repeated in the file)
		// is not validated with the new records below; its date is still
		// the file's, and one after today is bad input all the same.
		if (seen[key] || have[key]) && row.Date.After(env.AsOf) {
			what := "acknowledgement"
			if kind == rostercsv.Trainings {
				what = "completion"
			}
			problems = append(problems, problem{row.Line, fmt.Sprintf("%s:%d: column %q: %s is in the future (today is %s): record the %s once it has happened", path, row.Line, rd.Column("date"), row.Date, env.AsOf, what)})
		}
		seen[key] = true
	}
	res.Skipped = rd.Skipped
	// Apply's rules on the organization with the new records: each error
	// about one of them goes back to its CSV line and column.
	section, first := "acknowledgements", len(ws.Acknowledgements)
	column := map[string]string{"person": rd.Column("person"), "policy": rd.Column("policy"), "version": rd.Column("version"), "on": rd.Column("date")}
	if kind == rostercsv.Trainings {
		section, first = "training_records", len(ws.TrainingRecords)
		column = map[string]string{"person": rd.Column("person"), "training": rd.Column("training"), "completed": rd.Column("date")}
	}
	opt := cli.WorkspaceOptions()
	opt.Today = env.AsOf
	errs := workspace.Validate(&next, opt)
	for i, line := range lines {
		for field, msg := range errs.FieldErrors(section, first+i) {
			col := column[field]
			if col == "" {
				col = field
			}
			problems = append(problems, problem{line, fmt.Sprintf("%s:%d: column %q: %s", path, line, col, msg)})
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b problem) int { return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.msg, b.msg)) })
		var msgs []string
		for i, p := range problems {
			if i == 50 {
				msgs = append(msgs, fmt.Sprintf("and %d more", len(problems)-50))
				break
			}
			msgs = append(msgs, p.msg)
		}
		return cli.BadInput("import %s: %s is not valid; nothing was written:\n%s", kind, path, strings.Join(msgs, "\n"))
	}
	var edits []store.Edit
	for _, a := range res.Acknowledgements {
		edits = append(edits, store.Edit{Kind: store.KindAcknowledgement, Value: a})
	}
	for _, r := range res.TrainingRecords {
		edits = append(edits, store.Edit{Kind: store.KindTrainingRecord, Value: r})
	}
	if len(edits) > 0 {
		if _, err := b.Data.Save(ctx, cli.Actor(), edits...); err != nil {
			return err
		}
	}
	if env.Format == "json" {
		return env.JSON(map[string]any{"org": b.Org.Slug, "import": res})
	}
	what := "acknowledgements"
	if kind == rostercsv.Trainings {
		what = "training completions"
	}
	fmt.Fprintf(env.Stdout, "%s: %s: %d rows, %d new %s, %d recorded already", b.Org.Slug, path, res.Rows, res.New, what, res.Already)
	if res.Duplicates > 0 {
		fmt.Fprintf(env.Stdout, ", %d repeated in the file", res.Duplicates)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(env.Stdout, ", %d skipped (not completed)", res.Skipped)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

func rosterErr(path string, err error) error {
	var e *rostercsv.Error
	if errors.As(err, &e) {
		loc := path
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", path, e.Line)
		}
		msg := e.Err.Error()
		if e.Column != "" {
			msg = fmt.Sprintf("column %q: %s", e.Column, msg)
		}
		return cli.BadInput("%s: %s; nothing was written", loc, msg)
	}
	return cli.BadInput("%s: %v; nothing was written", path, err)
}
