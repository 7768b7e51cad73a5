package risks

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/workspace"
)

// The risk commands that change the register: add, accept, a new
// analysis. Each validates everything first and writes through the store
// in one transaction (audited), so bad input exits 2 with nothing written.

func init() {
	var f riskFlags
	cli.Register(&cli.Command{
		Name:    "risk add",
		Args:    "--asset SYSTEM --threat T --vulnerability V --likelihood N --impact N [flags]",
		Summary: "add a risk to the latest (or a named) analysis; prints its id and inherent/residual level",
		Report:  true,
		Flags:   f.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("risk add takes flags only, not %q (see 'ward risk add -h')", args[0])
			}
			return riskAdd(ctx, env, &f)
		},
	})

	cli.Register(&cli.Command{
		Name:    "risk show",
		Args:    "ID",
		Summary: "one risk: scores, matrix cell, controls, treatment, acceptance and its history",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("risk show needs one risk id")
			}
			return riskShow(ctx, env, args[0])
		},
	})

	var by, reason string
	cli.Register(&cli.Command{
		Name:    "risk accept",
		Args:    "ID --by PERSON --reason TEXT",
		Summary: "record that management accepts a risk: who (a person's email or name), why, and the date (--as-of)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&by, "by", "", "who accepts the risk: the email or name of someone under people")
			fs.StringVar(&reason, "reason", "", "why keeping the risk is reasonable and appropriate")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("risk accept needs one risk id, --by and --reason")
			}
			return riskAccept(ctx, env, args[0], by, reason)
		},
	})

	var na newAnalysis
	cli.Register(&cli.Command{
		Name:    "risk analysis new",
		Args:    "[--id ID] [--from ID] [--performed DATE]",
		Summary: "start a new dated risk analysis from the previous one's open risks (the yearly review is a diff)",
		Report:  true,
		Flags:   na.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("risk analysis new takes flags only, not %q", args[0])
			}
			return na.run(ctx, env)
		},
	})

	var approver string
	cli.Register(&cli.Command{
		Name:    "risk analysis approve",
		Args:    "ID --by PERSON",
		Summary: "record who approved a risk analysis once it has been reviewed (the approval is on the audit trail with its time)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&approver, "by", "", "who approves it (a person's email or name)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("risk analysis approve needs the analysis id: ward risk analysis approve ra-2026 --by EMAIL")
			}
			return approveAnalysis(ctx, env, args[0], approver)
		},
	})

	var from, to string
	cli.Register(&cli.Command{
		Name:    "risk diff",
		Args:    "[--from ID] [--to ID]",
		Summary: "what changed between two analyses: risks added, removed, and whose level moved",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&from, "from", "", "the earlier analysis (default: the later one's previous)")
			fs.StringVar(&to, "to", "", "the later analysis (default: the latest)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			return riskDiff(ctx, env, from, to)
		},
	})
}

// riskFlags are the fields of `ward risk add`.
type riskFlags struct {
	id, analysis, asset, threat, vulnerability string
	likelihood, impact, resL, resI             int
	controls, treatment, owner, due, completed string
	acceptedBy, reason, notes                  string
}

func (f *riskFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.id, "id", "", "risk id (default: r-ASSET-THREAT)")
	fs.StringVar(&f.analysis, "analysis", "", "analysis id (default: the latest)")
	fs.StringVar(&f.asset, "asset", "", "the system at risk (a system id)")
	fs.StringVar(&f.threat, "threat", "", "a threat library id (see 'ward risk threats') or your own text")
	fs.StringVar(&f.vulnerability, "vulnerability", "", "a vulnerability library id (see 'ward risk vulnerabilities') or your own text")
	fs.IntVar(&f.likelihood, "likelihood", 0, "likelihood 1..5")
	fs.IntVar(&f.impact, "impact", 0, "impact 1..5")
	fs.IntVar(&f.resL, "residual-likelihood", 0, "likelihood after treatment 1..5 (default: as inherent)")
	fs.IntVar(&f.resI, "residual-impact", 0, "impact after treatment 1..5 (default: as inherent)")
	fs.StringVar(&f.controls, "controls", "", "comma-separated control ids in place that reduce the risk")
	fs.StringVar(&f.treatment, "treatment", "mitigate", "mitigate, accept, transfer or avoid")
	fs.StringVar(&f.owner, "owner", "", "who owns the treatment: a person's email or name")
	fs.StringVar(&f.due, "due", "", "treatment due date YYYY-MM-DD (required to mitigate)")
	fs.StringVar(&f.completed, "completed", "", "date the treatment was carried out")
	fs.StringVar(&f.acceptedBy, "accepted-by", "", "with --treatment accept: who accepted it")
	fs.StringVar(&f.reason, "reason", "", "with --treatment accept: why")
	fs.StringVar(&f.notes, "notes", "", "free text")
}

