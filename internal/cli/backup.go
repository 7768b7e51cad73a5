package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"ward/internal/store"
)

func init() {
	var out string
	Register(&Command{
		Name:    "backup",
		Args:    "-o FILE",
		Summary: "an online, consistent copy of the whole database and its evidence files (restores into SQLite or PostgreSQL)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the archive to write (.tar.gz)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if out == "" || len(args) > 0 {
				return BadInput("backup needs -o FILE and nothing else")
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			// Written beside the target and renamed into place once
			// synced, so FILE is either the old file or a whole backup.
			tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
			if err != nil {
				return BadInput("backup: %v", err)
			}
			defer os.Remove(tmp.Name())
			m, err := s.Dump(ctx, tmp, nil)
			if err == nil {
				err = tmp.Sync()
			}
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), out); err != nil {
				return err
			}
			// Who took a copy of the data is part of each organization's record.
			orgs, err := s.Orgs(ctx)
			if err != nil {
				return err
			}
			for _, org := range orgs {
				if err := s.Org(org).Record(ctx, Actor(), "backup", "database", filepath.Base(out), m.Totals); err != nil {
					return err
				}
			}
			return printBackup(env, "backed up", out, m)
		},
	})
	Register(&Command{
		Name:    "restore",
		Args:    "FILE",
		Summary: "load a backup into a new, empty database (--db), then verify every audit trail",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("restore needs one FILE (a ward backup)")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return BadInput("restore: %v", err)
			}
			defer f.Close()
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			m, err := s.Restore(ctx, f, nil)
			if errors.Is(err, store.ErrNotEmpty) {
				return BadInput("%s: %v (--db %s)", args[0], err, redactURL(env.DB))
			}
			if err != nil {
				return BadInput("%s: %v", args[0], err)
			}
			return printBackup(env, "restored", args[0], m)
		},
	})
}

func printBackup(env *Env, verb, file string, m store.BackupManifest) error {
	if env.Format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"file": file, "manifest": m})
	}
	fmt.Fprintf(env.Stdout, "%s %s: %d organization%s, %d rows in %d tables, %d evidence file%s (%d bytes), from %s\n",
		verb, file, m.Totals["orgs"], plural(int(m.Totals["orgs"])), m.Totals["rows"], len(m.Tables), m.Totals["blobs"], plural(int(m.Totals["blobs"])), m.Totals["blob_bytes"], m.Engine)
	for _, h := range m.AuditHeads {
		fmt.Fprintf(env.Stdout, "  %s: audit head %d %s\n", h.Org, h.Seq, h.Hash)
	}
	return nil
}
