package reports

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/secq"
	"ward/internal/secq/sheet"
	"ward/internal/workspace"
)

// The security questionnaire answered from the program (issue 16):
// `ward questionnaire answer` fills a customer's XLSX or CSV in its own
// layout; `ward questionnaire library` shows the bank with ward's answer
// to each question; `ward questionnaire approve` keeps an answer a person
// approved. Not `ward risk questionnaire`, which asks the organization
// about itself.

func init() {
	var spec sheet.Spec
	var out, key string
	var threshold float64
	cli.Register(&cli.Command{
		Name: "questionnaire answer",
		Args: "FILE.xlsx|FILE.csv [--sheet S] [--question-col C] [--answer-col D] [--comment-col E] [-o OUT.xlsx]",
		Summary: "answer a customer's security questionnaire from the program: matched rows get an answer, a confidence and " +
			"its sources in the customer's own layout; uncertain rows are marked for review",
		Report: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&spec.Sheet, "sheet", "", "the sheet with the questions (default: the first)")
			fs.StringVar(&spec.Question, "question-col", "", "the question column: a letter or its header (default: the column headed Question)")
			fs.StringVar(&spec.Answer, "answer-col", "", "the answer column: a letter or its header (default: the column headed Response or Answer)")
			fs.StringVar(&spec.Comment, "comment-col", "", "a column for the narrative and ward's note; without it the answer cell holds the whole answer and the note is a cell note")
			fs.IntVar(&spec.HeaderRow, "header-row", 0, "the header's row (default: found; -1: none)")
			fs.StringVar(&spec.Encoding, "encoding", "", "a CSV's encoding when not UTF-8 or UTF-16: "+strings.Join(sheet.Encodings, ", "))
			fs.StringVar(&out, "o", "", "the answered file to write (.xlsx, or .csv for a CSV questionnaire); written only if everything reads")
			fs.Float64Var(&threshold, "threshold", secq.DefaultThreshold, "the confidence under which a row is left for review")
			fs.StringVar(&key, "key", "", "a CSV of ref,expected (bank ids, | between alternatives, - for none): print precision and coverage against it")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("questionnaire answer needs the questionnaire file (.xlsx or .csv)")
			}
			if threshold < 0 || threshold > 1 {
				return cli.BadInput("--threshold %v is not between 0 and 1", threshold)
			}
			outFormat := ""
			if out != "" {
				f, err := sheet.FormatOf(out)
				if err != nil {
					return cli.BadInput("-o %s: the answered file is .xlsx (or .csv for a CSV questionnaire)", out)
				}
				outFormat = f
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return cli.BadInput("%v", err)
			}
			book, err := sheet.Read(args[0], data, spec)
			if err != nil {
				return badSheet(err)
			}
			if book.Format == sheet.XLSX && outFormat == sheet.CSV {
				return cli.BadInput("-o %s: an XLSX questionnaire is answered into an .xlsx file, so its other sheets and formatting stay", out)
			}
			var expect map[string][]string
			var sets map[string]string
			if key != "" {
				if expect, sets, err = readKey(key); err != nil {
					return err
				}
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			approved, err := b.Data.ApprovedAnswers(ctx)
			if err != nil {
				return err
			}
			an := secq.NewAnswerer(secq.Default(), ws, catalog.Default(), env.AsOf, approved, secq.Options{Policies: secq.WorkspacePolicies(ws, env.AsOf)})
			rows := secq.AnswerRows(an.Index(), an, cli.SheetItems(book), threshold)
			var written []byte
			if out != "" {
				if written, err = book.Write(outFormat, secq.Fills(rows, book.Comment > 0, book.Choices)); err != nil {
					return badSheet(err)
				}
			}
			for _, n := range book.Notes {
				fmt.Fprintf(env.Stderr, "ward: %s: %s\n", args[0], n)
			}
			if env.Format == "json" {
				if err := env.JSON(struct {
					Rows []secq.Row `json:"rows"`
				}{rows}); err != nil {
					return err
				}
			} else {
				writeAnswered(env.Stdout, book, rows, threshold, env.AsOf.String())
			}
			if expect != nil {
				w := env.Stdout
				if env.Format == "json" {
					w = env.Stderr // stdout is the rows, exactly
				}
				if err := writeScore(w, key, rows, expect, sets); err != nil {
					return err
				}
			}
			if out != "" {
				if err := cli.WriteFileAtomic(out, written); err != nil {
					return err
				}
				w := env.Stdout
				if env.Format == "json" {
					w = env.Stderr
				}
				fmt.Fprintf(w, "wrote %s (%d bytes)\n", out, len(written))
			}
			return nil
		},
	})

	var domain string
	cli.Register(&cli.Command{
		Name:    "questionnaire library",
		Args:    "[ID] [--domain D]",
		Summary: "the answer bank with ward's answer to each question today (or one question with its sources), approved answers first",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&domain, "domain", "", "only this domain's questions") },
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			an, err := answerer(ctx, b, ws, env)
			if err != nil {
				return err
			}
			bank := an.Bank()
			if domain != "" && bank.Domain(domain) == nil {
				return cli.BadInput("--domain %q is not one of %s", domain, strings.Join(domainIDs(bank), ", "))
			}
			if len(args) == 1 {
				ans, ok := an.Answer(args[0])
				if !ok {
					return cli.BadInput("%q is not a bank question or an approved own entry (ward questionnaire library lists them)", args[0])
				}
				if env.Format == "json" {
					return env.JSON(ans)
				}
				writeOneAnswer(env.Stdout, bank, ans)
				return nil
			}
			if len(args) > 1 {
				return cli.BadInput("questionnaire library takes at most one question id")
			}
			var list []secq.Answer
			for _, q := range bank.Questions {
				if domain == "" || q.Domain == domain {
					a, _ := an.Answer(q.ID)
					list = append(list, a)
				}
			}
			if domain == "" {
				for _, ap := range an.Own() {
					a, _ := an.Answer(ap.ID)
					list = append(list, a)
				}
			}
			if env.Format == "json" {
				return env.JSON(struct {
					Bank    string        `json:"bank"`
					Version string        `json:"version"`
					AsOf    string        `json:"as_of"`
					Answers []secq.Answer `json:"answers"`
				}{bank.ID, bank.Version, env.AsOf.String(), list})
			}
			writeLibrary(env.Stdout, bank, list, env.AsOf.String())
			return nil
		},
	})

	var text, alias, by string
	var verdictFlag string
	cli.Register(&cli.Command{
		Name: "questionnaire approve",
		Args: "ID --by EMAIL [--text TEXT --verdict V] [--alias QUESTION]",
		Summary: "keep an answer a person approved: ward's answer as it stands, or --text; reused for the question until a " +
			"control under it changes (--as-of: the approval's date, and the controls' standing it records)",
		Report: true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&by, "by", "", "who approves it (an e-mail)")
			fs.StringVar(&text, "text", "", "the approved text instead of ward's answer")
			fs.StringVar(&verdictFlag, "verdict", "", "with --text: yes, no, partial, not-applicable (default: ward's)")
			fs.StringVar(&alias, "alias", "", "a customer's wording of the question, for the matcher to learn")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("questionnaire approve needs the bank question's id")
			}
			if by == "" {
				return cli.BadInput("--by: say who approves the answer (an e-mail)")
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			an, err := answerer(ctx, b, ws, env)
			if err != nil {
				return err
			}
			ans, ok := an.Answer(args[0])
			if !ok {
				return cli.BadInput("%q is not a bank question or an approved own entry (ward questionnaire library lists them)", args[0])
			}
			// ward's answer as it stands: the approved one while it holds,
			// the fresh one once a control under it changed.
			v, t := ans.Verdict, ans.Text
			if text != "" {
				t = text
			}
			if verdictFlag != "" {
				v = secq.Verdict(verdictFlag)
				if !slices.Contains(secq.Verdicts, v) || v == secq.Undecided {
					return cli.BadInput("--verdict %q is not yes, no, partial or not-applicable", verdictFlag)
				}
			}
			if v == secq.Undecided {
				return cli.BadInput("%s is a question ward cannot decide (%s): approve it with --text and --verdict", args[0], strings.Join(ans.Reasons, "; "))
			}
			prev, _ := an.Approved(args[0])
			var pp *secq.Approved
			if prev.ID != "" {
				pp = &prev
			}
			ap := an.Approve(pp, args[0], "", v, t, nil, alias, by)
			c, err := b.Data.SaveApproved(ctx, cli.Actor(), ap)
			if err != nil {
				return cli.BadInput("%v", err)
			}
			if env.Format == "json" {
				return env.JSON(struct {
					Change   string        `json:"change"`
					Approved secq.Approved `json:"approved"`
				}{c.Action, ap})
			}
			if c.Action == "" {
				fmt.Fprintf(env.Stdout, "%s: already approved as it stands (no change)\n", ap.ID)
				return nil
			}
			fmt.Fprintf(env.Stdout, "%s: approved by %s on %s (%s)\n  %s\n", ap.ID, ap.ApprovedBy, ap.ApprovedOn, c.Action, ap.Text)
			return nil
		},
	})
}

