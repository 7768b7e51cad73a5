package risks

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"ward/internal/cli"
	"ward/internal/phimap"
	"ward/internal/risk"
	"ward/internal/store"
	"ward/internal/workspace"
)

// proposalDueDays is the default due date of proposed treatments: a
// quarter, so that the risk-management plan (164.308(a)(1)(ii)(B)) has a
// date to track from the start; --due sets another.
const proposalDueDays = 90

func init() {
	var q questionnaireFlags
	cli.Register(&cli.Command{
		Name:    "risk questionnaire",
		Args:    "[--asset SYSTEM] [--dry-run] [--yes]",
		Summary: "guided risk analysis: yes / no / don't know questions by Security Rule section; proposes risks and adds them on confirmation",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&q.asset, "asset", "", "the system the proposed risks are about (default: the only PHI system)")
			fs.StringVar(&q.analysis, "analysis", "", "the analysis to add them to (default: the latest)")
			fs.StringVar(&q.owner, "owner", "", "owner of the proposed treatments (default: the security officer)")
			fs.StringVar(&q.due, "due", "", fmt.Sprintf("due date of the proposed treatments (default: %d days after --as-of)", proposalDueDays))
			fs.BoolVar(&q.dryRun, "dry-run", false, "show the proposed risks and write nothing")
			fs.BoolVar(&q.yes, "yes", false, "add the proposed risks without asking for confirmation")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("risk questionnaire takes flags only, not %q", args[0])
			}
			return q.run(ctx, env)
		},
	})
}

type questionnaireFlags struct {
	asset, analysis, owner, due string
	dryRun, yes                 bool
}

// QuestionnaireResult is `ward risk questionnaire --format json`.
type QuestionnaireResult struct {
	Analysis  string                 `json:"analysis"`
	Asset     string                 `json:"asset"`
	Answers   map[string]risk.Answer `json:"answers"`
	Proposals []risk.Proposal        `json:"proposals"`
	// Created are the ids written; empty on --dry-run or when declined.
	Created []string `json:"created"`
}

// defaultAsset is the only system that holds or carries PHI, when there
// is exactly one (a small practice's EHR); else the caller must choose.
func defaultAsset(ws *workspace.Workspace) (string, error) {
	phi := phimap.Build(ws).PHISystems()
	if len(phi) == 1 {
		return phi[0], nil
	}
	if len(phi) == 0 {
		return "", cli.BadInput("--asset: no system holds PHI yet; name the system the risks are about")
	}
	return "", cli.BadInput("--asset: choose the system the risks are about, one of %s", strings.Join(phi, ", "))
}

func (q *questionnaireFlags) run(ctx context.Context, env *cli.Env) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	opt := risk.ProposalOptions{Asset: q.asset, Analysis: q.analysis, Due: env.AsOf.AddDays(proposalDueDays)}
	if opt.Asset == "" {
		if opt.Asset, err = defaultAsset(ws); err != nil {
			return err
		}
	} else if ws.System(opt.Asset) == nil {
		return cli.BadInput("--asset: %q is not a system id in the inventory", opt.Asset)
	}
	if opt.Analysis == "" {
		a := risk.Latest(ws, env.AsOf)
		if a == nil {
			return cli.BadInput("no risk analysis performed on or before %s to add to: start one with 'ward risk analysis new'", env.AsOf)
		}
		opt.Analysis = a.ID
	} else if ws.RiskAnalysis(opt.Analysis) == nil {
		return cli.BadInput("--analysis: %q is not a risk analysis id", opt.Analysis)
	}
	if opt.Owner, err = cli.Person(ws, "--owner", q.owner); err != nil {
		return err
	}
	if opt.Owner == "" && ws.Person(ws.Organization.Officers.Security) != nil {
		opt.Owner = ws.Organization.Officers.Security
	}
	if q.due != "" {
		if opt.Due, err = cli.ParseDateFlag("--due", q.due); err != nil {
			return err
		}
	}

	// Questions and prompts go to stdout for a person, to stderr when
	// stdout carries JSON.
	out := env.Stdout
	if env.Format == "json" {
		out = env.Stderr
	}
	in := bufio.NewScanner(env.Stdin)
	answers, err := ask(in, out)
	if err != nil {
		return err
	}
	res := QuestionnaireResult{Analysis: opt.Analysis, Asset: opt.Asset, Answers: answers, Proposals: risk.Propose(ws, answers, opt), Created: []string{}}
	if res.Proposals == nil {
		res.Proposals = []risk.Proposal{}
	}
	var edits []store.Edit
	for _, p := range res.Proposals {
		if p.Existing != "" {
			continue
		}
		if errs := risk.ValidateIn(ws, p.Risk, true, catalogControl); len(errs) > 0 {
			return problemsError("risk questionnaire", errs)
		}
		edits = append(edits, store.Edit{Kind: store.KindRisk, Value: p.Risk})
	}
	writeProposals(out, res, opt)
	write := len(edits) > 0 && !q.dryRun
	if write && !q.yes {
		write, err = confirm(in, out, fmt.Sprintf("Add these %d risks to %s?", len(edits), opt.Analysis))
		if err != nil {
			return err
		}
	}
	if write {
		if _, err := b.Data.Save(ctx, cli.Actor(), edits...); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return cli.BadInput("risk questionnaire: %v; nothing was written", err)
			}
			return err
		}
		for _, e := range edits {
			res.Created = append(res.Created, e.Value.(workspace.Risk).ID)
		}
	}
	switch {
	case len(edits) == 0:
		fmt.Fprintln(out, "Nothing to add.")
	case q.dryRun:
		fmt.Fprintln(out, "--dry-run: nothing was written.")
	case !write:
		fmt.Fprintln(out, "Nothing was written.")
	default:
		fmt.Fprintf(out, "Added %d risks to %s: %s\n", len(res.Created), opt.Analysis, strings.Join(res.Created, ", "))
	}
	if env.Format == "json" {
		return env.JSON(res)
	}
	return nil
}

