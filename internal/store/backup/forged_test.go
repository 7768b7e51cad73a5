package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/audit"
	"ward/internal/backupsig"
	"ward/internal/store"
)

// forge turns s into what an attacker with write access to the database
// (or to its backups) would make: one history entry rewritten, every hash
// after it recomputed and the head moved, so the chain is consistent in
// itself, and a backdoor administrator added through the accounts' trail.
// The result verifies: only something kept apart from it can tell.
func forge(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	org, err := s.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	o := s.Org(org)
	entries, err := o.AuditAll(ctx)
	if err != nil || len(entries) < 4 {
		t.Fatalf("acme's trail: %d entries, %v", len(entries), err)
	}
	entries[1].Actor = "nobody@evil.example"
	head := audit.Head{Seq: entries[0].Seq, Hash: entries[0].Hash}
	for i := 1; i < len(entries); i++ {
		head = audit.Link(head, &entries[i])
		if _, err := s.RawExec(ctx, "UPDATE audit SET actor = ?, prev = ?, hash = ? WHERE org_id = ? AND seq = ?",
			entries[i].Actor, entries[i].Prev, entries[i].Hash, org.ID, entries[i].Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RawExec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE org_id = ?", head.Seq, head.Hash, org.ID); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "test", "mallory@evil.example", "Mallory", "$argon2id$fake")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "test", u.ID, org, store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := o.VerifyAudit(ctx); err != nil {
		t.Fatalf("the forgery does not verify, so it proves nothing: %v", err)
	}
}

// withSig appends (or replaces) manifest.sig in an archive.
func withSig(t *testing.T, archive, sig []byte) []byte {
	t.Helper()
	gr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gr)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == store.ManifestSig {
			continue
		}
		body, _ := io.ReadAll(tr)
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.WriteHeader(&tar.Header{Name: store.ManifestSig, Mode: 0o600, Size: int64(len(sig)), Typeflag: tar.TypeReg})
	tw.Write(sig)
	tw.Close()
	gw.Close()
	return out.Bytes()
}

// entry reads one entry of an archive.
func entry(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	gr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the archive: %v", name, err)
		}
		if h.Name == name {
			b, _ := io.ReadAll(tr)
			return b
		}
	}
}