// flagName turns a workspace field into the flag that sets it.
func flagName(field string) string {
	if i := strings.Index(field, "["); i >= 0 {
		field = field[:i]
	}
	switch field {
	case "acceptance_reason":
		return "--reason"
	}
	return "--" + strings.ReplaceAll(field, "_", "-")
}

// problemsError is the exit-2 error listing every problem of a risk.
func problemsError(cmd string, errs []error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the risk is not valid; nothing was written:", cmd)
	for _, err := range errs {
		var p risk.Problem
		if errors.As(err, &p) {
			fmt.Fprintf(&b, "\n  %s (%s): %s", flagName(p.Field), p.Field, p.Message)
		} else {
			fmt.Fprintf(&b, "\n  %v", err)
		}
	}
	return cli.BadInput("%s", b.String())
}

func catalogControl(id string) bool { return catalog.Default().Control(id) != nil }

func riskAdd(ctx context.Context, env *cli.Env, f *riskFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := workspace.Risk{
		ID: f.id, Analysis: f.analysis, Asset: f.asset, Threat: strings.TrimSpace(f.threat), Vulnerability: strings.TrimSpace(f.vulnerability),
		Likelihood: f.likelihood, Impact: f.impact, ResidualLikelihood: f.resL, ResidualImpact: f.resI,
		Controls: cli.SplitList(f.controls), Treatment: f.treatment, AcceptanceReason: f.reason, Notes: f.notes,
	}
	if r.Analysis == "" {
		a := risk.Latest(ws, env.AsOf)
		if a == nil {
			return cli.BadInput("risk add: no risk analysis performed on or before %s to add to: start one with 'ward risk analysis new'; nothing was written", env.AsOf)
		}
		r.Analysis = a.ID
	}
	if r.ID == "" && r.Asset != "" {
		r.ID = risk.NewID(ws, r.Asset, r.Threat)
	}
	if r.Owner, err = cli.Person(ws, "--owner", f.owner); err != nil {
		return err
	}
	if r.AcceptedBy, err = cli.Person(ws, "--accepted-by", f.acceptedBy); err != nil {
		return err
	}
	if r.Due, err = cli.ParseDateFlag("--due", f.due); err != nil {
		return err
	}
	if r.Completed, err = cli.ParseDateFlag("--completed", f.completed); err != nil {
		return err
	}
	if r.Treatment == "accept" {
		r.AcceptedOn = env.AsOf
	}
	if errs := risk.ValidateIn(ws, r, true, catalogControl); len(errs) > 0 {
		return problemsError("risk add", errs)
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindRisk, Value: r}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return cli.BadInput("risk add: --id: %v; nothing was written", err)
		}
		return err
	}
	m, err := risk.MatrixFor(ws)
	if err != nil {
		return err
	}
	sc := risk.Score(r, m, risk.LibraryFor(ws))
	if env.Format == "json" {
		return env.JSON(sc)
	}
	fmt.Fprintf(env.Stdout, "added %s to %s: inherent %s (%d×%d), residual %s (%d×%d)\n", r.ID, r.Analysis,
		sc.Inherent, r.Likelihood, r.Impact, sc.Residual, sc.ResidualLikelihood, sc.ResidualImpact)
	return nil
}

// RiskDetail is `ward risk show --format json`.
type RiskDetail struct {
	risk.Scored
	Controls          []ControlRef         `json:"controls"`
	SuggestedControls []ControlRef         `json:"suggested_controls"`
	Overdue           bool                 `json:"overdue"`
	History           []store.HistoryEntry `json:"history"`
}

