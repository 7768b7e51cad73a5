package workforce

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/policy"
	"ward/internal/store"
	"ward/internal/workspace"
)

// The policy and training commands (issue 18): templates, new drafts,
// approval, acknowledgements, completions. Each change is checked with
// apply's rules on the organization as it would be, and written in one
// audited transaction; bad input exits 2 and writes nothing.

func init() {
	cli.Register(&cli.Command{
		Name:    "policy templates",
		Summary: "ward's built-in policy templates, what each answers, and which the organization's frameworks require",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("policy templates takes no arguments")
			}
			return policyTemplates(ctx, env)
		},
	})

	var nf newPolicyFlags
	cli.Register(&cli.Command{
		Name:    "policy new",
		Args:    "TEMPLATE|POLICY [--id ID] [--title T] [--owner EMAIL] [--file TEXT.md]",
		Summary: "a draft from a template (filled from the workspace), a policy of your own (--file), or a new draft version of an existing policy",
		Report:  true,
		Flags:   nf.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy new needs a template id or a policy id (ward policy templates lists the templates)")
			}
			return policyNew(ctx, env, args[0], nf)
		},
	})

	cli.Register(&cli.Command{
		Name:    "policy list",
		Summary: "every policy: status, version in force, approval, review due, acknowledgements, retention date",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			list := policy.List(ws, env.AsOf)
			if env.Format == "json" {
				return env.JSON(map[string]any{"as_of": env.AsOf, "policies": list, "missing": missingJSON(ws, env.AsOf)})
			}
			return writePolicyList(env.Stdout, ws, list, env.AsOf)
		},
	})

	var sf showPolicyFlags
	cli.Register(&cli.Command{
		Name:    "policy show",
		Args:    "POLICY [--text [--version N] [-o FILE.md|FILE.html]]",
		Summary: "one policy: its versions with their retention dates (164.316(b)(2)(i)), approvals, reviews and who acknowledged; --text prints a version's Markdown",
		Report:  true,
		Flags:   sf.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy show needs a policy id")
			}
			return policyShow(ctx, env, args[0], sf)
		},
	})

	var from, to int
	cli.Register(&cli.Command{
		Name:    "policy diff",
		Args:    "POLICY [--from N] [--to M]",
		Summary: "what changed between two versions of a policy (default: the newest and the one before)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&from, "from", 0, "the earlier version (default: the one before --to)")
			fs.IntVar(&to, "to", 0, "the later version (default: the newest)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy diff needs a policy id")
			}
			return policyDiff(ctx, env, args[0], from, to)
		},
	})

	var af approveFlags
	cli.Register(&cli.Command{
		Name:    "policy approve",
		Args:    "POLICY --by PERSON [--version N] [--effective DATE]",
		Summary: "approve a draft version on --as-of (default today), by a person named in the workspace; everyone's acknowledgement falls due again",
		Report:  true,
		Flags:   af.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy approve needs a policy id: ward policy approve sanctions --by EMAIL")
			}
			return policyApprove(ctx, env, args[0], af)
		},
	})

	var rvBy, rvNote string
	cli.Register(&cli.Command{
		Name:    "policy review",
		Args:    "POLICY --by PERSON [--note TEXT]",
		Summary: "record on --as-of a review that keeps the policy's text (164.316(b)(2)(iii)); a changed text is a new version instead",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&rvBy, "by", "", "who reviewed it: a person's e-mail or name")
			fs.StringVar(&rvNote, "note", "", "what the review found")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy review needs a policy id")
			}
			return policyReview(ctx, env, args[0], rvBy, rvNote)
		},
	})

	var kf ackFlags
	cli.Register(&cli.Command{
		Name:    "policy ack",
		Args:    "POLICY --person PERSON [--version N] [--on DATE]",
		Summary: "record that a person acknowledged a policy version (default: the version in force, on --as-of)",
		Report:  true,
		Flags:   kf.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("policy ack needs a policy id: ward policy ack sanctions --person EMAIL")
			}
			return policyAck(ctx, env, args[0], kf)
		},
	})

	var person string
	cli.Register(&cli.Command{
		Name:    "training list",
		Args:    "[--person PERSON]",
		Summary: "every training and where each person stands: done, open, overdue, next due",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&person, "person", "", "only this person (e-mail or name)") },
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("training list takes flags only")
			}
			return trainingList(ctx, env, person)
		},
	})

	var tf trainingFlags
	cli.Register(&cli.Command{
		Name:    "training record",
		Args:    "TRAINING --person PERSON [--completed DATE] [--file CERTIFICATE]",
		Summary: "record a person's completion of a training (default: on --as-of), with its certificate kept as evidence",
		Report:  true,
		Flags:   tf.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("training record needs a training id: ward training record hipaa-awareness --person EMAIL")
			}
			return trainingRecord(ctx, env, args[0], tf)
		},
	})
}