// TestForgedBackupRefused is issue 20 finding 6 on both engines: a forged
// but self-consistent backup (a backdoor admin, history rewritten, every
// hash recomputed) restores and verifies when nothing is kept apart from
// it; checked against the backup's signature (Ed25519, key outside the
// database), its backup checkpoint or an audit checkpoint taken before,
// it is refused inside the restore's transaction and nothing is written.
func TestForgedBackupRefused(t *testing.T) {
	engines := map[string]func(*testing.T) *store.Store{"sqlite": openSQLite, "postgres": openPostgres}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			open := engines[name]
			src := open(t)
			seedForBackup(t, src)
			org, _ := src.OrgBySlug(ctx, "acme")
			acmeHead, err := src.Org(org).AuditHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			keyFile := filepath.Join(t.TempDir(), "backup.key")
			pub, err := backupsig.GenerateKey(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := backupsig.LoadPrivate(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			sign := store.DumpOptions{Sign: func(m []byte) ([]byte, error) { return backupsig.Sign(priv, m) }}

			var good bytes.Buffer
			gm, err := src.DumpWith(ctx, &good, nil, sign)
			if err != nil || !gm.Signed || gm.AccountsHead == nil {
				t.Fatalf("signed dump: %+v %v", gm, err)
			}
			cp := &backupsig.Checkpoint{Format: backupsig.CheckpointFormat, ManifestSHA256: gm.SHA256}
			for _, h := range gm.AuditHeads {
				cp.AuditHeads = append(cp.AuditHeads, backupsig.Head{Org: h.Org, Seq: h.Seq, Hash: h.Hash})
			}
			cp.AuditHeads = append(cp.AuditHeads, backupsig.Head{Org: "accounts", Seq: gm.AccountsHead.Seq, Hash: gm.AccountsHead.Hash})

			forge(t, src)
			var forged bytes.Buffer
			fm, err := src.Dump(ctx, &forged, nil)
			if err != nil {
				t.Fatal(err)
			}
			// The attacker's own key, and the real signature carried over.
			_, mallory, _ := ed25519.GenerateKey(rand.Reader)
			theirSig, _ := backupsig.Sign(mallory, entry(t, forged.Bytes(), "manifest.json"))
			realSig := entry(t, good.Bytes(), store.ManifestSig)

			bySig := func(c store.RestoreCheck) error { return backupsig.Verify(pub, c.Raw, c.Sig) }
			byCheckpoint := func(c store.RestoreCheck) error {
				var heads []backupsig.Head
				for _, h := range c.Manifest.AuditHeads {
					heads = append(heads, backupsig.Head{Org: h.Org, Seq: h.Seq, Hash: h.Hash})
				}
				if a := c.Manifest.AccountsHead; a != nil {
					heads = append(heads, backupsig.Head{Org: "accounts", Seq: a.Seq, Hash: a.Hash})
				}
				return cp.CheckManifest(c.Manifest.SHA256, heads)
			}
			// An audit checkpoint of acme taken before the forgery.
			byAuditCheckpoint := func(c store.RestoreCheck) error {
				for _, e := range c.Trail["acme"] {
					if e.Seq == acmeHead.Seq {
						if e.Hash != acmeHead.Hash {
							return errors.New("history rewritten")
						}
						return nil
					}
				}
				return errors.New("cut back")
			}

			for _, tt := range []struct {
				name    string
				archive []byte
				check   func(store.RestoreCheck) error
				says    string
			}{
				{"forged, the real signature carried over", withSig(t, forged.Bytes(), realSig), bySig, "does not match the manifest"},
				{"forged, signed with the attacker's key", withSig(t, forged.Bytes(), theirSig), bySig, "not by the key given"},
				{"forged, unsigned", forged.Bytes(), bySig, "not signed"},
				{"forged, against the backup checkpoint", forged.Bytes(), byCheckpoint, "history is not the one checkpointed"},
				{"forged, against an audit checkpoint", forged.Bytes(), byAuditCheckpoint, "history rewritten"},
				{"signed, one table byte changed and its hash fixed in the manifest", resign(t, good.Bytes()), bySig, "does not match the manifest"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					dst := open(t)
					_, err := dst.RestoreWith(ctx, bytes.NewReader(tt.archive), nil, store.RestoreOptions{Check: tt.check})
					if err == nil || !strings.Contains(err.Error(), tt.says) {
						t.Fatalf("restore = %v, want a refusal saying %q", err, tt.says)
					}
					orgs, _ := dst.Orgs(ctx)
					users, _ := dst.Users(ctx)
					if len(orgs)+len(users) != 0 {
						t.Errorf("a refused restore wrote %d organizations and %d users", len(orgs), len(users))
					}
				})
			}

			// Unchecked, the forgery restores and verifies: the finding.
			dst := open(t)
			if _, err := dst.Restore(ctx, bytes.NewReader(forged.Bytes()), nil); err != nil {
				t.Fatalf("the forged backup should restore when nothing is checked: %v", err)
			}
			if _, err := dst.UserByEmail(ctx, "mallory@evil.example"); err != nil || fm.Signed {
				t.Errorf("the forgery lacks its backdoor: %v", err)
			}
			// The real backup passes every check.
			for name, check := range map[string]func(store.RestoreCheck) error{"signature": bySig, "checkpoint": byCheckpoint, "audit checkpoint": byAuditCheckpoint} {
				dst := open(t)
				if m, err := dst.RestoreWith(ctx, bytes.NewReader(good.Bytes()), nil, store.RestoreOptions{Check: check}); err != nil || !m.Signed {
					t.Errorf("the real backup against its %s: %v (signed %v)", name, err, m.Signed)
				}
				if _, err := dst.UserByEmail(ctx, "mallory@evil.example"); err == nil {
					t.Errorf("the real backup has the backdoor")
				}
			}
		})
	}
}

// resign changes a byte of the records table in a signed archive and
// fixes the table's hash in the manifest, keeping the old signature.
func resign(t *testing.T, archive []byte) []byte {
	t.Helper()
	var oldSHA, newSHA string
	changed := repack(t, archive, func(name string, body []byte) []byte {
		if name == "tables/records.jsonl" {
			oldSHA = sha(body)
			body = bytes.Replace(body, []byte("Patient API"), []byte("Patient APX"), 1)
			newSHA = sha(body)
		}
		return body
	})
	return repack(t, changed, func(name string, body []byte) []byte {
		if name == "manifest.json" {
			if !bytes.Contains(body, []byte(oldSHA)) {
				t.Fatal("the manifest does not name the records table's hash")
			}
			return bytes.Replace(body, []byte(oldSHA), []byte(newSHA), 1)
		}
		return body
	})
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