// ask goes through the questionnaire section by section. Each question
// shows its Security Rule citation; an unclear answer is asked again; the
// end of the input before the last question is bad input (nothing is
// written).
func ask(in *bufio.Scanner, out io.Writer) (map[string]risk.Answer, error) {
	qs := risk.Questionnaire()
	answers := map[string]risk.Answer{}
	section := ""
	fmt.Fprintf(out, "Security Rule risk questionnaire: %d questions in %d sections. Answer y (yes), n (no) or d (don't know).\n", len(qs), len(risk.Sections))
	for i, q := range qs {
		if q.Section != section {
			section = q.Section
			fmt.Fprintf(out, "\n== %s ==\n", section)
		}
		for {
			fmt.Fprintf(out, "%d/%d. %s\n   (45 CFR %s) [y/n/d] ", i+1, len(qs), q.Text, q.Citation)
			if !in.Scan() {
				fmt.Fprintln(out)
				return nil, cli.BadInput("no answer to question %d (%s); nothing was written", i+1, q.ID)
			}
			if a, ok := risk.ParseAnswer(in.Text()); ok {
				answers[q.ID] = a
				break
			}
			fmt.Fprintf(out, "   %q is not an answer: type y for yes, n for no, or d for don't know\n", strings.TrimSpace(in.Text()))
		}
	}
	return answers, nil
}

func confirm(in *bufio.Scanner, out io.Writer, question string) (bool, error) {
	for {
		fmt.Fprintf(out, "\n%s [y/n] ", question)
		if !in.Scan() {
			fmt.Fprintln(out)
			return false, cli.BadInput("no answer to %q; nothing was written", question)
		}
		switch strings.ToLower(strings.TrimSpace(in.Text())) {
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		fmt.Fprintln(out, "   please answer y or n")
	}
}

func writeProposals(w io.Writer, res QuestionnaireResult, opt risk.ProposalOptions) {
	if len(res.Proposals) == 0 {
		fmt.Fprintf(w, "\nEvery answer was yes: no risk to propose for %s.\n", res.Asset)
		return
	}
	fmt.Fprintf(w, "\nProposed risks for %s in %s (treatment mitigate, owner %s, due %s):\n", res.Asset, res.Analysis, orNone(opt.Owner), opt.Due)
	for _, p := range res.Proposals {
		r := p.Risk
		fmt.Fprintf(w, "  %s  %s %d×%d  %s × %s  [%s]", r.ID, p.Inherent, r.Likelihood, r.Impact,
			risk.ThreatTitle(r.Threat), risk.VulnerabilityTitle(r.Vulnerability), strings.Join(p.Citations, ", "))
		if p.Existing != "" {
			fmt.Fprintf(w, "  (already in the register as %s)", p.Existing)
		}
		fmt.Fprintln(w)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