// ControlRef is a control id with its title.
type ControlRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func controlRefs(ids []string) []ControlRef {
	out := []ControlRef{}
	for _, id := range ids {
		out = append(out, ControlRef{ID: id, Title: cli.ControlTitle(id)})
	}
	return out
}

func riskShow(ctx context.Context, env *cli.Env, id string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := risk.Find(ws, id)
	if r == nil {
		return cli.BadInput("no risk %q (see 'ward risk list')", id)
	}
	m, err := risk.MatrixFor(ws)
	if err != nil {
		return cli.BadInput("%v", err)
	}
	hist, err := b.Data.History(ctx, store.KindRisk, id)
	if err != nil {
		return err
	}
	lib := risk.LibraryFor(ws)
	d := RiskDetail{Scored: risk.Score(*r, m, lib), Controls: controlRefs(r.Controls),
		SuggestedControls: controlRefs(lib.SuggestedControls(r.Threat, r.Vulnerability)), Overdue: risk.Overdue(*r, env.AsOf), History: hist}
	if env.Format == "json" {
		return env.JSON(d)
	}
	return writeRiskDetail(env.Stdout, d)
}

func writeRiskDetail(w io.Writer, d RiskDetail) error {
	r := d.Risk
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("risk", r.ID)
	row("analysis", r.Analysis)
	row("asset", r.Asset)
	row("threat", d.ThreatTitle+idNote(r.Threat, d.ThreatTitle))
	row("vulnerability", d.VulnerabilityTitle+idNote(r.Vulnerability, d.VulnerabilityTitle))
	row("inherent", fmt.Sprintf("%s (likelihood %d × impact %d = %d)", d.Inherent, r.Likelihood, r.Impact, d.InherentScore))
	res := fmt.Sprintf("%s (likelihood %d × impact %d = %d)", d.Residual, d.ResidualLikelihood, d.ResidualImpact, d.ResidualScore)
	if d.ResidualAssumed {
		res += ", as inherent: no residual recorded"
	}
	row("residual", res)
	var cs []string
	for _, c := range d.Controls {
		cs = append(cs, c.ID+" ("+c.Title+")")
	}
	row("controls", strings.Join(cs, "; "))
	var sug []string
	for _, c := range d.SuggestedControls {
		sug = append(sug, c.ID)
	}
	row("suggested", strings.Join(sug, ", "))
	row("treatment", r.Treatment)
	row("owner", r.Owner)
	if !r.Due.IsZero() {
		due := r.Due.String()
		if d.Overdue {
			due += " OVERDUE"
		}
		row("due", due)
	}
	if !r.Completed.IsZero() {
		row("completed", r.Completed.String())
	}
	if r.AcceptedBy != "" {
		row("accepted", fmt.Sprintf("by %s on %s: %s", r.AcceptedBy, r.AcceptedOn, r.AcceptanceReason))
	}
	row("notes", r.Notes)
	for i, h := range d.History {
		k := ""
		if i == 0 {
			k = "history"
		}
		line := fmt.Sprintf("%s %s by %s", h.At.UTC().Format("2006-01-02 15:04 UTC"), h.Action, h.Actor)
		if len(h.Fields) > 0 {
			line += " (" + strings.Join(h.Fields, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, line)
	}
	return tw.Flush()
}

func idNote(id, title string) string {
	if id != title {
		return " [" + id + "]"
	}
	return ""
}

func riskAccept(ctx context.Context, env *cli.Env, id, by, reason string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := risk.Find(ws, id)
	if r == nil {
		return cli.BadInput("no risk %q (see 'ward risk list'); nothing was written", id)
	}
	if strings.TrimSpace(by) == "" {
		return cli.BadInput("risk accept: --by: who accepts the risk is required; nothing was written")
	}
	if strings.TrimSpace(reason) == "" {
		return cli.BadInput("risk accept: --reason: why the risk is kept is required (164.316(b)(1): document the decision); nothing was written")
	}
	email, err := cli.Person(ws, "--by", by)
	if err != nil {
		return err
	}
	acc, err := risk.Accept(*r, email, strings.TrimSpace(reason), env.AsOf)
	if err != nil {
		return cli.BadInput("%v; nothing was written", err)
	}
	if errs := risk.ValidateIn(ws, acc, false, catalogControl); len(errs) > 0 {
		return problemsError("risk accept", errs)
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindRisk, Value: acc, Update: true}); err != nil {
		return err
	}
	if env.Format == "json" {
		return env.JSON(acc)
	}
	fmt.Fprintf(env.Stdout, "accepted %s: by %s on %s\n", acc.ID, acc.AcceptedBy, acc.AcceptedOn)
	return nil
}

