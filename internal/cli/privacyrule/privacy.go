package privacyrule

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/privacy"
	"ward/internal/store"
	"ward/internal/workspace"
)

// `ward privacy`: the Privacy Rule clocks of a covered entity. Requests
// (access, amendment, accounting of disclosures) are logged, extended and
// closed; complaints logged and closed; notice versions recorded. Every
// write is checked with the rules `ward apply` applies to the files and
// goes through the store in one audited transaction: bad input exits 2
// naming the flag, and nothing is written.

func init() {
	cli.Register(&cli.Command{
		Name:    "privacy list",
		Summary: "the Privacy Rule request log: each access, amendment and accounting request with its deadline and where its clock stands",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy list takes no arguments (got %q)", strings.Join(args, " "))
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			l := privacy.Evaluate(ws, env.AsOf)
			if env.Format == "json" {
				return env.JSON(l)
			}
			return writeRequestLog(env.Stdout, ws, l)
		},
	})

	cli.Register(&cli.Command{
		Name:    "privacy show",
		Args:    "ID",
		Summary: "one Privacy Rule request: its clock, timeline, outcome and history",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("privacy show needs one request id (see 'ward privacy list')")
			}
			return privacyShow(ctx, env, args[0])
		},
	})

	var add requestFlags
	cli.Register(&cli.Command{
		Name:    "privacy add",
		Args:    "--kind access|amendment|accounting [--received DATE] [flags]",
		Summary: "log an individual's Privacy Rule request; prints its id and deadline",
		Report:  true,
		Flags:   add.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy add takes flags only, not %q (see 'ward privacy add -h')", args[0])
			}
			return add.run(ctx, env)
		},
	})

	var ext struct{ notified, reason, until string }
	cli.Register(&cli.Command{
		Name:    "privacy extend",
		Args:    "ID --reason TEXT [--notified DATE] [--until DATE]",
		Summary: "record the one extension of a request's time limit, given in writing within it (refused after the time limit)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&ext.reason, "reason", "", "the reasons for the delay the written statement gave")
			fs.StringVar(&ext.notified, "notified", "", "the date the written statement was given (default --as-of, today)")
			fs.StringVar(&ext.until, "until", "", "the date the statement promised (default: 30 days past the original deadline, the most allowed)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("privacy extend needs one request id: ward privacy extend par-2027-001 --reason TEXT")
			}
			return privacyExtend(ctx, env, args[0], ext.notified, ext.reason, ext.until)
		},
	})

	var cl closeFlags
	cli.Register(&cli.Command{
		Name:    "privacy close",
		Args:    "ID --outcome granted|partly-granted|denied|withdrawn [flags]",
		Summary: "record that a request was acted on: the date, the outcome and, for a denial, its ground",
		Report:  true,
		Flags:   cl.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("privacy close needs one request id: ward privacy close par-2027-001 --outcome granted")
			}
			return cl.run(ctx, env, args[0])
		},
	})

	cli.Register(&cli.Command{
		Name:    "privacy complaints",
		Summary: "the complaint log (45 CFR 164.530(d)): open complaints first, each with its outcome and disposition",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy complaints takes no arguments")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			l := privacy.Evaluate(ws, env.AsOf)
			if env.Format == "json" {
				return env.JSON(l.Complaints)
			}
			return writeComplaints(env.Stdout, l)
		},
	})

	var cadd complaintFlags
	cli.Register(&cli.Command{
		Name:    "privacy complaint add",
		Args:    "--summary TEXT [--received DATE] [flags]",
		Summary: "log a complaint about privacy practices; prints its id",
		Report:  true,
		Flags:   cadd.bind,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy complaint add takes flags only, not %q", args[0])
			}
			return cadd.run(ctx, env)
		},
	})

	var cres struct{ outcome, disposition, resolved string }
	cli.Register(&cli.Command{
		Name:    "privacy complaint close",
		Args:    "ID --outcome substantiated|not-substantiated|withdrawn [--disposition TEXT] [--resolved DATE]",
		Summary: "record a complaint's outcome and disposition (45 CFR 164.530(d)(2))",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&cres.outcome, "outcome", "", "substantiated, not-substantiated or withdrawn")
			fs.StringVar(&cres.disposition, "disposition", "", "what was done: a sanction, a changed procedure, retraining, the answer given")
			fs.StringVar(&cres.resolved, "resolved", "", "the date it was resolved (default --as-of, today)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("privacy complaint close needs one complaint id")
			}
			return complaintClose(ctx, env, args[0], cres.outcome, cres.disposition, cres.resolved)
		},
	})

	cli.Register(&cli.Command{
		Name:    "privacy notice",
		Summary: "the notice of privacy practices (45 CFR 164.520): the version in effect, where it is posted, and every version on record",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy notice takes no arguments (to record a version: ward privacy notice add)")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			l := privacy.Evaluate(ws, env.AsOf)
			if env.Format == "json" {
				return env.JSON(l.Notice)
			}
			return writeNotice(env.Stdout, l)
		},
	})

	var nadd struct{ version, effective, posted, url, notes string }
	cli.Register(&cli.Command{
		Name:    "privacy notice add",
		Args:    "--version V --effective DATE [--posted PLACES] [--url URL]",
		Summary: "record a version of the notice of privacy practices: when it takes effect and where it is posted",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&nadd.version, "version", "", "the notice's version, such as 2027-1")
			fs.StringVar(&nadd.effective, "effective", "", "the date it takes effect (default --as-of, today)")
			fs.StringVar(&nadd.posted, "posted", "", "comma-separated places it is posted (waiting room, patient portal)")
			fs.StringVar(&nadd.url, "url", "", "the copy on the web site (https://...)")
			fs.StringVar(&nadd.notes, "notes", "", "free text")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) > 0 {
				return cli.BadInput("privacy notice add takes flags only, not %q", args[0])
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			n := workspace.PrivacyNotice{Version: strings.TrimSpace(nadd.version), Posted: cli.SplitList(nadd.posted), URL: nadd.url, Notes: nadd.notes}
			if n.Effective, err = dateOr("--effective", nadd.effective, env.AsOf); err != nil {
				return err
			}
			if n.Version == "" {
				return cli.BadInput("privacy notice add: --version is missing: the notice's version, such as %d-1; nothing was written", env.AsOf.Year())
			}
			if ps := privacy.CheckNotice(ws, n); len(ps) > 0 {
				return privacyProblems("privacy notice add", ps)
			}
			if err := saveNew(ctx, b, store.KindPrivacyNotice, n, "--version"); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(n)
			}
			fmt.Fprintf(env.Stdout, "recorded notice of privacy practices version %s, in effect from %s\n", n.Version, n.Effective)
			return nil
		},
	})
}

