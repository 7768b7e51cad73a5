package reports

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/evidence"
	"ward/internal/workspace"
)

// listFlag is a flag that may be given several times (--control A --control B).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(*l, s) {
			*l = append(*l, s)
		}
	}
	return nil
}

func init() {
	var (
		controls                                      listFlag
		collected, periodStart, periodEnd, note, link string
		supersedes, actor                             string
	)
	cli.Register(&cli.Command{
		Name:    "evidence add",
		Args:    "FILE... --control ID [--collected DATE] [--period-start DATE --period-end DATE] [--note TEXT] [--link URL] [--supersedes ID]",
		Summary: "attach files (or a link or note) as evidence to controls: hashed into the blob store, immutable, audited",
		Flags: func(fs *flag.FlagSet) {
			controls = nil // fs.Var keeps the old value; Main may run twice in one process
			fs.Var(&controls, "control", "control id the evidence is for (repeat, or comma-separate, for several)")
			fs.StringVar(&collected, "collected", "", "the date it was collected (YYYY-MM-DD; default today)")
			fs.StringVar(&periodStart, "period-start", "", "first day of the period it covers (with --period-end)")
			fs.StringVar(&periodEnd, "period-end", "", "last day of the period it covers (with --period-start)")
			fs.StringVar(&note, "note", "", "what it is, in a sentence")
			fs.StringVar(&link, "link", "", "where the artifact is kept (https://...)")
			fs.StringVar(&supersedes, "supersedes", "", "id of an earlier item this one corrects (both are kept)")
			fs.StringVar(&actor, "actor", "", "who adds it, for the audit trail (default $WARD_ACTOR or the OS account)")
		},
		Run: func(ctx context.Context, env *cli.Env, files []string) error {
			if actor == "" {
				actor = cli.Actor()
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			base, err := evidenceTemplate(ws, files, controls, collected, periodStart, periodEnd, note, link, supersedes)
			if err != nil {
				return err
			}
			// Every file is checked before any is stored: a bad one writes
			// nothing.
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					return cli.BadInput("%s: %v", f, unwrapPath(err))
				}
				if !fi.Mode().IsRegular() {
					return cli.BadInput("%s: not a regular file", f)
				}
			}
			var items []workspace.Evidence
			for _, f := range files {
				e := base
				fh, err := os.Open(f)
				if err != nil {
					return cli.BadInput("%s: %v", f, unwrapPath(err))
				}
				e.Type = cli.FileType(fh, f)
				e.SHA256, e.Size, err = b.Store.Blobs().Put(fh)
				fh.Close()
				if err != nil {
					return fmt.Errorf("store %s: %w", f, err)
				}
				e.File = evidence.UploadPath(e.SHA256, filepath.Base(f))
				items = append(items, e)
			}
			if len(files) == 0 {
				items = append(items, base)
			}
			for i := range items {
				items[i].Source, items[i].AddedBy = workspace.SourceCLI, actor
			}
			had := map[string]bool{}
			for _, e := range ws.Evidence {
				had[e.ID] = true
			}
			added, err := b.Data.AddEvidenceItems(ctx, actor, items)
			if err != nil {
				return cli.BadInput("%v; nothing was written", err)
			}
			for i, e := range added {
				if had[e.ID] {
					fmt.Fprintf(env.Stdout, "%s: %s is already recorded with this content; nothing changed\n", b.Org.Slug, e.ID)
					continue
				}
				had[e.ID] = true
				what := e.Link
				if i < len(files) {
					what = fmt.Sprintf("%s (%d bytes, %s, sha256 %s)", files[i], e.Size, e.Type, e.SHA256)
				} else if what == "" {
					what = "note"
				}
				fmt.Fprintf(env.Stdout, "%s: added %s for %s, collected %s: %s\n", b.Org.Slug, e.ID, strings.Join(e.ControlIDs(), ", "), e.Collected, what)
				for _, c := range e.ControlIDs() {
					freq := controlFrequency(ws, c)
					label, byCollection := evidence.CountsFor(e, freq)
					switch {
					case label == "":
					case byCollection:
						fmt.Fprintf(env.Stdout, "  counts for %s of %s (%s), the period it was collected in; if it documents another period, add it again with --period-start and --period-end, superseding %s\n", label, c, freq, e.ID)
					default:
						fmt.Fprintf(env.Stdout, "  counts for %s of %s (%s), its stated period\n", label, c, freq)
					}
				}
				if e.Supersedes != "" {
					fmt.Fprintf(env.Stdout, "  supersedes %s (kept on record)\n", e.Supersedes)
					if old := findEvidence(ws, e.Supersedes); old != nil {
						var dropped []string
						for _, c := range old.ControlIDs() {
							if !slices.Contains(e.ControlIDs(), c) {
								dropped = append(dropped, c)
							}
						}
						if len(dropped) > 0 {
							fmt.Fprintf(env.Stderr, "ward: note: %s was also evidence for %s, which this correction is not; add evidence for %s if still needed\n",
								e.Supersedes, strings.Join(dropped, ", "), strings.Join(dropped, ", "))
						}
					}
				}
			}
			return nil
		},
	})

	var listControl string
	cli.Register(&cli.Command{
		Name:    "evidence list",
		Args:    "[--control ID]",
		Summary: "every evidence item with its dates, hash, source and who added it; superseded items marked",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&listControl, "control", "", "only the evidence of this control") },
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("evidence list takes no arguments (did you mean 'evidence add'?)")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			if listControl != "" {
				if err := knownControl(ws, listControl); err != nil {
					return err
				}
			}
			list := EvidenceList(ws, listControl)
			if env.Format == "json" {
				return env.JSON(map[string]any{"organization": ws.Organization.Slug, "evidence": list})
			}
			if len(list) == 0 {
				fmt.Fprintln(env.Stdout, "no evidence")
				return nil
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCOLLECTED\tPERIOD\tCONTROLS\tWHAT\tSHA256\tSOURCE\tADDED BY\tSTATUS")
			for _, e := range list {
				// Without a stated period an item counts for the period it
				// was collected in: say which, for the control asked about.
				period := "(collected)"
				if listControl != "" {
					if label, _ := evidence.CountsFor(e.Evidence, controlFrequency(ws, listControl)); label != "" {
						period = label + " (collected)"
					}
				}
				if !e.PeriodStart.IsZero() {
					period = e.PeriodStart.String() + ".." + e.PeriodEnd.String()
				}
				sha := "-"
				if e.SHA256 != "" {
					sha = e.SHA256[:12]
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Collected, period, strings.Join(e.ControlIDs(), ","),
					cli.Clip(e.What(), 40), sha, e.Source, e.AddedBy, e.Status())
			}
			return tw.Flush()
		},
	})
}