// readText reads a Markdown file for a policy version.
func readText(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cli.BadInput("--file: %v; nothing was written", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, cli.BadInput("--file: %s is empty; nothing was written", path)
	}
	return b, nil
}

// policyText reads a stored version's text from the blob store.
func policyText(b *cli.Backend, v workspace.PolicyVersion) (string, error) {
	if v.SHA256 == "" {
		return "", fmt.Errorf("version %d has no stored text", v.Version)
	}
	r, err := b.Store.Blobs().Open(v.SHA256)
	if err != nil {
		return "", fmt.Errorf("the text of version %d (%s): %w", v.Version, v.SHA256, err)
	}
	defer r.Close()
	raw, err := io.ReadAll(r)
	return string(raw), err
}

func policyTemplates(ctx context.Context, env *cli.Env) error {
	type row struct {
		*policy.Template
		Citation string `json:"citation"`
		Required bool   `json:"required"`
		Policy   string `json:"policy,omitempty"`
	}
	// The templates are ward's; which are required needs an organization.
	ws, err := env.Workspace(ctx)
	var ee *cli.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.Code == cli.ExitBadInput) {
		return err
	}
	required := map[string]bool{}
	answered := map[string]string{}
	if ws != nil {
		for _, t := range policy.Required(ws) {
			required[t.ID] = true
		}
		for _, p := range ws.Policies {
			if p.Template != "" && answered[p.Template] == "" {
				answered[p.Template] = p.ID
			}
		}
	}
	var rows []row
	for _, t := range policy.Templates() {
		rows = append(rows, row{Template: t, Citation: t.Citation(), Required: required[t.ID], Policy: answered[t.ID]})
	}
	if env.Format == "json" {
		return env.JSON(map[string]any{"version": policy.TemplatesVersion, "templates": rows})
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TEMPLATE\tTITLE\tREQUIRED\tPOLICY\tANSWERS\n")
	for _, r := range rows {
		req := "-"
		switch {
		case ws == nil:
			req = "?"
		case r.Required:
			req = "yes"
		}
		pol := r.Policy
		if pol == "" {
			pol = "-"
		}
		ce := ""
		if r.CoveredEntity {
			ce = " (covered entities)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\n", r.ID, r.Title, ce, req, pol, r.Citation)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nTemplates %s, written for ward. ward policy new TEMPLATE writes a draft filled from the workspace.\n", policy.TemplatesVersion)
	return nil
}

type newPolicyFlags struct {
	id, title, owner, file, controls string
}

func (f *newPolicyFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.id, "id", "", "the policy id (default: the template id)")
	fs.StringVar(&f.title, "title", "", "its title (default: the template's)")
	fs.StringVar(&f.owner, "owner", "", "who keeps it current: a person's e-mail or name")
	fs.StringVar(&f.file, "file", "", "a Markdown file with the text (default: the template filled from the workspace)")
	fs.StringVar(&f.controls, "controls", "", "comma-separated controls an approved version is evidence for (default: the template's)")
}