// approveAnalysis records the approver of analysis id. An analysis already
// approved by someone else keeps that approval: a second sign-off is a
// new analysis, or an edit of the workspace files that the audit trail
// shows.
func approveAnalysis(ctx context.Context, env *cli.Env, id, by string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	ra := ws.RiskAnalysis(id)
	if ra == nil {
		return cli.BadInput("risk analysis approve: %q is not a risk analysis id (the workspace's risk_analyses); nothing was written", id)
	}
	if strings.TrimSpace(by) == "" {
		return cli.BadInput("risk analysis approve: --by: who approves the analysis is required; nothing was written")
	}
	email, err := cli.Person(ws, "--by", by)
	if err != nil {
		return err
	}
	if ra.ApprovedBy != "" && ra.ApprovedBy != email {
		return cli.BadInput("risk analysis approve: %s is already approved by %s; nothing was written", id, ra.ApprovedBy)
	}
	if ra.ApprovedBy != email {
		a := *ra
		a.ApprovedBy = email
		if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindRiskAnalysis, Value: a, Update: true}); err != nil {
			return err
		}
		ra = &a
	}
	if env.Format == "json" {
		return env.JSON(ra)
	}
	fmt.Fprintf(env.Stdout, "%s (performed %s) approved by %s\n", ra.ID, ra.Performed, ra.ApprovedBy)
	return nil
}

type newAnalysis struct {
	id, from, performed, performedBy, approvedBy, scope, methodology string
}

func (n *newAnalysis) bind(fs *flag.FlagSet) {
	fs.StringVar(&n.id, "id", "", "the new analysis id (default: ra-YEAR, or ra-DATE when taken)")
	fs.StringVar(&n.from, "from", "", "the analysis to start from (default: the latest before --performed)")
	fs.StringVar(&n.performed, "performed", "", "date performed (default: --as-of, today)")
	fs.StringVar(&n.performedBy, "performed-by", "", "who performed it (a person's email or name)")
	fs.StringVar(&n.approvedBy, "approved-by", "", "who approved it (a person's email or name)")
	fs.StringVar(&n.scope, "scope", "every system that holds or carries PHI", "scope")
	fs.StringVar(&n.methodology, "methodology", "NIST SP 800-30 Rev. 1", "methodology")
}

