package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/backupsig"
	"ward/internal/store"
)

func init() {
	var out, signKey, checkpoint string
	Register(&Command{
		Name:    "backup",
		Args:    "-o FILE [--sign-key KEY] [--checkpoint FILE]",
		Summary: "an online, consistent copy of the whole database and its evidence files (restores into SQLite or PostgreSQL)",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the archive to write (.tar.gz)")
			fs.StringVar(&signKey, "sign-key", "", "sign the backup with this Ed25519 private key (ward backup keygen), kept outside the database")
			fs.StringVar(&checkpoint, "checkpoint", "", "also write a checkpoint of the backup (its manifest's hash and audit heads) to this file, to keep apart from the backup")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if out == "" || len(args) > 0 {
				return BadInput("backup needs -o FILE and nothing else")
			}
			var opt store.DumpOptions
			if signKey != "" {
				priv, err := backupsig.LoadPrivate(signKey)
				if err != nil {
					return BadInput("backup --sign-key: %v", err)
				}
				if fi, err := os.Stat(signKey); err == nil && fi.Mode().Perm()&0o077 != 0 {
					fmt.Fprintf(env.Stderr, "ward: warning: %s can be read by others (mode %v): a signing key should be readable by its owner only (chmod 600)\n", signKey, fi.Mode().Perm())
				}
				opt.Sign = func(m []byte) ([]byte, error) { return backupsig.Sign(priv, m) }
			}
			if checkpoint != "" && filepath.Clean(checkpoint) == filepath.Clean(out) {
				return BadInput("backup: --checkpoint must be another file than -o")
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
			// A bar on a terminal, once it takes a while: archive bytes
			// written, tables and evidence files done.
			bar := startBar(env, -1, "tables and files")
			m, err := s.DumpWith(ctx, bar.writer(tmp), func(what string) {
				bar.doing(what)
				bar.records.Add(1)
			}, opt)
			bar.done()
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
			if checkpoint != "" {
				if err := writeBackupCheckpoint(checkpoint, out, m); err != nil {
					return err
				}
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

	var keyOut string
	Register(&Command{
		Name:    "backup keygen",
		Args:    "-o KEY",
		Summary: "make an Ed25519 key pair to sign backups: KEY (private, 0600) and KEY.pub (to check them)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&keyOut, "o", "", "the private key file to write; the public key goes to the same name with .pub")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if keyOut == "" || len(args) > 0 {
				return BadInput("backup keygen needs -o KEY and nothing else")
			}
			pub, err := backupsig.GenerateKey(keyOut)
			if err != nil {
				return BadInput("backup keygen: %v", err)
			}
			fmt.Fprintf(env.Stdout, "private key %s (sign with ward backup --sign-key %s; keep it outside the database and its backups)\npublic key %s.pub (check with ward restore --verify-key %s.pub)\nfingerprint %s\n",
				keyOut, keyOut, keyOut, keyOut, backupsig.Fingerprint(pub))
			return nil
		},
	})

	var verifyKey, restoreCheckpoint string
	var unverified bool
	Register(&Command{
		Name:    "restore",
		Creates: true,
		Args:    "FILE [--verify-key KEY.pub | --checkpoint FILE | --unverified]",
		Summary: "load a backup into a new, empty database (--db) once its signature or checkpoint matches, then verify every audit trail",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&verifyKey, "verify-key", "", "the public key (ward backup keygen's KEY.pub) the backup must be signed with")
			fs.StringVar(&restoreCheckpoint, "checkpoint", "", "a checkpoint the backup must match: ward backup --checkpoint's file, or ward audit checkpoint's")
			fs.BoolVar(&unverified, "unverified", false, "say so: restore a backup without a signature or checkpoint to check it against (as plain restore FILE does); recorded as restore.unverified on every audit trail")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("restore needs one FILE (a ward backup)")
			}
			check, how, err := restoreCheck(verifyKey, restoreCheckpoint, unverified)
			// DESIGN.md's plain `ward restore FILE` stays a restore: with
			// nothing to check the backup against it is an unverified one.
			unchecked := verifyKey == "" && restoreCheckpoint == ""
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return BadInput("restore: %v", err)
			}
			defer f.Close()
			// A SQLite file this restore makes is removed again when the
			// backup is refused, so that a retry finds no empty schema
			// there; a file that was there before is left as it was.
			made := newSQLiteFiles(env.DB)
			restored := false
			defer func() {
				if !restored {
					env.discard(made)
				}
			}()
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			// A bar on a terminal, once it takes a while: archive bytes
			// read of its size (and so an ETA), tables and files done.
			total := int64(-1)
			if st, err := f.Stat(); err == nil {
				total = st.Size()
			}
			bar := startBar(env, total, "tables and files")
			m, err := s.RestoreWith(ctx, bar.reader(f), func(what string) {
				bar.doing(what)
				bar.records.Add(1)
			}, store.RestoreOptions{Check: check})
			bar.done()
			if errors.Is(err, store.ErrNotEmpty) {
				return BadInput("%s: %v (--db %s)", args[0], err, redactURL(env.DB))
			}
			if err != nil {
				return BadInput("%s: %v", args[0], err)
			}
			restored = true
			// How the backup was vouched for is on every trail: an
			// unverified restore stands out to whoever reviews them.
			action := "restore"
			if unchecked {
				action = "restore.unverified"
			}
			data := map[string]string{"backup": filepath.Base(args[0]), "manifest_sha256": m.SHA256, "checked_by": how}
			orgs, err := s.Orgs(ctx)
			if err != nil {
				return err
			}
			for _, org := range orgs {
				if err := s.Org(org).Record(ctx, Actor(), action, "database", filepath.Base(args[0]), data); err != nil {
					return err
				}
			}
			if err := s.RecordAccount(ctx, Actor(), action, "", data); err != nil {
				return err
			}
			if unchecked {
				fmt.Fprintf(env.Stderr, "ward: restored %s WITHOUT checking it against a signature or checkpoint; this is recorded on every audit trail as restore.unverified. "+
					"A backup is trusted only against something kept apart from it: restore with --verify-key KEY.pub (a backup made with ward backup --sign-key) "+
					"or --checkpoint FILE (ward backup --checkpoint, or ward audit checkpoint)\n", args[0])
			}
			return printBackup(env, "restored", args[0], m)
		},
	})
}

