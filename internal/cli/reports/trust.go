package reports

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"ward/internal/auth"
	"ward/internal/cli"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/trust"
)

// The trust center (issue 16) from the terminal: what the public page
// shows, the document requests and their approval, and the outbox of
// mails waiting for a sender. The page itself is served by `ward serve`
// at /trust/{slug}.

func init() {
	cli.Register(&cli.Command{
		Name:    "trust show",
		Summary: "what the public trust center shows today: frameworks, subprocessors and their announced changes, policies, documents (only the public sections)",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 0 {
				return cli.BadInput("trust show takes no arguments")
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			if !trust.Enabled(ws) {
				return cli.BadInput("%s has no trust center: set organization.trust.enabled: true in the workspace (docs/workspace.md)", b.Org.Name)
			}
			changes, err := b.Data.SubprocessorChanges(ctx)
			if err != nil {
				return err
			}
			p := trust.Build(ws, plan.Build(ws, ws.Organization.ProgramStart, env.AsOf, plan.Status{}), changes, env.AsOf)
			p.Slug = b.Org.Slug
			if env.Format == "json" {
				return env.JSON(p)
			}
			w := env.Stdout
			fmt.Fprintf(w, "%s trust center (/trust/%s) as of %s; public: %s\n", p.Organization, p.Slug, p.AsOf, strings.Join(p.Shown, ", "))
			for _, f := range p.Frameworks {
				fmt.Fprintf(w, "\n%s: %s\n", f.Title, f.Summary)
				for _, x := range f.Facts {
					fmt.Fprintf(w, "  %s: %s\n", x.Label, x.Value)
				}
			}
			if p.Shows("subprocessors") {
				fmt.Fprintf(w, "\nSubprocessors (%d days' notice of a change):\n", p.NoticeDays)
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  NAME\tPURPOSE\tLOCATION\tPHI\tBAA\t")
				for _, s := range p.Subprocessors {
					name := s.Name
					if !s.From.IsZero() {
						name += " (from " + s.From.String() + ")"
					}
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t\n", name, s.Purpose, s.Location, yesNo(s.PHI), yesNo(s.BAA))
				}
				tw.Flush()
				for _, c := range p.Changes {
					fmt.Fprintf(w, "  %s: %s, announced %s, effective %s\n", c.ID, c.Title(), c.Announced, c.Effective)
				}
			}
			if p.Shows("policies") {
				fmt.Fprintln(w, "\nPolicies:")
				for _, pol := range p.Policies {
					fmt.Fprintf(w, "  %s (v%d): last reviewed %s, next review %s\n", pol.Title, pol.Version, pol.LastReview, pol.NextReview)
				}
			}
			if p.Shows("documents") {
				fmt.Fprintln(w, "\nDocuments on request:")
				for _, d := range p.Documents {
					fmt.Fprintf(w, "  %s: %s (%s)\n", d.ID, d.Title, trust.KindLabel(d.Kind))
				}
			}
			return nil
		},
	})

	cli.Register(&cli.Command{
		Name:    "trust requests",
		Summary: "the trust center's document requests: who asked for what, the NDA accepted, the decision, the link's state",
		Report:  true,
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			b, _, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			reqs, err := b.Data.TrustRequests(ctx)
			if err != nil {
				return err
			}
			now := time.Now()
			type row struct {
				trust.Request
				State string `json:"state"`
			}
			out := []row{}
			for _, r := range reqs {
				r.TokenHash = ""
				out = append(out, row{r, r.State(now)})
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"requests": out})
			}
			if len(out) == 0 {
				fmt.Fprintln(env.Stdout, "no document requests")
				return nil
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tREQUESTED\tDOCUMENT\tREQUESTER\tCOMPANY\tSTATE\t")
			for _, r := range out {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s <%s>\t%s\t%s\t\n", r.ID, r.Requested.UTC().Format("2006-01-02 15:04"), r.Document, r.Name, r.Email, r.Company, r.State)
			}
			return tw.Flush()
		},
	})

	var by, base string
	decide := func(approve bool) func(ctx context.Context, env *cli.Env, args []string) error {
		return func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("needs the request's id (ward trust requests lists them)")
			}
			if by == "" {
				return cli.BadInput("--by: say who decides (an e-mail)")
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			req, version, err := b.Data.TrustRequest(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return cli.BadInput("%q is not a document request (ward trust requests lists them)", args[0])
			}
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			var mail *store.Mail
			var link string
			if approve {
				doc := trust.PublicDocument(ws, req.Document)
				if doc == nil {
					return cli.BadInput("%s asks for %q, which is no longer a public document of the trust center: make it public again, or deny the request", req.ID, req.Document)
				}
				tok, err := auth.NewToken()
				if err != nil {
					return err
				}
				ap := trust.Approve(req, doc.Title, ws.Organization.Name, strings.TrimRight(base, "/")+"/trust/"+b.Org.Slug, tok, by, now, ws.Organization.Trust.Hours())
				req, link = ap.Request, ap.Link
				mail = &store.Mail{ID: ap.MailID, Kind: "document-link", To: req.Email, Subject: ap.Subject, Body: ap.Body}
			} else {
				req.Status, req.DecidedBy, req.Decided = trust.RequestDenied, by, now
			}
			err = b.Data.DecideTrustRequest(ctx, cli.Actor(), req, version, mail)
			if errors.Is(err, store.ErrNotPending) {
				return cli.BadInput("%s was already decided", req.ID)
			}
			if err != nil {
				return err
			}
			if env.Format == "json" {
				req.TokenHash = ""
				return env.JSON(map[string]any{"request": req, "link": link})
			}
			if !approve {
				fmt.Fprintf(env.Stdout, "%s: denied by %s\n", req.ID, by)
				return nil
			}
			fmt.Fprintf(env.Stdout, "%s: approved by %s; the link works once, until %s (also queued for e-mail to %s):\n%s\n",
				req.ID, by, req.Expires.Format("2006-01-02 15:04 UTC"), req.Email, link)
			return nil
		}
	}
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "", "who decides (an e-mail)")
		fs.StringVar(&base, "base-url", "http://127.0.0.1:8080", "the address ward serve answers on, for the link")
	}
	cli.Register(&cli.Command{
		Name:    "trust approve",
		Args:    "ID --by EMAIL [--base-url URL]",
		Summary: "approve a document request: prints the single-use, time-limited download link and queues it for e-mail",
		Report:  true,
		Flags:   flags,
		Run:     decide(true),
	})
	cli.Register(&cli.Command{
		Name:    "trust deny",
		Args:    "ID --by EMAIL",
		Summary: "deny a document request",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&by, "by", "", "who decides (an e-mail)") },
		Run:     decide(false),
	})

	cli.Register(&cli.Command{
		Name:    "trust unsubscribe",
		Args:    "EMAIL",
		Summary: "stop the subprocessor notices to an address (its subscription is retired, kept on the trail)",
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("trust unsubscribe needs the subscribed e-mail address")
			}
			b, _, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			if err := b.Data.Unsubscribe(ctx, cli.Actor(), args[0]); errors.Is(err, store.ErrNotFound) {
				return cli.BadInput("%s is not subscribed to %s's subprocessor notices", args[0], b.Org.Name)
			} else if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: unsubscribed\n", args[0])
			return nil
		},
	})

	var all bool
	var sent string
	cli.Register(&cli.Command{
		Name:    "trust outbox",
		Args:    "[--all] [--mark-sent ID]",
		Summary: "the mails the trust center queued (subprocessor notices, download links) and not yet sent; --mark-sent records a delivery",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&all, "all", false, "also the mails already sent")
			fs.StringVar(&sent, "mark-sent", "", "record that the mail with this id was delivered")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			b, _, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			if sent != "" {
				if err := b.Data.MarkSent(ctx, cli.Actor(), sent); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return cli.BadInput("%v", err)
					}
					return err
				}
				fmt.Fprintf(env.Stdout, "%s: marked sent\n", sent)
				return nil
			}
			mails, err := b.Data.Outbox(ctx, all)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"mails": mails})
			}
			if len(mails) == 0 {
				fmt.Fprintln(env.Stdout, "the outbox is empty")
				return nil
			}
			for _, m := range mails {
				state := "pending"
				if !m.Sent.IsZero() {
					state = "sent " + m.Sent.UTC().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(env.Stdout, "%s (%s, %s)\n  To: %s\n  Subject: %s\n", m.ID, m.Kind, state, m.To, m.Subject)
			}
			return nil
		},
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