// privacyFlag turns a record's field into the flag that sets it.
func privacyFlag(field string) string {
	if i := strings.Index(field, "["); i >= 0 {
		field = field[:i]
	}
	switch field {
	case "denial":
		return "--ground"
	case "extension":
		return "--reason"
	}
	field = strings.TrimPrefix(field, "extension.")
	field = strings.TrimPrefix(field, "denial.")
	if field == "" {
		return "the record"
	}
	return "--" + strings.ReplaceAll(field, "_", "-")
}

// privacyProblems is the exit-2 error listing every problem of an edit.
func privacyProblems(cmd string, ps privacy.Problems) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: not recorded; nothing was written:", cmd)
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s (%s): %s", privacyFlag(p.Field), p.Field, p.Message)
	}
	return cli.BadInput("%s", b.String())
}

// dateOr parses a date flag, or gives def when it is empty.
func dateOr(name, s string, def date.Date) (date.Date, error) {
	if s == "" {
		return def, nil
	}
	return cli.ParseDateFlag(name, s)
}

// saveNew stores a new record; a key already used (live or retired) is
// bad input naming the flag that set it.
func saveNew(ctx context.Context, b *cli.Backend, kind string, v any, keyFlag string) error {
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: kind, Value: v}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return cli.BadInput("%s: %v; nothing was written", keyFlag, err)
		}
		return err
	}
	return nil
}