// newSQLiteFiles are the SQLite database file url names and its
// companions (-wal, -shm, the evidence folder) when the file does not
// exist yet: what opening it makes. None for an existing file or
// PostgreSQL.
func newSQLiteFiles(url string) []string {
	path, ok := store.SQLiteFile(url)
	if !ok || path == "" || path == ":memory:" {
		return nil
	}
	var made []string
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".blobs"} {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			made = append(made, p)
		} else if p == path {
			return nil
		}
	}
	return made
}

// discard closes the database and removes the files paths, which this
// run made (newSQLiteFiles).
func (e *Env) discard(paths []string) {
	if len(paths) == 0 {
		return
	}
	e.Close()
	e.store, e.backend = nil, nil
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			fmt.Fprintf(e.Stderr, "ward: removing %s, which this run made: %v\n", p, err)
		}
	}
}

// restoreCheck is what ward restore checks a backup against, and how it
// says so on the audit trails. Without a key or checkpoint nothing is
// checked (DESIGN.md's plain `ward restore FILE`); the restore is then
// recorded as unverified and says how to check the next one.
func restoreCheck(keyFile, cpFile string, unverified bool) (func(store.RestoreCheck) error, string, error) {
	if unverified && (keyFile != "" || cpFile != "") {
		return nil, "", BadInput("restore: --unverified is for a backup with nothing to check it against; drop it, or drop --verify-key and --checkpoint")
	}
	if keyFile == "" && cpFile == "" {
		return nil, "nothing (--unverified)", nil
	}
	var checks []func(store.RestoreCheck) error
	var how []string
	if keyFile != "" {
		pub, err := backupsig.LoadPublic(keyFile)
		if err != nil {
			return nil, "", BadInput("restore --verify-key: %v", err)
		}
		fp := backupsig.Fingerprint(pub)
		how = append(how, "signature by key "+fp[:16])
		checks = append(checks, func(c store.RestoreCheck) error {
			if err := backupsig.Verify(pub, c.Raw, c.Sig); err != nil {
				if errors.Is(err, backupsig.ErrUnsigned) {
					return fmt.Errorf("restore: the backup is not signed, and --verify-key asks for a signature: give its checkpoint (--checkpoint) instead, or --unverified to restore it unchecked (recorded on every audit trail)")
				}
				return fmt.Errorf("restore: refused: %v", err)
			}
			return nil
		})
	}
	if cpFile != "" {
		cp, ac, err := backupsig.ReadCheckpoint(cpFile)
		if err != nil {
			return nil, "", BadInput("restore --checkpoint: %v", err)
		}
		if cp != nil {
			how = append(how, "backup checkpoint "+filepath.Base(cpFile))
			checks = append(checks, func(c store.RestoreCheck) error {
				if err := cp.CheckManifest(c.Manifest.SHA256, manifestHeads(c.Manifest)); err != nil {
					return fmt.Errorf("restore: refused by checkpoint %s: %v", cpFile, err)
				}
				return nil
			})
		} else {
			how = append(how, fmt.Sprintf("audit checkpoint of %s at entry %d", ac.Org, ac.Head.Seq))
			checks = append(checks, func(c store.RestoreCheck) error {
				trail, ok := c.Trail[ac.Org]
				if !ok {
					return fmt.Errorf("restore: refused by checkpoint %s: the backup holds no organization %q", cpFile, ac.Org)
				}
				if ac.Head.Seq == 0 {
					return nil
				}
				i := slices.IndexFunc(trail, func(e store.AuditEntry) bool { return e.Seq == ac.Head.Seq })
				if i < 0 {
					return fmt.Errorf("restore: refused by checkpoint %s: %s's audit trail has no entry %d: it was cut back", cpFile, ac.Org, ac.Head.Seq)
				}
				if trail[i].Hash != ac.Head.Hash {
					return fmt.Errorf("restore: refused by checkpoint %s: %s's audit entry %d differs from the checkpoint's: its history was rewritten", cpFile, ac.Org, ac.Head.Seq)
				}
				return nil
			})
		}
	}
	return func(c store.RestoreCheck) error {
		for _, f := range checks {
			if err := f(c); err != nil {
				return err
			}
		}
		return nil
	}, strings.Join(how, " and "), nil
}