func policyNew(ctx context.Context, env *cli.Env, arg string, f newPolicyFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	d := policy.Draft{ID: f.id}
	existing := ws.Policy(arg)
	switch {
	case existing != nil:
		d.ID, d.Template = existing.ID, existing.Template
	case policy.KnownTemplate(arg):
		d.Template = arg
		if d.ID == "" {
			d.ID = arg
		}
	case f.file != "":
		d.ID = arg
	default:
		return cli.BadInput("policy new: %q is neither a template (ward policy templates) nor a policy of this organization; for a policy of your own, give --file TEXT.md and --title; nothing was written", arg)
	}
	d.Title = f.title
	if d.Owner, err = cli.Person(ws, "--owner", f.owner); err != nil {
		return err
	}
	if f.controls != "" {
		d.Controls = cli.SplitList(f.controls)
	}
	var text []byte
	switch {
	case f.file != "":
		if text, err = readText(f.file); err != nil {
			return err
		}
	case d.Template != "":
		title := d.Title
		reviewMonths := 0
		if existing != nil {
			title, reviewMonths = existing.Title, existing.ReviewMonths
		}
		s, err := policy.TemplateByID(d.Template).Render(ws, title, reviewMonths)
		if err != nil {
			return err
		}
		text = []byte(s)
	default:
		return cli.BadInput("policy new: %s is the organization's own policy: give the new text with --file; nothing was written", arg)
	}
	sha, _, err := b.Store.Blobs().Put(bytes.NewReader(text))
	if err != nil {
		return err
	}
	d.SHA256 = sha
	p, version, created, err := policy.AddDraft(ws, d)
	if err != nil {
		return cli.BadInput("policy new: %v; nothing was written", err)
	}
	next := *ws
	next.Policies = replacePolicy(ws.Policies, p)
	if err := cli.ValidateEdit(env, &next, "policies", policyIndex(next.Policies, p.ID), "policy new", map[string]string{"id": "--id", "title": "--title", "owner": "--owner", "controls": "--controls", "template": "TEMPLATE"}); err != nil {
		return err
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindPolicy, Value: p, Update: !created}); err != nil {
		return err
	}
	v := p.Version(version)
	if env.Format == "json" {
		return env.JSON(map[string]any{"policy": p, "version": version, "created": created, "file": v.File, "sha256": v.SHA256})
	}
	what := "new draft"
	if created {
		what = "new policy " + p.ID + ", draft"
	}
	fmt.Fprintf(env.Stdout, "%s version %d of %s (%s, %d bytes)\n", what, version, p.Title, v.File, len(text))
	fmt.Fprintf(env.Stdout, "read it: ward policy show %s --text --version %d; approve it: ward policy approve %s --by EMAIL\n", p.ID, version, p.ID)
	return nil
}

func replacePolicy(ps []workspace.Policy, p workspace.Policy) []workspace.Policy {
	out := make([]workspace.Policy, 0, len(ps)+1)
	found := false
	for _, x := range ps {
		if x.ID == p.ID {
			x, found = p, true
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, p)
	}
	return out
}

func policyIndex(ps []workspace.Policy, id string) int {
	for i := range ps {
		if ps[i].ID == id {
			return i
		}
	}
	return -1
}

func missingJSON(ws *workspace.Workspace, asOf date.Date) []map[string]string {
	out := []map[string]string{}
	for _, g := range policy.Missing(ws, asOf) {
		out = append(out, map[string]string{"template": g.Template.ID, "title": g.Template.Title, "message": g.Message()})
	}
	return out
}