func retiredKeys(ctx context.Context, b *cli.Backend, kind string) ([]string, error) {
	rs, err := b.Data.Retired(ctx, kind)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out, nil
}

type requestFlags struct {
	id, kind, received, onBehalfOf, reference, summary, handledBy string
	formatRequested, since, notes                                 string
}

func (f *requestFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "kind", "", "access (164.524), amendment (164.526) or accounting (of disclosures, 164.528)")
	fs.StringVar(&f.received, "received", "", "the date the request was received (default --as-of, today): the clock starts here")
	fs.StringVar(&f.id, "id", "", "the request's id (default: par-, amd- or acc-YEAR-NNN)")
	fs.StringVar(&f.onBehalfOf, "on-behalf-of", "", "the covered-entity customer whose request it is (required when the organization is not a covered entity)")
	fs.StringVar(&f.reference, "reference", "", "the practice's own log or ticket number (never the individual's name)")
	fs.StringVar(&f.summary, "summary", "", "what was asked, without PHI")
	fs.StringVar(&f.handledBy, "handled-by", "", "who handles it: a person's email or name")
	fs.StringVar(&f.formatRequested, "format-requested", "", "access: the form and format asked for (164.524(c)(2))")
	fs.StringVar(&f.since, "since", "", "accounting: the start of a shorter period than the six years before the request (164.528(a)(3))")
	fs.StringVar(&f.notes, "notes", "", "free text")
}

func (f *requestFlags) run(ctx context.Context, env *cli.Env) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := workspace.PrivacyRequest{ID: strings.TrimSpace(f.id), Kind: f.kind, OnBehalfOf: f.onBehalfOf, Reference: f.reference,
		Summary: f.summary, FormatRequested: f.formatRequested, Notes: f.notes}
	if r.Received, err = dateOr("--received", f.received, env.AsOf); err != nil {
		return err
	}
	if r.Since, err = cli.ParseDateFlag("--since", f.since); err != nil {
		return err
	}
	if r.HandledBy, err = cli.Person(ws, "--handled-by", f.handledBy); err != nil {
		return err
	}
	if r.ID == "" {
		retired, err := retiredKeys(ctx, b, store.KindPrivacyRequest)
		if err != nil {
			return err
		}
		r.ID = privacy.NewRequestID(ws, r.Kind, r.Received, retired)
	}
	if ps := privacy.CheckRequest(ws, r); len(ps) > 0 {
		return privacyProblems("privacy add", ps)
	}
	if err := saveNew(ctx, b, store.KindPrivacyRequest, r, "--id"); err != nil {
		return err
	}
	c := privacy.RequestClock(r, date.Max(env.AsOf, r.Received))
	if env.Format == "json" {
		return env.JSON(c)
	}
	fmt.Fprintf(env.Stdout, "logged %s (%s), received %s: due %s (%d days, %s)\n", r.ID, strings.ToLower(c.Title), r.Received, c.Due, c.Days, c.Citation)
	return nil
}

// RequestDetail is `ward privacy show --format json`.
type RequestDetail struct {
	privacy.Clock
	History []store.HistoryEntry `json:"history"`
}

func privacyShow(ctx context.Context, env *cli.Env, id string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := ws.PrivacyRequest(id)
	if r == nil {
		return cli.BadInput("no privacy request %q (see 'ward privacy list')", id)
	}
	hist, err := b.Data.History(ctx, store.KindPrivacyRequest, id)
	if err != nil {
		return err
	}
	d := RequestDetail{Clock: privacy.RequestClock(*r, env.AsOf), History: hist}
	if env.Format == "json" {
		return env.JSON(d)
	}
	return writeRequestDetail(env.Stdout, ws, d)
}