// EvidenceItem is one row of `ward evidence list`: the stored item and
// whether a later item supersedes it.
type EvidenceItem struct {
	workspace.Evidence
	SupersededBy string `json:"superseded_by,omitempty"`
}

// What names the artifact: its file, else its link, else its note.
func (e EvidenceItem) What() string {
	switch {
	case e.File != "":
		return e.File
	case e.Link != "":
		return e.Link
	}
	return e.Note
}

func (e EvidenceItem) Status() string {
	if e.SupersededBy != "" {
		return "superseded by " + e.SupersededBy
	}
	return "live"
}

// EvidenceList is every evidence item (of one control when control is not
// empty), oldest first, with supersession marked.
func EvidenceList(ws *workspace.Workspace, control string) []EvidenceItem {
	by := evidence.SupersededBy(ws.Evidence)
	out := []EvidenceItem{}
	for _, e := range ws.Evidence {
		if control != "" && !slices.Contains(e.ControlIDs(), control) {
			continue
		}
		out = append(out, EvidenceItem{Evidence: e, SupersededBy: by[e.ID]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := out[i].Collected.Compare(out[j].Collected); c != 0 {
			return c < 0
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// evidenceTemplate checks the flags of `evidence add` against the
// organization and returns the item every file is recorded with.
func evidenceTemplate(ws *workspace.Workspace, files, controls []string, collected, periodStart, periodEnd, note, link, supersedes string) (workspace.Evidence, error) {
	e := workspace.Evidence{Note: note, Link: link, Supersedes: supersedes}
	if len(files) == 0 && link == "" && note == "" {
		return e, cli.BadInput("evidence add needs a FILE, a --link or a --note")
	}
	if supersedes != "" {
		old := findEvidence(ws, supersedes)
		if old == nil {
			return e, cli.BadInput("--supersedes %q: no evidence with that id (see 'ward evidence list')", supersedes)
		}
		if by := evidence.SupersededBy(ws.Evidence)[supersedes]; by != "" {
			return e, cli.BadInput("--supersedes %q: it is already superseded by %s; supersede %s instead", supersedes, by, by)
		}
		if len(files) > 1 {
			return e, cli.BadInput("--supersedes: one correction replaces one item; give one file")
		}
		if len(controls) == 0 {
			controls = old.ControlIDs() // a correction is for the same controls unless told otherwise
		}
	}
	if len(controls) == 0 {
		return e, cli.BadInput("evidence add needs --control ID (the control the evidence is for)")
	}
	for _, id := range controls {
		if err := knownControl(ws, id); err != nil {
			return e, err
		}
	}
	if len(controls) == 1 {
		e.Control = controls[0]
	} else {
		e.Controls = slices.Clone(controls)
	}
	var err error
	e.Collected = date.Today()
	if collected != "" {
		if e.Collected, err = date.Parse(collected); err != nil {
			return e, cli.BadInput("--collected: %v", err)
		}
	}
	if e.PeriodStart, e.PeriodEnd, err = periodFlags(periodStart, periodEnd); err != nil {
		return e, err
	}
	if link != "" {
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return e, cli.BadInput("--link %q is not an http(s) URL", link)
		}
	}
	return e, nil
}

// knownControl is nil when the organization lists the control; else a
// bad-input error that says how to fix it.
func knownControl(ws *workspace.Workspace, id string) error {
	if ws.Control(id) != nil {
		return nil
	}
	if catalog.Default().Control(id) != nil {
		return cli.BadInput("control %q is in the catalog but not among the organization's controls: add it to controls.yaml and apply first; nothing was written", id)
	}
	return cli.BadInput("unknown control %q: not among the organization's controls (see 'ward controls'); nothing was written", id)
}

func findEvidence(ws *workspace.Workspace, id string) *workspace.Evidence {
	for i := range ws.Evidence {
		if ws.Evidence[i].ID == id {
			return &ws.Evidence[i]
		}
	}
	return nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// controlFrequency is how often a control owes evidence: the
// organization's setting, else the catalog's.
func controlFrequency(ws *workspace.Workspace, id string) string {
	if c := ws.Control(id); c != nil && c.Frequency != "" {
		return c.Frequency
	}
	if cc := catalog.Default().Control(id); cc != nil {
		return cc.Frequency
	}
	return ""
}