func writePolicyList(w io.Writer, ws *workspace.Workspace, list []policy.Summary, asOf date.Date) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "POLICY\tSTATUS\tIN FORCE\tAPPROVED\tREVIEW DUE\tACKNOWLEDGED\tRETAIN UNTIL\tDRAFTS\n")
	for _, s := range list {
		inForce, approved, review, acks, retain, drafts := "-", "-", "-", "-", "-", "-"
		if s.Version > 0 {
			inForce = fmt.Sprintf("v%d", s.Version)
			approved = s.ApprovedOn.String() + " " + s.ApprovedBy
			review = s.ReviewDue.String()
			if s.ReviewOverdue {
				review += " OVERDUE"
			}
			acks = fmt.Sprintf("%d/%d", s.Acknowledged, s.Owed)
			if s.Overdue > 0 {
				acks += fmt.Sprintf(" (%d overdue)", s.Overdue)
			}
			retain = s.RetainUntil.String()
		}
		if len(s.Drafts) > 0 {
			var ds []string
			for _, n := range s.Drafts {
				ds = append(ds, fmt.Sprintf("v%d", n))
			}
			drafts = strings.Join(ds, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Status, inForce, approved, review, acks, retain, drafts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range policy.Missing(ws, asOf) {
		fmt.Fprintf(w, "missing: %s\n", g.Message())
	}
	return nil
}

type showPolicyFlags struct {
	text    bool
	version int
	out     string
}

func (f *showPolicyFlags) bind(fs *flag.FlagSet) {
	fs.BoolVar(&f.text, "text", false, "print the text of a version (Markdown)")
	fs.IntVar(&f.version, "version", 0, "with --text: the version (default: the one in force, else the newest)")
	fs.StringVar(&f.out, "o", "", "with --text: write it to FILE.md (Markdown) or FILE.html (rendered, raw HTML left out)")
}

func policyShow(ctx context.Context, env *cli.Env, id string, f showPolicyFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	p := ws.Policy(id)
	if p == nil {
		return cli.BadInput("%q is not a policy of this organization (ward policy list)", id)
	}
	if f.text || f.out != "" {
		v := p.InForce(env.AsOf)
		if f.version != 0 {
			if v = p.Version(f.version); v == nil {
				return cli.BadInput("policy %s has no version %d", id, f.version)
			}
		} else if v == nil && len(p.Versions) > 0 {
			v = &p.Versions[len(p.Versions)-1]
		}
		if v == nil {
			return cli.BadInput("policy %s has no version", id)
		}
		text, err := policyText(b, *v)
		if err != nil {
			return err
		}
		if f.out == "" {
			_, err := io.WriteString(env.Stdout, text)
			return err
		}
		var data []byte
		switch strings.ToLower(filepath.Ext(f.out)) {
		case ".md":
			data = []byte(text)
		case ".html":
			if data, err = policy.HTMLDocument(p.Title+" v"+fmt.Sprint(v.Version), policy.VersionLine(ws.Organization.Name, p, *v), text); err != nil {
				return err
			}
		default:
			return cli.BadInput("-o: a policy's text is .md or .html, not %q", filepath.Ext(f.out))
		}
		if err := os.WriteFile(f.out, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %s (%d bytes)\n", f.out, len(data))
		return nil
	}
	d, _ := policy.Show(ws, id, env.AsOf)
	if env.Format == "json" {
		return env.JSON(d)
	}
	return writePolicyDetail(env.Stdout, ws, d)
}

func writePolicyDetail(w io.Writer, ws *workspace.Workspace, d policy.Detail) error {
	fmt.Fprintf(w, "%s (%s), %s\n", d.Title, d.ID, d.Status)
	if d.Template != "" {
		fmt.Fprintf(w, "template %s: answers %s\n", d.Template, d.Citation)
	}
	if d.Owner != "" {
		fmt.Fprintf(w, "owner %s\n", d.Owner)
	}
	fmt.Fprintf(w, "audience %s; controls %s\n", strings.Join(d.Audience, ", "), orDash(strings.Join(d.Controls, ", ")))
	if d.Version > 0 {
		due := d.ReviewDue.String()
		if d.ReviewOverdue {
			due += " (OVERDUE)"
		}
		fmt.Fprintf(w, "review due %s\n", due)
	}
	fmt.Fprintln(w, "\nversions (each kept six years from creation or from when last in effect, whichever is later: 45 CFR 164.316(b)(2)(i)):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tSTATE\tAPPROVED\tEFFECTIVE\tIN EFFECT UNTIL\tRETAIN UNTIL\tCHANGES\n")
	for _, v := range d.Versions {
		appr, eff, until, ret := "-", "-", "-", "-"
		if v.Approved() {
			appr, eff, ret = v.ApprovedOn.String()+" "+v.ApprovedBy, v.EffectiveOn().String(), v.RetainUntil.String()
			if !v.InEffectUntil.IsZero() {
				until = v.InEffectUntil.String()
			}
		}
		fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Version, v.State, appr, eff, until, ret, orDash(v.Changes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(d.Reviews) > 0 {
		fmt.Fprintln(w, "\nreviews:")
		for _, r := range d.Reviews {
			fmt.Fprintf(w, "  %s by %s%s\n", r.On, r.By, noteSuffix(r.Note))
		}
	}
	if len(d.People) > 0 {
		fmt.Fprintf(w, "\nacknowledgements of v%d: %d of %d", d.Version, d.Acknowledged, d.Owed)
		if d.Overdue > 0 {
			fmt.Fprintf(w, ", %d overdue", d.Overdue)
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range d.People {
			on := "-"
			if !t.On.IsZero() {
				on = t.On.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tdue %s\n", t.Person, t.Status, on, t.Due)
		}
		return tw.Flush()
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return ": " + n
}

func policyDiff(ctx context.Context, env *cli.Env, id string, from, to int) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	p := ws.Policy(id)
	if p == nil {
		return cli.BadInput("%q is not a policy of this organization (ward policy list)", id)
	}
	if to == 0 && len(p.Versions) > 0 {
		to = p.Versions[len(p.Versions)-1].Version
	}
	if from == 0 {
		for _, v := range p.Versions {
			if v.Version < to && v.Version > from {
				from = v.Version
			}
		}
	}
	va, vb := p.Version(from), p.Version(to)
	switch {
	case vb == nil:
		return cli.BadInput("policy %s has no version %d (--to)", id, to)
	case va == nil:
		return cli.BadInput("policy %s has no version %d to compare version %d with (--from)", id, from, to)
	}
	ta, err := policyText(b, *va)
	if err != nil {
		return err
	}
	tb, err := policyText(b, *vb)
	if err != nil {
		return err
	}
	d := policy.Diff(ta, tb)
	if env.Format == "json" {
		return env.JSON(map[string]any{"policy": id, "from": from, "to": to, "changed": policy.Changed(d), "lines": d})
	}
	if !policy.Changed(d) {
		fmt.Fprintf(env.Stdout, "%s v%d and v%d have the same text\n", id, from, to)
		return nil
	}
	_, err = io.WriteString(env.Stdout, policy.UnifiedText(d, fmt.Sprintf("%s v%d", id, from), fmt.Sprintf("%s v%d", id, to)))
	return err
}

type approveFlags struct {
	by, effective string
	version       int
}

func (f *approveFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.by, "by", "", "who approves it: a person's e-mail or name (under people)")
	fs.IntVar(&f.version, "version", 0, "the version to approve (default: the newest draft)")
	fs.StringVar(&f.effective, "effective", "", "the day it takes effect (default: the approval date)")
}

func policyApprove(ctx context.Context, env *cli.Env, id string, f approveFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(f.by) == "" {
		return cli.BadInput("policy approve: --by: who approves the policy is required; nothing was written")
	}
	by, err := cli.Person(ws, "--by", f.by)
	if err != nil {
		return err
	}
	eff, err := cli.ParseDateFlag("--effective", f.effective)
	if err != nil {
		return err
	}
	p, version, err := policy.Approve(ws, id, f.version, by, env.AsOf, eff)
	if err != nil {
		return cli.BadInput("policy approve: %v; nothing was written", err)
	}
	next := *ws
	next.Policies = replacePolicy(ws.Policies, p)
	if err := cli.ValidateEdit(env, &next, "policies", policyIndex(next.Policies, id), "policy approve", map[string]string{"versions": "--version"}); err != nil {
		return err
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindPolicy, Value: p, Update: true}); err != nil {
		return err
	}
	v := p.Version(version)
	if env.Format == "json" {
		return env.JSON(map[string]any{"policy": p, "version": version})
	}
	fmt.Fprintf(env.Stdout, "%s version %d approved by %s on %s, effective %s\n", p.ID, version, v.ApprovedBy, v.ApprovedOn, v.EffectiveOn())
	owed := 0
	for _, t := range policy.AllTasks(&next, v.EffectiveOn()) {
		if t.Kind == policy.KindPolicy && t.ID == id && t.Status != policy.Done {
			owed++
		}
	}
	if owed > 0 {
		due, _ := policy.AckDue(ws, *v, workspace.Person{})
		owe := "owe"
		if owed == 1 {
			owe = "owes"
		}
		fmt.Fprintf(env.Stdout, "%s %s an acknowledgement of version %d, due by %s (new hires: within %d days of their start)\n", count(owed, "person", "people"), owe, version, due, ws.Organization.Workforce.AckDays())
	}
	return nil
}

func policyReview(ctx context.Context, env *cli.Env, id, by, note string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(by) == "" {
		return cli.BadInput("policy review: --by: who reviewed the policy is required; nothing was written")
	}
	email, err := cli.Person(ws, "--by", by)
	if err != nil {
		return err
	}
	p, err := policy.Review(ws, id, email, env.AsOf, note)
	if err != nil {
		return cli.BadInput("policy review: %v; nothing was written", err)
	}
	next := *ws
	next.Policies = replacePolicy(ws.Policies, p)
	if err := cli.ValidateEdit(env, &next, "policies", policyIndex(next.Policies, id), "policy review", map[string]string{"reviews": "--as-of"}); err != nil {
		return err
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindPolicy, Value: p, Update: true}); err != nil {
		return err
	}
	if env.Format == "json" {
		return env.JSON(p)
	}
	fmt.Fprintf(env.Stdout, "%s reviewed by %s on %s; next review due %s\n", id, email, env.AsOf, p.ReviewDue(env.AsOf))
	return nil
}

type ackFlags struct {
	person, on string
	version    int
}

func (f *ackFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.person, "person", "", "who acknowledged: a person's e-mail or name")
	fs.IntVar(&f.version, "version", 0, "the version acknowledged (default: the one in force on the date)")
	fs.StringVar(&f.on, "on", "", "the date (default: --as-of, today)")
}

func policyAck(ctx context.Context, env *cli.Env, id string, f ackFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(f.person) == "" {
		return cli.BadInput("policy ack: --person: who acknowledged is required; nothing was written")
	}
	who, err := cli.Person(ws, "--person", f.person)
	if err != nil {
		return err
	}
	on := env.AsOf
	if f.on != "" {
		if on, err = cli.ParseDateFlag("--on", f.on); err != nil {
			return err
		}
	}
	a, done, err := policy.Acknowledge(ws, who, id, f.version, on, workspace.SourceCLI)
	if err != nil {
		return cli.BadInput("policy ack: %v; nothing was written", err)
	}
	if !done {
		next := *ws
		next.Acknowledgements = append(append([]workspace.Acknowledgement(nil), ws.Acknowledgements...), a)
		if err := cli.ValidateEdit(env, &next, "acknowledgements", len(next.Acknowledgements)-1, "policy ack",
			map[string]string{"person": "--person", "policy": "POLICY", "version": "--version", "on": "--on"}); err != nil {
			return err
		}
		if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindAcknowledgement, Value: a}); err != nil {
			return err
		}
	}
	if env.Format == "json" {
		return env.JSON(map[string]any{"acknowledgement": a, "already_recorded": done})
	}
	if done {
		fmt.Fprintf(env.Stdout, "%s acknowledged %s version %d already, on %s\n", a.Person, a.Policy, a.Version, a.On)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s acknowledged %s version %d on %s\n", a.Person, a.Policy, a.Version, a.On)
	return nil
}

func trainingList(ctx context.Context, env *cli.Env, who string) error {
	ws, err := env.Workspace(ctx)
	if err != nil {
		return err
	}
	email := ""
	if who != "" {
		if email, err = cli.Person(ws, "--person", who); err != nil {
			return err
		}
	}
	type row struct {
		workspace.Training
		HireDays    int           `json:"hire_days"`
		EveryMonths int           `json:"every_months_effective"`
		Done        int           `json:"done"`
		Open        int           `json:"open"`
		Overdue     int           `json:"overdue"`
		People      []policy.Task `json:"people"`
	}
	var rows []row
	tasks := policy.AllTasks(ws, env.AsOf)
	for _, t := range ws.Trainings {
		r := row{Training: t, HireDays: t.HireDays(), EveryMonths: t.Recurrence(), People: []policy.Task{}}
		for _, k := range tasks {
			if k.Kind != policy.KindTraining || k.ID != t.ID || (email != "" && k.Person != email) {
				continue
			}
			r.People = append(r.People, k)
			switch k.Status {
			case policy.Done:
				r.Done++
			case policy.Open:
				r.Open++
			case policy.Overdue:
				r.Overdue++
			}
		}
		rows = append(rows, r)
	}
	if env.Format == "json" {
		if rows == nil {
			rows = []row{}
		}
		return env.JSON(map[string]any{"as_of": env.AsOf, "trainings": rows, "reminders": len(ws.SecurityReminders)})
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		every := fmt.Sprintf("every %d months", r.EveryMonths)
		if r.EveryMonths == 0 {
			every = "once"
		}
		aud := "everyone"
		if !r.Audience.Everyone() {
			aud = strings.Join(r.Audience, ", ")
		}
		fmt.Fprintf(env.Stdout, "%s (%s): %s; within %d days of hire, then %s; %d done, %d open, %d overdue\n", r.Title, r.ID, aud, r.HireDays, every, r.Done, r.Open, r.Overdue)
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		for _, k := range r.People {
			last := "never"
			if !k.On.IsZero() {
				last = k.On.String()
			}
			due := k.Due.String()
			if k.Due.IsZero() {
				due = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\tlast %s\tdue %s\n", k.Person, k.Status, last, due)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "no trainings: add them under trainings: in the workspace")
	}
	return nil
}

type trainingFlags struct {
	person, completed, file string
}

func (f *trainingFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.person, "person", "", "who completed it: a person's e-mail or name")
	fs.StringVar(&f.completed, "completed", "", "the date (default: --as-of, today)")
	fs.StringVar(&f.file, "file", "", "the certificate, kept (SHA-256) as evidence")
}

func trainingRecord(ctx context.Context, env *cli.Env, id string, f trainingFlags) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	if ws.Training(id) == nil {
		return cli.BadInput("training record: %q is not a training of this organization (ward training list); nothing was written", id)
	}
	if strings.TrimSpace(f.person) == "" {
		return cli.BadInput("training record: --person: who completed it is required; nothing was written")
	}
	who, err := cli.Person(ws, "--person", f.person)
	if err != nil {
		return err
	}
	r := workspace.TrainingRecord{Person: who, Training: id, Completed: env.AsOf, Source: workspace.SourceCLI}
	if f.completed != "" {
		if r.Completed, err = cli.ParseDateFlag("--completed", f.completed); err != nil {
			return err
		}
	}
	for _, x := range ws.TrainingRecords {
		if x.Key() == r.Key() {
			if env.Format == "json" {
				return env.JSON(map[string]any{"training_record": x, "already_recorded": true})
			}
			fmt.Fprintf(env.Stdout, "%s completed %s on %s: recorded already\n", who, id, r.Completed)
			return nil
		}
	}
	next := *ws
	next.TrainingRecords = append(append([]workspace.TrainingRecord(nil), ws.TrainingRecords...), r)
	if err := cli.ValidateEdit(env, &next, "training_records", len(next.TrainingRecords)-1, "training record",
		map[string]string{"person": "--person", "training": "TRAINING", "completed": "--completed"}); err != nil {
		return err
	}
	if f.file != "" {
		fh, err := os.Open(f.file)
		if err != nil {
			return cli.BadInput("--file: %v; nothing was written", err)
		}
		defer fh.Close()
		sha, _, err := b.Store.Blobs().Put(fh)
		if err != nil {
			return err
		}
		r.SHA256 = sha
		r.File = fmt.Sprintf("training/%s-%s-%s%s", strings.ReplaceAll(who, "@", "-at-"), id, r.Completed, strings.ToLower(filepath.Ext(f.file)))
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindTrainingRecord, Value: r}); err != nil {
		return err
	}
	if env.Format == "json" {
		return env.JSON(map[string]any{"training_record": r, "already_recorded": false})
	}
	fmt.Fprintf(env.Stdout, "%s completed %s on %s", who, id, r.Completed)
	if r.File != "" {
		fmt.Fprintf(env.Stdout, " (certificate %s, sha256 %s)", r.File, r.SHA256[:12])
	}
	fmt.Fprintln(env.Stdout)
	return nil
}
