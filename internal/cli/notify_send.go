package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"ward/internal/notify"
	"ward/internal/store"
)

// smtpFlags are the mail settings of `ward notify send` and `ward serve`.
type smtpFlags struct {
	url, passwordFile, from, baseURL string
	lease                            time.Duration
}

func (f *smtpFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "smtp-url", os.Getenv("WARD_SMTP_URL"), "the SMTP server: smtp://user@host:587 (STARTTLS) or smtps://user@host:465 (TLS) ($WARD_SMTP_URL)")
	fs.StringVar(&f.passwordFile, "smtp-password-file", os.Getenv("WARD_SMTP_PASSWORD_FILE"), "a file holding the SMTP password, when the URL has none (else $WARD_SMTP_PASSWORD)")
	fs.StringVar(&f.from, "smtp-from", os.Getenv("WARD_SMTP_FROM"), "the sender address of ward's e-mail ($WARD_SMTP_FROM)")
	fs.StringVar(&f.baseURL, "base-url", os.Getenv("WARD_BASE_URL"), "the web app's address, for the links and (ward serve) the passkeys' relying party ($WARD_BASE_URL)")
	fs.DurationVar(&f.lease, "lease", 2*time.Minute, "how long a message being delivered is this process's; one whose sender died is retried after it")
}

// runner is the notifier for these settings; its mailer is nil without
// --smtp-url (webhooks only).
func (f *smtpFlags) runner(env *Env, s *store.Store) (*notify.Runner, error) {
	r := &notify.Runner{Store: s, BaseURL: f.baseURL, Lease: f.lease, Log: func(format string, args ...any) {
		fmt.Fprintf(env.Stderr, format+"\n", args...)
	}}
	if f.url != "" {
		m, err := notify.ParseSMTP(f.url, f.passwordFile, f.from)
		if err != nil {
			return nil, BadInput("%v", err)
		}
		r.Mail = m
	}
	return r, nil
}

func init() {
	var f smtpFlags
	Register(&Command{
		Name:    "notify send",
		Args:    "--smtp-url URL --smtp-from ADDRESS [--base-url URL]",
		Summary: "queue today's digests and alerts in the outbox and deliver what is due, by e-mail and to the webhooks, each message once",
		Report:  true,
		Flags:   f.bind,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 0 {
				return BadInput("notify send takes no arguments besides its flags (got %q)", strings.Join(args, " "))
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			r, err := f.runner(env, s)
			if err != nil {
				return err
			}
			orgs, err := s.Orgs(ctx)
			if err != nil {
				return err
			}
			if env.OrgSlug != "" {
				b, err := env.Backend(ctx)
				if err != nil {
					return err
				}
				orgs = []store.Org{b.Org}
			}
			queued := 0
			for _, org := range orgs {
				ws, err := s.Org(org).Workspace(ctx)
				if err != nil {
					return err
				}
				n, err := r.Queue(ctx, org, ws, env.AsOf)
				if err != nil {
					return err
				}
				queued += n
			}
			sent, failed, err := r.Deliver(ctx)
			res := map[string]int{"queued": queued, "sent": sent, "failed": failed}
			if env.Format == "json" {
				if jerr := env.JSON(res); jerr != nil {
					return jerr
				}
			} else {
				fmt.Fprintf(env.Stdout, "queued %d, sent %d, failed %d (failed ones are retried with backoff)\n", queued, sent, failed)
			}
			if err != nil {
				return err
			}
			if failed > 0 {
				return Findings
			}
			return nil
		},
	})

	var secretFile string
	Register(&Command{
		Name:    "notify webhook add",
		Args:    "URL --secret-file FILE",
		Summary: "send every notification of the organization also to URL, as JSON signed with HMAC-SHA256 (X-Ward-Signature over X-Ward-Timestamp.body)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&secretFile, "secret-file", "", "a file holding the signing secret (at least 16 characters)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || !(strings.HasPrefix(args[0], "https://") || strings.HasPrefix(args[0], "http://")) {
				return BadInput("notify webhook add needs one http(s) URL")
			}
			if secretFile == "" {
				return BadInput("notify webhook add needs --secret-file FILE")
			}
			b, err := os.ReadFile(secretFile)
			if err != nil {
				return BadInput("--secret-file: %v", err)
			}
			secret := strings.TrimSpace(string(b))
			if len(secret) < 16 {
				return BadInput("--secret-file %s: the secret has %d characters; use at least 16", secretFile, len(secret))
			}
			be, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			h, err := be.Data.AddWebhook(ctx, Actor(), args[0], secret)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: webhook %d posts to %s\n", be.Org.Slug, h.ID, h.URL)
			return nil
		},
	})
	Register(&Command{
		Name:    "notify webhook retire",
		Args:    "ID",
		Summary: "stop sending to a webhook (kept, with its deliveries)",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("notify webhook retire needs the webhook's id")
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return BadInput("notify webhook retire: %q is not a webhook id", args[0])
			}
			be, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			if err := be.Data.RetireWebhook(ctx, Actor(), id); err != nil {
				return BadInput("webhook %d: %v", id, err)
			}
			fmt.Fprintf(env.Stdout, "%s: webhook %d retired\n", be.Org.Slug, id)
			return nil
		},
	})
	Register(&Command{
		Name:    "notify log",
		Summary: "the organization's deliveries, newest first: e-mail and webhook messages, their status, attempts and last error",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			be, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			log, err := be.Store.Outbox(ctx, be.Org.ID, 500)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"deliveries": log})
			}
			for _, m := range log {
				fmt.Fprintf(env.Stdout, "%s  %-8s %-10s %-7s attempts %d  %s  %s\n", m.Created.Format(time.DateTime), m.Status, m.Channel, m.Kind, m.Attempts, m.Recipient, m.LastError)
			}
			return nil
		},
	})
}

// serveNotifyFlags are `ward serve`'s notifier settings: the runner runs
// in the server when --smtp-url is given or the database has webhooks.
type serveNotifyFlags struct {
	smtpFlags
	every time.Duration
	off   bool
}

func (f *serveNotifyFlags) bind(fs *flag.FlagSet) {
	f.smtpFlags.bind(fs)
	fs.DurationVar(&f.every, "notify-every", 5*time.Minute, "how often the notifier queues the day's messages and delivers what is due")
	fs.BoolVar(&f.off, "no-notify", false, "do not run the notifier in this server")
}

// start runs the notifier until ctx ends. Several servers may run it on
// one database: the outbox gives each message to one of them.
func (f *serveNotifyFlags) start(ctx context.Context, env *Env, s *store.Store) error {
	if f.off {
		return nil
	}
	r, err := f.runner(env, s)
	if err != nil {
		return err
	}
	if f.every <= 0 {
		return nil // a server built in a test without flags
	}
	go r.Run(ctx, f.every)
	return nil
}