func (n *newAnalysis) run(ctx context.Context, env *cli.Env) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	performed := env.AsOf
	if n.performed != "" {
		if performed, err = cli.ParseDateFlag("--performed", n.performed); err != nil {
			return err
		}
	}
	ra := workspace.RiskAnalysis{ID: n.id, Performed: performed, Scope: n.scope, Methodology: n.methodology}
	if ra.PerformedBy, err = cli.Person(ws, "--performed-by", n.performedBy); err != nil {
		return err
	}
	if ra.ApprovedBy, err = cli.Person(ws, "--approved-by", n.approvedBy); err != nil {
		return err
	}
	var prev *workspace.RiskAnalysis
	if n.from != "" {
		if prev = ws.RiskAnalysis(n.from); prev == nil {
			return cli.BadInput("risk analysis new: --from: %q is not a risk analysis id; nothing was written", n.from)
		}
	} else {
		prev = risk.Latest(ws, performed)
	}
	if prev != nil {
		if !prev.Performed.Before(performed) {
			return cli.BadInput("risk analysis new: --performed: %s is not after %s (performed %s); nothing was written", performed, prev.ID, prev.Performed)
		}
		ra.Previous = prev.ID
	}
	if ra.ID == "" {
		ra.ID = fmt.Sprintf("ra-%d", performed.Year())
		if ws.RiskAnalysis(ra.ID) != nil {
			ra.ID = "ra-" + performed.String()
		}
	}
	if ws.RiskAnalysis(ra.ID) != nil {
		return cli.BadInput("risk analysis new: --id: %q is already a risk analysis; nothing was written", ra.ID)
	}
	edits := []store.Edit{{Kind: store.KindRiskAnalysis, Value: ra}}
	var carried []workspace.Risk
	if prev != nil {
		carried = risk.CarryOver(ws, prev.ID, ra.ID, performed)
		// Risks written without an analysis belong to the only analysis
		// there was; name it, or they would belong to none once there are
		// two.
		for _, r := range risk.RisksOf(ws, prev.ID) {
			if r.Analysis == "" {
				r.Analysis = prev.ID
				edits = append(edits, store.Edit{Kind: store.KindRisk, Value: r, Update: true})
			}
		}
		for _, r := range carried {
			if risk.Find(ws, r.ID) != nil {
				return cli.BadInput("risk analysis new: the carried-over id %s is taken; choose another --id; nothing was written", r.ID)
			}
			edits = append(edits, store.Edit{Kind: store.KindRisk, Value: r})
		}
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), edits...); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return cli.BadInput("risk analysis new: %v; nothing was written", err)
		}
		return err
	}
	if env.Format == "json" {
		ids := []string{}
		for _, r := range carried {
			ids = append(ids, r.ID)
		}
		return env.JSON(map[string]any{"analysis": ra, "carried": ids})
	}
	if prev == nil {
		fmt.Fprintf(env.Stdout, "started %s (performed %s), with no earlier analysis to carry over: add risks with 'ward risk add' or 'ward risk questionnaire'\n", ra.ID, ra.Performed)
		return nil
	}
	fmt.Fprintf(env.Stdout, "started %s (performed %s) from %s: %d risks carried over; review each, then 'ward risk diff'\n", ra.ID, ra.Performed, prev.ID, len(carried))
	return nil
}

func riskDiff(ctx context.Context, env *cli.Env, from, to string) error {
	ws, err := env.Workspace(ctx)
	if err != nil {
		return err
	}
	var cur *workspace.RiskAnalysis
	if to == "" {
		if cur = risk.Latest(ws, env.AsOf); cur == nil {
			return cli.BadInput("no risk analysis performed on or before %s", env.AsOf)
		}
	} else if cur = ws.RiskAnalysis(to); cur == nil {
		return cli.BadInput("--to: %q is not a risk analysis id", to)
	}
	if from == "" {
		from = cur.Previous
	}
	if from == "" {
		return cli.BadInput("%s names no previous analysis: give --from", cur.ID)
	}
	a, err := cli.Analyze(ctx, env, from)
	if err != nil {
		return err
	}
	c, err := cli.Analyze(ctx, env, cur.ID)
	if err != nil {
		return err
	}
	d := risk.Diff(a, c)
	if env.Format == "json" {
		return env.JSON(map[string]any{"from": from, "to": cur.ID, "changes": d})
	}
	fmt.Fprintf(env.Stdout, "%s → %s: %d added, %d removed, %d changed, %d unchanged\n", from, cur.ID, len(d.Added), len(d.Removed), len(d.Changed), d.Unchanged)
	for _, s := range d.Added {
		fmt.Fprintf(env.Stdout, "  + %s  %s (%s on %s)\n", s.Risk.ID, s.Residual, s.ThreatTitle, s.Risk.Asset)
	}
	for _, s := range d.Removed {
		fmt.Fprintf(env.Stdout, "  - %s  %s (%s on %s)\n", s.Risk.ID, s.Residual, s.ThreatTitle, s.Risk.Asset)
	}
	for _, ch := range d.Changed {
		fmt.Fprintf(env.Stdout, "  ~ %s  inherent %s → %s, residual %s → %s\n", ch.CurrentID, ch.FromInherent, ch.ToInherent, ch.FromResidual, ch.ToResidual)
	}
	return nil
}
