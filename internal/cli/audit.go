package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"ward/internal/audit"
	"ward/internal/store"
)

func init() {
	var checkpoint string
	Register(&Command{
		Name:    "audit verify",
		Args:    "[--checkpoint FILE]",
		Summary: "recompute the tamper-evident audit trail; exit 1 naming the first bad entry",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&checkpoint, "checkpoint", "", "also check against a head saved earlier with 'ward audit checkpoint'")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			s, err := env.Store(ctx)
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
			var saved *audit.Head
			if checkpoint != "" {
				raw, err := os.ReadFile(checkpoint)
				if err != nil {
					return BadInput("%v", err)
				}
				var cp checkpointFile
				if err := json.Unmarshal(raw, &cp); err != nil || cp.Org == "" {
					return BadInput("%s is not a ward audit checkpoint", checkpoint)
				}
				saved = &cp.Head
				orgs = filterOrgs(orgs, cp.Org)
				if len(orgs) == 0 {
					return BadInput("%s is a checkpoint of organization %q, which this database does not hold", checkpoint, cp.Org)
				}
			}
			type result struct {
				Org     string `json:"org"`
				OK      bool   `json:"ok"`
				Entries int64  `json:"entries"`
				Head    string `json:"head"`
				Error   string `json:"error,omitempty"`
				BadSeq  int64  `json:"bad_seq,omitempty"`
			}
			var results []result
			failed := false
			for _, org := range orgs {
				o := s.Org(org)
				r := result{Org: org.Slug, OK: true}
				err := o.VerifyAudit(ctx)
				head, herr := o.AuditHead(ctx)
				if herr != nil {
					return herr
				}
				r.Entries, r.Head = head.Seq, head.Hash
				if err == nil && saved != nil {
					err = checkAgainst(ctx, o, *saved)
				}
				if err != nil {
					var bad *audit.BadEntry
					if !errors.As(err, &bad) {
						return err
					}
					r.OK, r.Error, r.BadSeq = false, bad.Error(), bad.Seq
					failed = true
				}
				results = append(results, r)
			}
			// The accounts' own trail (logins, account changes) is checked
			// with every organization's, unless one was chosen.
			var accounts *result
			if env.OrgSlug == "" && checkpoint == "" {
				r := result{Org: "accounts", OK: true}
				err := s.VerifyAccountAudit(ctx)
				head, herr := s.AccountHead(ctx)
				if herr != nil {
					return herr
				}
				r.Entries, r.Head = head.Seq, head.Hash
				if err != nil {
					var bad *audit.BadEntry
					if !errors.As(err, &bad) {
						return err
					}
					r.OK, r.Error, r.BadSeq = false, bad.Error(), bad.Seq
					failed = true
				}
				accounts = &r
			}
			if env.Format == "json" {
				out := map[string]any{"ok": !failed, "organizations": results}
				if accounts != nil {
					out["accounts"] = accounts
				}
				if err := env.JSON(out); err != nil {
					return err
				}
			} else {
				if accounts != nil {
					results = append(results, *accounts)
				}
				for _, r := range results {
					if r.OK {
						fmt.Fprintf(env.Stdout, "%s: ok, %d entries, head %s\n", r.Org, r.Entries, short(r.Head))
					} else {
						fmt.Fprintf(env.Stdout, "%s: TAMPERED: %s\n", r.Org, r.Error)
					}
				}
			}
			if failed {
				return Findings
			}
			return nil
		},
	})

	var limit, offset int
	var accounts bool
	Register(&Command{
		Name:    "audit log",
		Args:    "[--limit N] [--offset N] [--accounts]",
		Summary: "list audit trail entries, newest first (--accounts: the accounts' trail: logins, account changes)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&limit, "limit", 50, "entries to show")
			fs.IntVar(&offset, "offset", 0, "entries to skip")
			fs.BoolVar(&accounts, "accounts", false, "the accounts' trail instead of an organization's")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			var entries []store.AuditEntry
			var whose string
			if accounts {
				s, err := env.Store(ctx)
				if err != nil {
					return err
				}
				if entries, err = s.AccountLog(ctx, "", limit, offset); err != nil {
					return err
				}
				whose = "accounts"
			} else {
				b, err := env.Backend(ctx)
				if err != nil {
					return err
				}
				if entries, err = b.Data.AuditLog(ctx, limit, offset); err != nil {
					return err
				}
				whose = b.Org.Slug
			}
			if env.Format == "json" {
				if entries == nil {
					entries = []store.AuditEntry{}
				}
				if accounts {
					return env.JSON(map[string]any{"trail": whose, "entries": entries})
				}
				return env.JSON(map[string]any{"org": whose, "entries": entries})
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tWHEN (UTC)\tWHO\tACTION\tRECORD\tHASH")
			for _, e := range entries {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", e.Seq, e.At.UTC().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Kind, e.Key, short(e.Hash))
			}
			return tw.Flush()
		},
	})

	var out string
	Register(&Command{
		Name:    "audit checkpoint",
		Args:    "-o FILE",
		Summary: "save the audit trail's current head, to verify later that nothing was cut or rewritten",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&out, "o", "", "file to write") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			if out == "" {
				return BadInput("audit checkpoint needs -o FILE")
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			head, err := b.Data.AuditHead(ctx)
			if err != nil {
				return err
			}
			raw, _ := json.MarshalIndent(checkpointFile{Org: b.Org.Slug, Head: head}, "", "  ")
			if err := os.WriteFile(out, append(raw, '\n'), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: checkpoint at entry %d, %s\n", b.Org.Slug, head.Seq, short(head.Hash))
			return nil
		},
	})
}

type checkpointFile struct {
	Org  string     `json:"org"`
	Head audit.Head `json:"head"`
}

func filterOrgs(orgs []store.Org, slug string) []store.Org {
	for _, o := range orgs {
		if o.Slug == slug {
			return []store.Org{o}
		}
	}
	return nil
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// checkAgainst confirms that the chain still contains the entry a saved
// checkpoint names, with the same hash: a chain rewritten or cut back
// before the checkpoint fails even if it is consistent in itself.
func checkAgainst(ctx context.Context, o *store.OrgStore, saved audit.Head) error {
	if saved.Seq == 0 {
		return nil
	}
	entries, err := o.AuditAll(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Seq == saved.Seq {
			if e.Hash != saved.Hash {
				return &audit.BadEntry{Seq: e.Seq, Reason: "hash differs from the saved checkpoint: history before the checkpoint was rewritten"}
			}
			return nil
		}
	}
	return &audit.BadEntry{Seq: saved.Seq, Reason: "entry named by the saved checkpoint is missing: the trail was cut back"}
}
