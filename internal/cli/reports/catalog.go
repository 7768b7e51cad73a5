package reports

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"ward/internal/catalog"
	"ward/internal/cli"
)

func init() {
	cli.Register(&cli.Command{
		Name:    "frameworks",
		Summary: "the frameworks ward carries, with their source, version and status (in force, or proposed with the date ward last checked)",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			cat := catalog.Default()
			type row struct {
				ID           string `json:"id"`
				Name         string `json:"name"`
				Version      string `json:"version"`
				Source       string `json:"source"`
				Published    string `json:"published"`
				Requirements int    `json:"requirements"`
				// Status is "current", or "proposed" for an overlay of a
				// rule that is not law yet, with when ward last checked.
				Status        string `json:"status"`
				StatusChecked string `json:"status_checked,omitempty"`
				StatusNote    string `json:"status_note,omitempty"`
			}
			var rows []row
			for _, f := range cat.Frameworks {
				st := "current"
				if f.Status != "" {
					st = f.Status
				}
				rows = append(rows, row{f.ID, f.Name, f.Version, f.Source, f.Published, len(f.Assessable()), st, f.StatusChecked, f.StatusNote})
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"frameworks": rows})
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tVERSION\tSTATUS\tASSESSED\tSOURCE")
			for _, r := range rows {
				st := r.Status
				if r.StatusChecked != "" {
					st += " (checked " + r.StatusChecked + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Name, r.Version, st, r.Requirements, r.Source)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, r := range rows {
				if r.StatusNote != "" {
					fmt.Fprintf(env.Stdout, "\n%s is %s, not law: %s Its readiness (ward posture --framework %s) is shown apart and never counts in the HIPAA score.\n", r.ID, r.Status, r.StatusNote, r.ID)
				}
			}
			// What the count is: readiness is judged per implementation
			// specification, and per standard only where a standard has none.
			fmt.Fprintln(env.Stdout, "\nASSESSED: the requirements readiness is judged on (a HIPAA standard with implementation specifications counts through them); ward framework show ID lists them all.")
			return nil
		},
	})

	cli.Register(&cli.Command{
		Name:    "framework show",
		Args:    "ID",
		Summary: "every requirement of a framework (hipaa, hipaa-breach, soc2, csf, hitrust, hipaa-nprm) with its controls",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("framework show needs a framework id (%s)", frameworkIDs())
			}
			f := catalog.Default().Framework(args[0])
			if f == nil {
				return cli.BadInput("no framework %q (%s)", args[0], frameworkIDs())
			}
			if env.Format == "json" {
				return env.JSON(f)
			}
			fmt.Fprintf(env.Stdout, "%s, %s (%s)\nsource: %s\n", f.Name, f.Version, f.Published, f.Source)
			if f.Status != "" {
				fmt.Fprintf(env.Stdout, "status: %s, last checked %s: %s\n", f.Status, f.StatusChecked, f.StatusNote)
			}
			fmt.Fprintln(env.Stdout)
			for _, r := range f.Requirements {
				indent := ""
				if r.Parent != "" {
					indent = "  "
				}
				ra := ""
				if f.ID == "hipaa" && r.Assessable() {
					ra = " (A)"
					if r.Required {
						ra = " (R)"
					}
				}
				fmt.Fprintf(env.Stdout, "%s%-24s %s%s\n", indent, r.ID, r.Title, ra)
				if len(r.Controls) > 0 {
					fmt.Fprintf(env.Stdout, "%s%-24s controls: %s\n", indent, "", strings.Join(r.Controls, ", "))
				}
			}
			return nil
		},
	})

	cli.Register(&cli.Command{
		Name:    "controls",
		Summary: "the unified control set and what each maps to in every framework",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			cat := catalog.Default()
			if env.Format == "json" {
				return env.JSON(map[string]any{"controls": cat.Controls})
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTITLE\tFREQUENCY\tHIPAA\tSOC 2\tCSF")
			for _, c := range cat.Controls {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", c.ID, c.Title, c.Frequency, len(c.Mappings["hipaa"]), len(c.Mappings["soc2"]), len(c.Mappings["csf"]))
			}
			return tw.Flush()
		},
	})

	var from, to, categories, source string
	var reuse bool
	cli.Register(&cli.Command{
		Name:    "crosswalk",
		Args:    "--from F --to G [--categories availability,...] [--reuse] | --from hipaa --to csf --source nist|controls|both",
		Summary: "how one framework's requirements map to another's through the shared controls, with coverage",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&from, "from", "hipaa", "framework to start from")
			fs.StringVar(&to, "to", "soc2", "framework to map to")
			fs.StringVar(&categories, "categories", "", "SOC 2 categories in scope besides security (comma-separated; default: the organization's, or all when there is none)")
			fs.BoolVar(&reuse, "reuse", false, "say how much of --to the controls of --from already cover, and what --to adds")
			fs.StringVar(&source, "source", "", "with --from hipaa --to csf: HIPAA standard × CSF subcategory from NIST SP 800-66r2 (nist), from ward's controls (controls) or both side by side (both)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			cat := catalog.Default()
			if from == to {
				return cli.BadInput("crosswalk: --from and --to are both %s: name two different frameworks (ward frameworks lists them)", from)
			}
			if source != "" {
				if from != catalog.HIPAA || to != catalog.CSF || reuse {
					return cli.BadInput("crosswalk --source compares NIST SP 800-66r2's HIPAA to CSF 2.0 mapping: use it with --from hipaa --to csf and without --reuse")
				}
				return standardCrosswalk(env, cat, source)
			}
			scope, scopeFrom, err := crosswalkScope(ctx, env, categories)
			if err != nil {
				return err
			}
			if reuse {
				r, err := cat.Reuse(from, to, nil, scope)
				if err != nil {
					return cli.BadInput("%v", err)
				}
				// HIPAA's breach notification duties (164.400-414) are a
				// framework of their own; what they add is part of what
				// HIPAA needs beyond the other framework.
				var breach *catalog.Reuse
				if to == catalog.HIPAA && from != catalog.HIPAABreach {
					b, err := cat.Reuse(from, catalog.HIPAABreach, nil, scope)
					if err != nil {
						return cli.BadInput("%v", err)
					}
					breach = &b
				}
				if env.Format == "json" {
					return env.JSON(struct {
						catalog.Reuse
						BreachRule *catalog.Reuse `json:"breach_rule,omitempty"`
					}{r, breach})
				}
				if from == catalog.SOC2 || to == catalog.SOC2 {
					fmt.Fprintf(env.Stdout, "SOC 2 in scope: %s (%s)\n", strings.Join(scope.Categories(), ", "), scopeFrom)
				}
				fmt.Fprintf(env.Stdout, "The %d controls mapped to %s cover %d of %d %s requirements in scope (%.1f%%).\n",
					len(r.Have), from, r.Coverage.ToCovered, r.Coverage.ToTotal, to, r.Percent)
				fmt.Fprintf(env.Stdout, "%s adds %d controls: %s\n", to, len(r.Needed), strings.Join(r.Needed, ", "))
				if len(r.Coverage.Uncovered) > 0 {
					fmt.Fprintf(env.Stdout, "uncovered: %s\n", strings.Join(r.Coverage.Uncovered, ", "))
				}
				if breach != nil {
					fmt.Fprintf(env.Stdout, "The Breach Notification Rule (%s, 45 CFR 164.400-414): %s covers %d of %d requirements; it adds %d controls: %s\n",
						catalog.HIPAABreach, from, breach.Coverage.ToCovered, breach.Coverage.ToTotal, len(breach.Needed), strings.Join(breach.Needed, ", "))
				}
				return nil
			}
			cw, err := cat.Crosswalk(from, to, scope)
			if err != nil {
				return cli.BadInput("%v", err)
			}
			if env.Format == "json" {
				return env.JSON(cw)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\t%s\tVIA\n", strings.ToUpper(from), strings.ToUpper(to))
			for _, p := range cw.Pairs {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", p.From, p.To, strings.Join(p.Via, ", "))
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "\n%s coverage: %d of %d requirements reached\n", to, cw.Coverage.ToCovered, cw.Coverage.ToTotal)
			if from == catalog.SOC2 || to == catalog.SOC2 {
				fmt.Fprintf(env.Stdout, "SOC 2 in scope: %s (%s)\n", strings.Join(scope.Categories(), ", "), scopeFrom)
			}
			if len(cw.Coverage.Uncovered) > 0 {
				fmt.Fprintf(env.Stdout, "uncovered: %s\n", strings.Join(cw.Coverage.Uncovered, ", "))
			}
			return nil
		},
	})
}