func answerer(ctx context.Context, b *cli.Backend, ws *workspace.Workspace, env *cli.Env) (*secq.Answerer, error) {
	approved, err := b.Data.ApprovedAnswers(ctx)
	if err != nil {
		return nil, err
	}
	return secq.NewAnswerer(secq.Default(), ws, catalog.Default(), env.AsOf, approved, secq.Options{Policies: secq.WorkspacePolicies(ws, env.AsOf)}), nil
}

func domainIDs(b *secq.Bank) []string {
	var out []string
	for _, d := range b.Domains {
		out = append(out, d.ID)
	}
	return out
}

// badSheet turns a questionnaire the reader refused into exit 2 with its
// message (file, sheet, place, what to do).
func badSheet(err error) error {
	var se *sheet.Error
	if errors.As(err, &se) {
		return cli.BadInput("%s", se.Error())
	}
	return err
}

func writeAnswered(w io.Writer, b *sheet.Book, rows []secq.Row, threshold float64, asOf string) {
	q, a, c := b.Columns()
	where := b.Name
	if b.Sheet != "" {
		where += fmt.Sprintf(", sheet %q", b.Sheet)
	}
	cols := fmt.Sprintf("questions in %s, answers into %s", q, a)
	if c != "" {
		cols += ", comments into " + c
	}
	answered, review := 0, 0
	for _, r := range rows {
		if r.Match != nil {
			answered++
		}
		if r.Review {
			review++
		}
	}
	fmt.Fprintf(w, "%s: %d questions (%s), as of %s\n", where, len(rows), cols, asOf)
	fmt.Fprintf(w, "answered %d (%.0f%%) at confidence %.2f or more; %d for review\n\n", answered, pct(answered, len(rows)), threshold, review)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROW\tREF\tCONF\tMATCH\tANSWER\t")
	for _, r := range rows {
		match, verdict := "-", "REVIEW: not answered"
		if r.Match != nil {
			match, verdict = *r.Match, r.Verdict.Label()
			if verdict == "" {
				verdict = "draft"
			}
			if r.Review {
				verdict += " (review)"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%s\t%s\t\n", r.Row, r.Ref, r.Confidence, match, verdict)
	}
	tw.Flush()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// readKey reads an answer key: a CSV with a ref and an expected column
// (bank ids, "|" between alternatives, "-" for none) and optionally set.
func readKey(name string) (map[string][]string, map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, cli.BadInput("--key: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, cli.BadInput("--key %s: %v", name, err)
	}
	if len(recs) < 2 {
		return nil, nil, cli.BadInput("--key %s: no rows under the header", name)
	}
	col := func(h string) int { return slices.Index(recs[0], h) }
	ref, exp, set := col("ref"), col("expected"), col("set")
	if ref < 0 || exp < 0 {
		return nil, nil, cli.BadInput("--key %s: the header needs ref and expected columns, not %s", name, strings.Join(recs[0], ","))
	}
	want, sets := map[string][]string{}, map[string]string{}
	for i, r := range recs[1:] {
		if len(r) <= max(ref, exp, set) {
			return nil, nil, cli.BadInput("--key %s: line %d: too few fields", name, i+2)
		}
		want[r[ref]] = nil
		if r[exp] != "-" {
			want[r[ref]] = strings.Split(r[exp], "|")
		}
		if set >= 0 {
			sets[r[ref]] = r[set]
		}
	}
	return want, sets, nil
}

// writeScore prints precision (answered rows matched right) and coverage
// (rows answered) against the key, per set when the key has sets.
func writeScore(w io.Writer, name string, rows []secq.Row, want map[string][]string, sets map[string]string) error {
	type score struct{ rows, answered, right int }
	by := map[string]*score{"all": {}}
	order := []string{}
	for _, r := range rows {
		exp, ok := want[r.Ref]
		if !ok {
			return cli.BadInput("--key %s: row %d (%s) is not in the key", name, r.Row, r.Ref)
		}
		right := r.Match != nil && slices.Contains(exp, *r.Match)
		for _, k := range []string{"all", sets[r.Ref]} {
			if k == "" {
				continue
			}
			if by[k] == nil {
				by[k] = &score{}
				order = append(order, k)
			}
			s := by[k]
			s.rows++
			if r.Match != nil {
				s.answered++
				if right {
					s.right++
				}
			}
		}
	}
	slices.Sort(order)
	fmt.Fprintf(w, "\nagainst %s:\n", filepath.Base(name))
	for _, k := range append(order, "all") {
		s := by[k]
		fmt.Fprintf(w, "  %-8s %3d rows: coverage %5.1f%% (%d answered), precision %5.1f%% (%d right)\n", k, s.rows, pct(s.answered, s.rows), s.answered, pct(s.right, s.answered), s.right)
	}
	return nil
}

func writeLibrary(w io.Writer, b *secq.Bank, list []secq.Answer, asOf string) {
	fmt.Fprintf(w, "%s %s (%s), %d questions, answered as of %s\n", b.Name, b.Version, b.Source, len(b.Questions), asOf)
	domain := ""
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range list {
		q := b.Question(a.Question)
		d, text := "own entries (approved)", ""
		if q != nil {
			d, text = q.Domain, q.Question
			if dom := b.Domain(q.Domain); dom != nil {
				d = dom.Name
			}
		} else if a.Approved != nil {
			text = a.Approved.Question
		}
		if d != domain {
			tw.Flush()
			fmt.Fprintf(w, "\n%s\n", d)
			domain = d
		}
		mark := a.Verdict.Label()
		if mark == "" {
			mark = "draft"
		}
		switch {
		case a.Approved != nil && !a.Stale:
			mark += " ✓"
		case a.Stale:
			mark += " (approval stale)"
		case a.Review:
			mark += " (review)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", a.Question, mark, text)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n✓ approved answer in use; ward questionnaire library ID shows one answer with its sources")
}

func writeOneAnswer(w io.Writer, b *secq.Bank, a secq.Answer) {
	if q := b.Question(a.Question); q != nil {
		fmt.Fprintf(w, "%s (%s)\n%s\n\n", q.ID, q.Domain, q.Question)
	} else if a.Approved != nil {
		fmt.Fprintf(w, "%s (own entry)\n%s\n\n", a.Question, a.Approved.Question)
	}
	fmt.Fprintf(w, "%s\n\n", a.Text)
	if a.Approved != nil {
		state := "in use"
		if a.Stale {
			state = "stale, not in use"
		}
		fmt.Fprintf(w, "approved by %s on %s (%s)\n", a.Approved.ApprovedBy, a.Approved.ApprovedOn, state)
		if a.Stale {
			fmt.Fprintf(w, "  approved text: %s\n", a.Approved.Text)
		}
	}
	fmt.Fprintln(w, "sources:")
	for _, s := range a.Sources {
		fmt.Fprintf(w, "  %s\n", s)
	}
	if a.Review {
		fmt.Fprintln(w, "review:")
		for _, r := range a.Reasons {
			fmt.Fprintf(w, "  %s\n", r)
		}
	}
}