// manifestHeads lists a manifest's audit heads as a checkpoint names them.
func manifestHeads(m store.BackupManifest) []backupsig.Head {
	var out []backupsig.Head
	for _, h := range m.AuditHeads {
		out = append(out, backupsig.Head{Org: h.Org, Seq: h.Seq, Hash: h.Hash})
	}
	if m.AccountsHead != nil {
		out = append(out, backupsig.Head{Org: "accounts", Seq: m.AccountsHead.Seq, Hash: m.AccountsHead.Hash})
	}
	return out
}

// writeBackupCheckpoint writes ward backup --checkpoint's file.
func writeBackupCheckpoint(path, archive string, m store.BackupManifest) error {
	cp := backupsig.Checkpoint{Format: backupsig.CheckpointFormat, Backup: filepath.Base(archive), CreatedAt: m.CreatedAt,
		ManifestSHA256: m.SHA256, AuditHeads: manifestHeads(m)}
	raw, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o600)
}

func printBackup(env *Env, verb, file string, m store.BackupManifest) error {
	if env.Format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"file": file, "manifest": m, "manifest_sha256": m.SHA256, "signed": m.Signed})
	}
	fmt.Fprintf(env.Stdout, "%s %s: %d organization%s, %d rows in %d tables, %d evidence file%s (%d bytes), from %s\n",
		verb, file, m.Totals["orgs"], Plural(int(m.Totals["orgs"])), m.Totals["rows"], len(m.Tables), m.Totals["blobs"], Plural(int(m.Totals["blobs"])), m.Totals["blob_bytes"], m.Engine)
	for _, h := range m.AuditHeads {
		fmt.Fprintf(env.Stdout, "  %s: audit head %d %s\n", h.Org, h.Seq, h.Hash)
	}
	if h := m.AccountsHead; h != nil {
		fmt.Fprintf(env.Stdout, "  accounts: audit head %d %s\n", h.Seq, h.Hash)
	}
	signed := "not signed"
	if m.Signed {
		signed = "signed"
	}
	fmt.Fprintf(env.Stdout, "  manifest SHA-256 %s, %s\n", m.SHA256, signed)
	return nil
}