func frameworkIDs() string {
	var ids []string
	for _, f := range catalog.Default().Frameworks {
		ids = append(ids, f.ID)
	}
	return strings.Join(ids, ", ")
}

// standardCrosswalk prints HIPAA standards × CSF 2.0 subcategories from
// NIST SP 800-66r2, from ward's controls, or both side by side with the
// agreement and ward's reason wherever the two differ.
func standardCrosswalk(env *cli.Env, cat *catalog.Catalog, source string) error {
	cw, err := cat.StandardCrosswalk(source)
	if err != nil {
		return cli.BadInput("crosswalk --source: %v", err)
	}
	if env.Format == "json" {
		return env.JSON(cw)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	switch source {
	case catalog.SourceBoth:
		fmt.Fprintln(tw, "STANDARD\tCSF\tNIST\tWARD\tVIA / WHY THEY DIFFER")
	case catalog.SourceControls:
		fmt.Fprintln(tw, "STANDARD\tCSF\tVIA")
	default:
		fmt.Fprintln(tw, "STANDARD\tCSF")
	}
	mark := func(b bool) string {
		if b {
			return "yes"
		}
		return "-"
	}
	for _, p := range cw.Pairs {
		via := strings.Join(p.Via, ", ")
		switch source {
		case catalog.SourceBoth:
			note := via
			if p.NIST != p.Ward {
				note = strings.TrimSpace(via + " " + p.Why)
			}
			if p.Gap {
				note = "gap: no ward control claims it for this standard"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Standard, p.CSF, mark(p.NIST), mark(p.Ward), note)
		case catalog.SourceControls:
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Standard, p.CSF, via)
		default:
			fmt.Fprintf(tw, "%s\t%s\n", p.Standard, p.CSF)
		}
	}
	tw.Flush()
	a := cw.Agreement
	fmt.Fprintf(env.Stdout, "\nNIST SP 800-66r2 relates %d pairs, ward's controls %d, both %d: precision %.1f%%, recall %.1f%% (ward's against NIST's)\n", a.NIST, a.Ward, a.Both, a.Precision, a.Recall)
	fmt.Fprintf(env.Stdout, "After the recorded disagreements (%d pairs ward adds, %d NIST pairs it leaves out on purpose, each with why): precision %.1f%%, recall %.1f%%; %d NIST pairs are gaps no ward control claims\n", a.AddsRecorded, a.OmitsRecorded, a.PrecisionAfter, a.RecallAfter, a.Gaps)
	if len(cw.Unreached) > 0 {
		fmt.Fprintf(env.Stdout, "CSF subcategories no HIPAA standard reaches (%s):\n", source)
		for _, u := range cw.Unreached {
			fmt.Fprintf(env.Stdout, "  %s: %s\n", u.CSF, u.Why)
		}
	}
	return nil
}