func privacyExtend(ctx context.Context, env *cli.Env, id, notified, reason, until string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := ws.PrivacyRequest(id)
	if r == nil {
		return cli.BadInput("no privacy request %q (see 'ward privacy list')", id)
	}
	n, err := dateOr("--notified", notified, env.AsOf)
	if err != nil {
		return err
	}
	u, err := cli.ParseDateFlag("--until", until)
	if err != nil {
		return err
	}
	next, err := privacy.Extend(*r, n, reason, u)
	if err != nil {
		return cli.BadInput("privacy extend: %v; nothing was written", err)
	}
	if ps := privacy.CheckRequest(ws, next); len(ps) > 0 {
		return privacyProblems("privacy extend", ps)
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindPrivacyRequest, Value: next, Update: true}); err != nil {
		return err
	}
	// As of the day it was recorded, at the earliest: a date given in the
	// future has not happened yet on --as-of.
	c := privacy.RequestClock(next, date.Max(env.AsOf, n))
	if env.Format == "json" {
		return env.JSON(c)
	}
	fmt.Fprintf(env.Stdout, "extended %s: given in writing on %s (day %d of %d), due %s instead of %s (%s)\n",
		id, n, next.Received.DaysUntil(n), c.Days, next.Extension.Until, c.Due, c.ExtensionCitation)
	return nil
}

type closeFlags struct {
	outcome, completed, ground, explanation, formatProvided, fee, feeBasis, notes string
	rightsStated                                                                  bool
}

func (f *closeFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.outcome, "outcome", "", "granted, partly-granted, denied or withdrawn")
	fs.StringVar(&f.completed, "completed", "", "the date it was acted on (default --as-of, today)")
	fs.StringVar(&f.ground, "ground", "", "partly-granted or denied: the denial's ground (see docs/workspace.md, privacy_requests)")
	fs.StringVar(&f.explanation, "explanation", "", "the denial's basis, in its own words")
	fs.BoolVar(&f.rightsStated, "rights-stated", false, "the written denial stated the review rights and how to complain (164.524(d)(2), 164.526(d)(1))")
	fs.StringVar(&f.formatProvided, "format-provided", "", "access: the form and format given")
	fs.StringVar(&f.fee, "fee", "", "the fee charged, in US dollars (6.50)")
	fs.StringVar(&f.feeBasis, "fee-basis", "", "how the fee was worked out (164.524(c)(4): reasonable, cost-based)")
	fs.StringVar(&f.notes, "notes", "", "free text, added to the request's notes")
}

func (f *closeFlags) run(ctx context.Context, env *cli.Env, id string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	r := ws.PrivacyRequest(id)
	if r == nil {
		return cli.BadInput("no privacy request %q (see 'ward privacy list')", id)
	}
	if f.outcome == "" {
		return cli.BadInput("privacy close: --outcome is missing: one of %s; nothing was written", strings.Join(workspace.RequestOutcomes, ", "))
	}
	completed, err := dateOr("--completed", f.completed, env.AsOf)
	if err != nil {
		return err
	}
	var denial *workspace.Denial
	if f.ground != "" || f.explanation != "" || f.rightsStated {
		denial = &workspace.Denial{Ground: f.ground, Explanation: f.explanation, RightsStated: f.rightsStated}
	}
	next, err := privacy.Close(*r, completed, f.outcome, denial)
	if err != nil {
		return cli.BadInput("privacy close: %v; nothing was written", err)
	}
	if f.formatProvided != "" {
		next.FormatProvided = f.formatProvided
	}
	if f.fee != "" {
		next.Fee = f.fee
	}
	if f.feeBasis != "" {
		next.FeeBasis = f.feeBasis
	}
	if f.notes != "" {
		next.Notes = strings.TrimSpace(strings.Join([]string{next.Notes, f.notes}, "\n"))
	}
	if ps := privacy.CheckRequest(ws, next); len(ps) > 0 {
		return privacyProblems("privacy close", ps)
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindPrivacyRequest, Value: next, Update: true}); err != nil {
		return err
	}
	c := privacy.RequestClock(next, date.Max(env.AsOf, completed))
	if env.Format == "json" {
		return env.JSON(c)
	}
	when := "on time"
	if c.Status == privacy.StatusLate {
		when = fmt.Sprintf("%d day%s after its deadline %s", c.DaysLate, cli.Plural(c.DaysLate), c.Deadline)
	}
	fmt.Fprintf(env.Stdout, "closed %s: %s on %s (day %d), %s\n", id, next.Outcome, completed, c.Day, when)
	for _, fd := range c.Findings {
		fmt.Fprintf(env.Stdout, "%s %s %s: %s\n", fd.Severity, fd.Rule, fd.Subject, fd.Message)
	}
	return nil
}

type complaintFlags struct {
	id, received, summary, onBehalfOf, reference, handledBy, notes string
}

func (f *complaintFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.summary, "summary", "", "what the complaint is about, without naming the complainant")
	fs.StringVar(&f.received, "received", "", "the date it was received (default --as-of, today)")
	fs.StringVar(&f.id, "id", "", "the complaint's id (default cmp-YEAR-NNN)")
	fs.StringVar(&f.onBehalfOf, "on-behalf-of", "", "the covered-entity customer whose complaint it is (required when the organization is not a covered entity)")
	fs.StringVar(&f.reference, "reference", "", "the practice's own log number")
	fs.StringVar(&f.handledBy, "handled-by", "", "who handles it: a person's email or name")
	fs.StringVar(&f.notes, "notes", "", "free text")
}

func (f *complaintFlags) run(ctx context.Context, env *cli.Env) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	c := workspace.Complaint{ID: strings.TrimSpace(f.id), Summary: strings.TrimSpace(f.summary), OnBehalfOf: f.onBehalfOf, Reference: f.reference, Notes: f.notes}
	if c.Received, err = dateOr("--received", f.received, env.AsOf); err != nil {
		return err
	}
	if c.HandledBy, err = cli.Person(ws, "--handled-by", f.handledBy); err != nil {
		return err
	}
	if c.ID == "" {
		retired, err := retiredKeys(ctx, b, store.KindComplaint)
		if err != nil {
			return err
		}
		c.ID = privacy.NewComplaintID(ws, c.Received, retired)
	}
	if ps := privacy.CheckComplaint(ws, c); len(ps) > 0 {
		return privacyProblems("privacy complaint add", ps)
	}
	if err := saveNew(ctx, b, store.KindComplaint, c, "--id"); err != nil {
		return err
	}
	if env.Format == "json" {
		return env.JSON(c)
	}
	fmt.Fprintf(env.Stdout, "logged complaint %s, received %s\n", c.ID, c.Received)
	return nil
}

func complaintClose(ctx context.Context, env *cli.Env, id, outcome, disposition, resolved string) error {
	b, ws, err := env.Loaded(ctx)
	if err != nil {
		return err
	}
	c := ws.Complaint(id)
	if c == nil {
		return cli.BadInput("no complaint %q (see 'ward privacy complaints')", id)
	}
	if !c.Resolved.IsZero() {
		return cli.BadInput("privacy complaint close: %s was already resolved on %s (%s); nothing was written", id, c.Resolved, c.Outcome)
	}
	if outcome == "" {
		return cli.BadInput("privacy complaint close: --outcome is missing: one of %s; nothing was written", strings.Join(workspace.ComplaintOutcomes, ", "))
	}
	next := *c
	if next.Resolved, err = dateOr("--resolved", resolved, env.AsOf); err != nil {
		return err
	}
	next.Outcome, next.Disposition = outcome, strings.TrimSpace(disposition)
	if ps := privacy.CheckComplaint(ws, next); len(ps) > 0 {
		return privacyProblems("privacy complaint close", ps)
	}
	if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindComplaint, Value: next, Update: true}); err != nil {
		return err
	}
	if env.Format == "json" {
		return env.JSON(next)
	}
	fmt.Fprintf(env.Stdout, "resolved complaint %s on %s: %s\n", id, next.Resolved, next.Outcome)
	return nil
}

// whose names the customer a request is held for, or "".
func whose(ws *workspace.Workspace, id string) string {
	if id == "" {
		return ""
	}
	if cu := ws.Customer(id); cu != nil && cu.Name != "" {
		return cu.Name
	}
	return id
}

func writeRequestLog(w io.Writer, ws *workspace.Workspace, l privacy.Log) error {
	fmt.Fprintf(w, "Privacy Rule requests as of %s: %d open (%d overdue, %d due within %d days), %d acted on late\n",
		l.AsOf, l.Open, l.Overdue, l.DueSoon, privacy.DueSoonDays, l.Late)
	if len(l.Requests) == 0 {
		fmt.Fprintln(w, "No requests logged (workspace privacy_requests, or ward privacy add).")
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tRECEIVED\tDEADLINE\tSTATUS\tDAY\tFOR")
	for _, c := range l.Requests {
		status := c.Status
		switch c.Status {
		case privacy.StatusOverdue:
			status = fmt.Sprintf("overdue %dd", -c.DaysLeft)
		case privacy.StatusOpen, privacy.StatusDueSoon:
			status = fmt.Sprintf("%s, %dd left", c.Status, c.DaysLeft)
		case privacy.StatusLate:
			status = fmt.Sprintf("late %dd", c.DaysLate)
		}
		deadline := c.Deadline.String()
		if c.Extension != nil {
			deadline += " (ext.)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c.ID, c.Kind, c.Received, deadline, status, c.Day, whose(ws, c.OnBehalfOf))
	}
	return tw.Flush()
}

func writeRequestDetail(w io.Writer, ws *workspace.Workspace, d RequestDetail) error {
	c := d.Clock
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("request", c.ID)
	row("kind", fmt.Sprintf("%s (%s)", c.Title, c.Kind))
	row("for", whose(ws, c.OnBehalfOf))
	row("reference", c.Reference)
	row("summary", c.Summary)
	row("handled by", c.HandledBy)
	row("received", c.Received.String())
	row("time limit", fmt.Sprintf("%d days, to %s (%s)", c.Days, c.Due, c.Citation))
	if x := c.Extension; x != nil {
		row("extension", fmt.Sprintf("given %s (day %d): %s; to %s (%s)", x.Notified, c.Received.DaysUntil(x.Notified), x.Reason, x.Until, c.ExtensionCitation))
	} else if !c.ExtendBy.IsZero() {
		row("extension", fmt.Sprintf("none; one of up to %d days may be given in writing by %s (%s)", workspace.ExtensionDays, c.ExtendBy, c.ExtensionCitation))
	}
	row("deadline", c.Deadline.String())
	status := c.Status
	switch c.Status {
	case privacy.StatusOverdue:
		status = fmt.Sprintf("overdue by %d day%s", -c.DaysLeft, cli.Plural(-c.DaysLeft))
	case privacy.StatusOpen, privacy.StatusDueSoon:
		status = fmt.Sprintf("open, day %d, %d day%s left", c.Day, c.DaysLeft, cli.Plural(c.DaysLeft))
	case privacy.StatusLate:
		status = fmt.Sprintf("acted on %d day%s late", c.DaysLate, cli.Plural(c.DaysLate))
	case privacy.StatusDone:
		status = fmt.Sprintf("acted on by the deadline (day %d)", c.Day)
	}
	row("status", status+" as of "+c.AsOf.String())
	if win := c.Window; win != nil {
		span := "the six years before the request"
		if !win.Full {
			span = "the shorter period asked for"
		}
		row("covers", fmt.Sprintf("disclosures %s to %s, %s (%s)", win.From, win.To, span, win.Citation))
	}
	row("format asked", c.FormatRequested)
	row("format given", c.FormatProvided)
	if c.Fee != "" {
		row("fee", "$"+c.Fee+" "+strings.TrimSpace("("+c.FeeBasis+")"))
	}
	if c.Closed() {
		row("outcome", fmt.Sprintf("%s on %s", c.Outcome, c.Completed))
	}
	if g := c.Ground; g != nil {
		rev := "not reviewable"
		if g.Reviewable {
			rev = "reviewable"
		}
		stated := "the denial did not state the rights"
		if c.Denial.RightsStated {
			stated = "the denial stated the review and complaint rights"
		}
		row("denial", fmt.Sprintf("%s: %s (%s, %s); %s", g.ID, g.Title, g.Citation, rev, stated))
		row("basis", c.Denial.Explanation)
	}
	row("notes", c.Notes)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ntimeline:")
	for _, e := range c.Events {
		mark := " "
		if e.Due {
			mark = "!"
		}
		line := fmt.Sprintf("  %s %s %s", e.Date, mark, e.What)
		if e.Citation != "" {
			line += " (" + e.Citation + ")"
		}
		fmt.Fprintln(w, line)
	}
	for _, f := range c.Findings {
		fmt.Fprintf(w, "\n%s %s: %s\n", f.Severity, f.Rule, f.Message)
	}
	if len(d.History) > 0 {
		fmt.Fprintln(w, "\nhistory:")
		for _, h := range d.History {
			line := fmt.Sprintf("  %s  %s  %s", h.At.UTC().Format("2006-01-02 15:04"), h.Action, h.Actor)
			if len(h.Fields) > 0 {
				line += " (" + strings.Join(h.Fields, ", ") + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

func writeComplaints(w io.Writer, l privacy.Log) error {
	open := 0
	for _, c := range l.Complaints {
		if c.Open {
			open++
		}
	}
	fmt.Fprintf(w, "Complaints as of %s: %d, %d open (45 CFR 164.530(d))\n", l.AsOf, len(l.Complaints), open)
	if len(l.Complaints) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tSTATUS\tOUTCOME\tSUMMARY")
	for _, c := range l.Complaints {
		status := fmt.Sprintf("open, %d days", c.DaysOpen)
		if !c.Open {
			status = "resolved " + c.Resolved.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Received, status, c.Outcome, c.Summary)
	}
	return tw.Flush()
}

func writeNotice(w io.Writer, l privacy.Log) error {
	n := l.Notice
	if n.InEffect == nil {
		fmt.Fprintf(w, "No notice of privacy practices is in effect on %s (%s).\n", l.AsOf, n.Citation)
	} else {
		fmt.Fprintf(w, "Notice of privacy practices in effect on %s: version %s, effective %s (%s)\n", l.AsOf, n.InEffect.Version, n.InEffect.Effective, n.Citation)
		posted := strings.Join(n.InEffect.Posted, "; ")
		if posted == "" {
			posted = "nowhere recorded"
		}
		fmt.Fprintf(w, "  posted: %s\n", posted)
		if n.InEffect.URL != "" {
			fmt.Fprintf(w, "  web site: %s\n", n.InEffect.URL)
		}
	}
	if n.Upcoming != nil {
		fmt.Fprintf(w, "Next version: %s, effective %s\n", n.Upcoming.Version, n.Upcoming.Effective)
	}
	if len(n.Versions) > 0 {
		fmt.Fprintln(w, "\nversions:")
		for _, v := range n.Versions {
			fmt.Fprintf(w, "  %-12s effective %s\n", v.Version, v.Effective)
		}
	}
	for _, f := range l.Findings {
		if f.Rule == privacy.RuleNoticeMissing {
			fmt.Fprintf(w, "\n%s %s: %s\n", f.Severity, f.Rule, f.Message)
		}
	}
	return nil
}
