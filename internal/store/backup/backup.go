// Package backup writes ward's backups and restores them: a
// gzip-compressed tar archive of every table and evidence file with a
// manifest of their hashes and the audit heads, which does not depend on
// the engine it came from.
//
// Package store's Dump and Restore are these, on its own database, and
// it re-exports the types under its own names (Manifest, ...):
// callers outside internal/store import store, never backup. This package
// must not import store; what both need is in package core, and what a
// restore asks of the audit trails once it has committed, store answers
// (Trails).
package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"ward/internal/audit"
	"ward/internal/store/blob"
	"ward/internal/store/core"
)

// A backup is a gzip-compressed tar archive that does not depend on the
// engine it came from: a SQLite database can be restored into PostgreSQL
// and back. It holds
//
//	tables/NAME.jsonl   one line {"table","columns"}, then one JSON array per row
//	blobs/SHA256        every evidence file, named by its hash
//	manifest.json       format, source, schema versions, each table's
//	                    row count and SHA-256, each blob, each
//	                    organization's audit head and the accounts' head
//	manifest.sig        only when signed (ward backup --sign-key): the
//	                    signature of manifest.json's bytes, written last
//
// Tables are read in one snapshot transaction, so the copy is consistent
// while writers carry on. Blobs are immutable and content-addressed, so a
// blob written after the snapshot is harmless and none the snapshot names
// can be missing.
const backupFormat = "ward-backup/1"

// DB is the database a backup copies or a restore fills: package store
// gives its own.
type DB struct {
	*core.DB
	// Blobs is where the database's evidence files are.
	Blobs blob.Store
	// Trails checks what a restore committed.
	Trails Trails
}

// Trails is what a restore asks of the audit trails once it has
// committed, through the store's own verification: package store answers
// it.
type Trails interface {
	OrgBySlug(ctx context.Context, slug string) (core.Org, error)
	// VerifyAudit recomputes org's trail against its head.
	VerifyAudit(ctx context.Context, org core.Org) error
	AuditHead(ctx context.Context, org core.Org) (audit.Head, error)
	// VerifyAccountAudit recomputes the accounts' trail against its head.
	VerifyAccountAudit(ctx context.Context) error
}

// Manifest describes a backup; Dump returns it and Restore checks
// the archive against it.
type Manifest struct {
	Format     string    `json:"format"`
	CreatedAt  string    `json:"created_at"`
	Engine     string    `json:"engine"`
	Migrations []string  `json:"migrations"`
	Tables     []Table   `json:"tables"`
	Blobs      []Blob    `json:"blobs"`
	AuditHeads []OrgHead `json:"audit_heads"`
	// AccountsHead is the accounts' trail's head (absent from backups
	// made before it was recorded).
	AccountsHead *OrgHead         `json:"accounts_head,omitempty"`
	Totals       map[string]int64 `json:"totals"`
	// SHA256 is the hash of manifest.json's bytes as stored in the
	// archive: a backup checkpoint keeps it, and what a signature signs.
	SHA256 string `json:"-"`
	// Signed tells whether the archive carries manifest.sig.
	Signed bool `json:"-"`
}

// ManifestSig is the name of the signature entry of a signed backup.
const ManifestSig = "manifest.sig"

// DumpOptions tune Dump.
type DumpOptions struct {
	// Sign, when set, signs manifest.json's bytes; what it returns is
	// stored as manifest.sig, the archive's last entry.
	Sign func(manifest []byte) ([]byte, error)
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Check, when set, is called inside the restore's transaction once
	// the archive matches its manifest (every table and blob hash) and
	// every restored audit trail verifies up to the manifest's heads. An
	// error refuses the restore; nothing is written.
	Check func(c RestoreCheck) error
}

// RestoreCheck is what a RestoreOptions.Check sees of a restore in
// progress.
type RestoreCheck struct {
	// Raw is manifest.json's bytes as stored in the archive; Manifest
	// their reading.
	Raw      []byte
	Manifest Manifest
	// Sig is manifest.sig's bytes, nil when the archive has none.
	Sig []byte
	// Trail is each restored organization's audit trail by slug, and the
	// accounts' trail as "accounts", each verified.
	Trail map[string][]audit.Entry
}

// Table is one table's row count and the SHA-256 of its file.
type Table struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Blob is one evidence file.
type Blob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// OrgHead is an organization's audit head at the snapshot, checked
// again after a restore.
type OrgHead struct {
	Org  string `json:"org"`
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// tableOrder lists the tables whose rows others reference, parents first.
// Tables not listed are restored after these, by name.
var tableOrder = []string{"orgs", "users", "records", "audit", "audit_head", "memberships", "sessions", "api_tokens", "scans"}

// notBackedUp are the tables a backup leaves out: the schema's version
// (the manifest names the migrations), the evidence files' (which go in
// as blobs/SHA256, whatever store they are in), failed logins (a
// throttle's passing state), the servers' shared secrets (a restored
// database makes new ones) and the MSP overview's summaries (derived from
// the records, made again when needed).
var notBackedUp = []string{"schema_migrations", "blobs", "blob_chunks", "login_failures", "server_secrets", "org_summaries", "org_rows"}

func (d DB) tables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var q string
	switch d.Eng.Name() {
	case "sqlite":
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	case "postgres":
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	default:
		return nil, fmt.Errorf("backup: unknown engine %s", d.Eng.Name())
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if !slices.Contains(notBackedUp, n) {
			names = append(names, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return orderTables(names), nil
}

func orderTables(names []string) []string {
	rank := func(n string) int {
		if i := slices.Index(tableOrder, n); i >= 0 {
			return i
		}
		return len(tableOrder)
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

func (d DB) appliedMigrations(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Dump writes a consistent backup of the whole database and its evidence
// files to w, signed when opt.Sign is set. progress, when not nil, is
// told each table and blob as it is written.
func (d DB) Dump(ctx context.Context, w io.Writer, progress func(what string), opt DumpOptions) (Manifest, error) {
	m := Manifest{Format: backupFormat, CreatedAt: core.FmtTime(d.Now()), Engine: d.Eng.Name(), Totals: map[string]int64{}}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	mtime := d.Now().UTC().Truncate(time.Second)
	needed := map[string]bool{}
	err := d.InReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m.Migrations, err = d.appliedMigrations(ctx, tx); err != nil {
			return err
		}
		names, err := d.tables(ctx, tx)
		if err != nil {
			return err
		}
		tmp, err := os.CreateTemp("", "ward-dump-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		for _, name := range names {
			if progress != nil {
				progress("table " + name)
			}
			if err := tmp.Truncate(0); err != nil {
				return err
			}
			if _, err := tmp.Seek(0, io.SeekStart); err != nil {
				return err
			}
			h := sha256.New()
			n, err := dumpTable(ctx, tx, name, io.MultiWriter(tmp, h), needed)
			if err != nil {
				return fmt.Errorf("backup: table %s: %w", name, err)
			}
			size, err := tmp.Seek(0, io.SeekCurrent)
			if err != nil {
				return err
			}
			if _, err := tmp.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if err := tw.WriteHeader(&tar.Header{Name: "tables/" + name + ".jsonl", Mode: 0o600, Size: size, ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
				return err
			}
			if _, err := io.CopyN(tw, tmp, size); err != nil {
				return err
			}
			m.Tables = append(m.Tables, Table{Name: name, Rows: n, SHA256: hex.EncodeToString(h.Sum(nil))})
			m.Totals["rows"] += n
		}
		heads, err := tx.QueryContext(ctx, "SELECT o.slug, h.seq, h.hash FROM audit_head h JOIN orgs o ON o.id = h.org_id ORDER BY o.slug")
		if err != nil {
			return err
		}
		defer heads.Close()
		for heads.Next() {
			var h OrgHead
			if err := heads.Scan(&h.Org, &h.Seq, &h.Hash); err != nil {
				return err
			}
			m.AuditHeads = append(m.AuditHeads, h)
		}
		if err := heads.Err(); err != nil {
			return err
		}
		ah, err := accountsHead(ctx, tx)
		m.AccountsHead = &ah
		return err
	})
	if err != nil {
		return m, err
	}
	// Every blob in the store, not only those the records name: a blob
	// is kept forever, like the record that once named it.
	var list []Blob
	if err := d.Blobs.List(func(sha string, size int64) error {
		list = append(list, Blob{SHA256: sha, Size: size})
		return nil
	}); err != nil {
		return m, fmt.Errorf("backup: listing the evidence files in %s: %w", d.Blobs.Where(), err)
	}
	for sha := range needed {
		if !slices.ContainsFunc(list, func(b Blob) bool { return b.SHA256 == sha }) {
			return m, fmt.Errorf("backup: evidence file %s is named by a record but missing from %s", sha, d.Blobs.Where())
		}
	}
	for _, b := range list {
		if progress != nil {
			progress("blob " + b.SHA256[:12])
		}
		if err := copyBlob(tw, d.Blobs, b, mtime); err != nil {
			return m, fmt.Errorf("backup: evidence file %s: %w", b.SHA256, err)
		}
		m.Blobs = append(m.Blobs, b)
		m.Totals["blob_bytes"] += b.Size
	}
	m.Totals["blobs"] = int64(len(m.Blobs))
	m.Totals["orgs"] = int64(len(m.AuditHeads))
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(body)), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return m, err
	}
	if _, err := tw.Write(body); err != nil {
		return m, err
	}
	sum := sha256.Sum256(body)
	m.SHA256 = hex.EncodeToString(sum[:])
	if opt.Sign != nil {
		sig, err := opt.Sign(body)
		if err != nil {
			return m, fmt.Errorf("backup: signing the manifest: %w", err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: ManifestSig, Mode: 0o600, Size: int64(len(sig)), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
			return m, err
		}
		if _, err := tw.Write(sig); err != nil {
			return m, err
		}
		m.Signed = true
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

// copyBlob writes one blob into the archive, its bytes streamed.
func copyBlob(tw *tar.Writer, b blob.Store, e Blob, mtime time.Time) error {
	f, err := b.Open(e.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Name: "blobs/" + e.SHA256, Mode: 0o600, Size: e.Size, ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	if err == nil && n != e.Size {
		err = fmt.Errorf("%d bytes, the store says %d", n, e.Size)
	}
	return err
}

type tableHeader struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

// dumpTable writes one table as JSON lines and notes every evidence hash
// its rows name (records of kind evidence carry "sha256").
func dumpTable(ctx context.Context, tx *sql.Tx, name string, w io.Writer, needed map[string]bool) (int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+name+" ORDER BY 1")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(tableHeader{Table: name, Columns: cols}); err != nil {
		return 0, err
	}
	kindCol, bodyCol := slices.Index(cols, "kind"), slices.Index(cols, "body")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				vals[i] = string(v)
			case time.Time:
				vals[i] = core.FmtTime(v)
			}
		}
		if name == "records" && kindCol >= 0 && bodyCol >= 0 && vals[kindCol] == "evidence" {
			if body, ok := vals[bodyCol].(string); ok {
				var e struct {
					SHA256 string `json:"sha256"`
				}
				if json.Unmarshal([]byte(body), &e) == nil && e.SHA256 != "" {
					needed[e.SHA256] = true
				}
			}
		}
		if err := enc.Encode(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// ErrNotEmpty is returned by Restore into a database that already holds
// organizations or accounts.
var ErrNotEmpty = errors.New("the database is not empty")

// accountsHead reads the accounts' trail's head in tx (seq 0 when empty).
func accountsHead(ctx context.Context, tx *sql.Tx) (OrgHead, error) {
	h := OrgHead{Org: "accounts"}
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM account_audit_head WHERE id = 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return h, err
}

// Restore loads a backup written by Dump into this database, which must
// be empty (new). Rows go in one transaction that commits only when every
// table's count and hash match the manifest and opt.Check, when set,
// accepts it; evidence files are checked against their names as they are
// stored. Afterwards every organization's audit trail is verified and its
// head compared with the backup's.
func (d DB) Restore(ctx context.Context, r io.Reader, progress func(what string), opt RestoreOptions) (Manifest, error) {
	var m Manifest
	var raw, sig []byte
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("restore: not a ward backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	type seen struct {
		rows int64
		sha  string
	}
	got := map[string]seen{}
	blobs := map[string]int64{}
	// added: the evidence files this restore stored that the store did
	// not hold before. The rows roll back with the transaction; the files
	// are written beside it (a folder, or the blob store's own
	// transactions), so a refused restore takes them back itself.
	var added []string
	sawManifest := false
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		var count int64
		if err := tx.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM orgs) + (SELECT COUNT(*) FROM users)").Scan(&count); err != nil {
			return err
		}
		if count > 0 {
			return fmt.Errorf("restore: %w: restore into a new database", ErrNotEmpty)
		}
		known, err := d.tables(ctx, tx)
		if err != nil {
			return err
		}
		var restored []string
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("restore: reading the archive: %w", err)
			}
			if sig != nil || sawManifest && hdr.Name != ManifestSig {
				return fmt.Errorf("restore: %s after manifest.json: the archive was not written by ward backup", hdr.Name)
			}
			switch {
			case hdr.Name == ManifestSig:
				if !sawManifest {
					return fmt.Errorf("restore: %s before manifest.json: the archive was not written by ward backup", ManifestSig)
				}
				if sig, err = io.ReadAll(io.LimitReader(tr, 64<<10)); err != nil {
					return fmt.Errorf("restore: %s: %w", ManifestSig, err)
				}
				if sig == nil {
					sig = []byte{}
				}
			case strings.HasPrefix(hdr.Name, "tables/") && strings.HasSuffix(hdr.Name, ".jsonl"):
				name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "tables/"), ".jsonl")
				if !slices.Contains(known, name) {
					return fmt.Errorf("restore: %s: table %q does not exist here (the backup is from a newer ward?)", hdr.Name, name)
				}
				if progress != nil {
					progress("table " + name)
				}
				h := sha256.New()
				n, err := d.loadTable(ctx, tx, name, io.TeeReader(tr, h))
				if err != nil {
					return fmt.Errorf("restore: %s: %w", hdr.Name, err)
				}
				got[name] = seen{n, hex.EncodeToString(h.Sum(nil))}
				restored = append(restored, name)
			case strings.HasPrefix(hdr.Name, "blobs/"):
				want := path.Base(hdr.Name)
				if !blob.Valid(want) {
					return fmt.Errorf("restore: %s: not a SHA-256 name", hdr.Name)
				}
				if progress != nil {
					progress("blob " + want[:12])
				}
				had := d.Blobs.Has(want)
				sha, size, err := d.Blobs.Put(tr)
				if err != nil {
					return fmt.Errorf("restore: %s: %w", hdr.Name, err)
				}
				if sha != want {
					// Stored under the hash of its damaged bytes, which
					// nothing in this empty database names.
					added = append(added, sha)
					return fmt.Errorf("restore: %s: the file's SHA-256 is %s: the archive is damaged", hdr.Name, sha)
				}
				if !had {
					added = append(added, sha)
				}
				blobs[sha] = size
			case hdr.Name == "manifest.json":
				if raw, err = io.ReadAll(io.LimitReader(tr, 64<<20)); err != nil {
					return fmt.Errorf("restore: manifest.json: %w", err)
				}
				if err := json.Unmarshal(raw, &m); err != nil {
					return fmt.Errorf("restore: manifest.json: %w", err)
				}
				sum := sha256.Sum256(raw)
				m.SHA256 = hex.EncodeToString(sum[:])
				sawManifest = true
			default:
				return fmt.Errorf("restore: unexpected entry %s", hdr.Name)
			}
		}
		if !sawManifest {
			return errors.New("restore: manifest.json missing: the archive is truncated or not a ward backup")
		}
		if m.Format != backupFormat {
			return fmt.Errorf("restore: manifest.json: format %q, want %q", m.Format, backupFormat)
		}
		here, err := d.appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		for _, mig := range m.Migrations {
			if !slices.Contains(here, mig) {
				return fmt.Errorf("restore: the backup's schema has migration %s which this ward does not: upgrade ward first", mig)
			}
		}
		for _, t := range m.Tables {
			g, ok := got[t.Name]
			if !ok {
				return fmt.Errorf("restore: table %s is in the manifest but not in the archive", t.Name)
			}
			if g.rows != t.Rows || g.sha != t.SHA256 {
				return fmt.Errorf("restore: table %s: %d rows with SHA-256 %s, manifest says %d rows with %s: the archive is damaged", t.Name, g.rows, g.sha, t.Rows, t.SHA256)
			}
			delete(got, t.Name)
		}
		for name := range got {
			return fmt.Errorf("restore: table %s is in the archive but not in the manifest", name)
		}
		for _, b := range m.Blobs {
			if size, ok := blobs[b.SHA256]; !ok || size != b.Size {
				return fmt.Errorf("restore: evidence file %s is in the manifest but missing or of the wrong size in the archive", b.SHA256)
			}
		}
		trails, err := d.restoredTrails(ctx, tx, m)
		if err != nil {
			return err
		}
		if opt.Check != nil {
			m.Signed = sig != nil
			if err := opt.Check(RestoreCheck{Raw: raw, Manifest: m, Sig: sig, Trail: trails}); err != nil {
				return err
			}
		}
		if err := d.migrateRestored(ctx, tx, here, m.Migrations); err != nil {
			return err
		}
		return d.afterRestore(ctx, tx, restored)
	})
	if err != nil {
		if rm, ok := d.Blobs.(blob.Remover); ok {
			for _, sha := range added {
				if rerr := rm.Remove(sha); rerr != nil {
					return m, fmt.Errorf("%w (and taking back its evidence file %s from %s: %v)", err, sha, d.Blobs.Where(), rerr)
				}
			}
		}
		return m, err
	}
	for _, h := range m.AuditHeads {
		org, err := d.Trails.OrgBySlug(ctx, h.Org)
		if err != nil {
			return m, fmt.Errorf("restore: organization %s: %w", h.Org, err)
		}
		if err := d.Trails.VerifyAudit(ctx, org); err != nil {
			return m, fmt.Errorf("restore: organization %s: audit trail: %w", h.Org, err)
		}
		head, err := d.Trails.AuditHead(ctx, org)
		if err != nil {
			return m, err
		}
		if head.Seq != h.Seq || head.Hash != h.Hash {
			return m, fmt.Errorf("restore: organization %s: audit head is %d %s, the backup's was %d %s", h.Org, head.Seq, head.Hash, h.Seq, h.Hash)
		}
	}
	if err := d.Trails.VerifyAccountAudit(ctx); err != nil {
		return m, fmt.Errorf("restore: the accounts' audit trail: %w", err)
	}
	m.Signed = sig != nil
	return m, nil
}

// restoredTrails verifies, inside the restore's transaction, every
// restored audit trail (each organization's and the accounts') against its
// head, and that the heads are those the manifest names, so that what a
// signature or a checkpoint vouches for (the manifest) is what was loaded
// and a trail that does not verify is refused before anything is written.
func (d DB) restoredTrails(ctx context.Context, tx *sql.Tx, m Manifest) (map[string][]audit.Entry, error) {
	rs, err := tx.QueryContext(ctx, "SELECT o.id, o.slug, h.seq, h.hash FROM audit_head h JOIN orgs o ON o.id = h.org_id ORDER BY o.slug")
	if err != nil {
		return nil, err
	}
	var got []OrgHead
	var ids []int64
	for rs.Next() {
		var h OrgHead
		var id int64
		if err := rs.Scan(&id, &h.Org, &h.Seq, &h.Hash); err != nil {
			rs.Close()
			return nil, err
		}
		got = append(got, h)
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	trails := map[string][]audit.Entry{}
	for i, h := range got {
		entries, head, err := d.OrgTrail(ctx, tx, ids[i])
		if err != nil {
			return nil, err
		}
		if err := audit.Verify(entries, head); err != nil {
			return nil, fmt.Errorf("restore: organization %s: audit trail: %w", h.Org, err)
		}
		trails[h.Org] = entries
	}
	if err := restoredHeads(got, m); err != nil {
		return nil, err
	}
	if m.AccountsHead != nil {
		entries, head, err := core.AccountTrail(ctx, tx)
		if err != nil {
			return nil, err
		}
		if err := audit.Verify(entries, head); err != nil {
			return nil, fmt.Errorf("restore: the accounts' audit trail: %w", err)
		}
		if h := (OrgHead{Org: "accounts", Seq: head.Seq, Hash: head.Hash}); h != *m.AccountsHead {
			return nil, fmt.Errorf("restore: the accounts' audit head in the archive is %d %s, the manifest's %d %s: the archive is damaged", h.Seq, h.Hash, m.AccountsHead.Seq, m.AccountsHead.Hash)
		}
		trails["accounts"] = entries
	}
	return trails, nil
}

// restoredHeads compares the heads of the restored tables with the
// manifest's.
func restoredHeads(got []OrgHead, m Manifest) error {
	want := slices.Clone(m.AuditHeads)
	slices.SortFunc(want, func(a, b OrgHead) int { return strings.Compare(a.Org, b.Org) })
	if !slices.Equal(got, want) {
		return fmt.Errorf("restore: the audit heads in the archive's tables (%v) are not the manifest's (%v): the archive is damaged", got, want)
	}
	return nil
}

// loadTable inserts the rows of one table file.
func (d DB) loadTable(ctx context.Context, tx *sql.Tx, name string, r io.Reader) (int64, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var hdr tableHeader
	if err := dec.Decode(&hdr); err != nil {
		return 0, fmt.Errorf("line 1: %w", err)
	}
	if hdr.Table != name || len(hdr.Columns) == 0 {
		return 0, fmt.Errorf("line 1: header names table %q with %d columns", hdr.Table, len(hdr.Columns))
	}
	for _, c := range hdr.Columns {
		if !isIdent(c) {
			return 0, fmt.Errorf("line 1: column %q is not a plain name", c)
		}
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(hdr.Columns)), ", ")
	stmt, err := tx.PrepareContext(ctx, d.Q("INSERT INTO "+name+" ("+strings.Join(hdr.Columns, ", ")+") VALUES ("+marks+")"))
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	var n int64
	for {
		var vals []any
		err := dec.Decode(&vals)
		if err == io.EOF {
			return n, nil
		}
		line := n + 2
		if err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		if len(vals) != len(hdr.Columns) {
			return n, fmt.Errorf("line %d: %d values for %d columns", line, len(vals), len(hdr.Columns))
		}
		for i, v := range vals {
			switch v := v.(type) {
			case json.Number:
				if x, err := v.Int64(); err == nil {
					vals[i] = x
				} else if f, err := v.Float64(); err == nil {
					vals[i] = f
				} else {
					return n, fmt.Errorf("line %d: %s: %w", line, hdr.Columns[i], err)
				}
			case nil, string, bool:
			default:
				return n, fmt.Errorf("line %d: %s: unexpected %T", line, hdr.Columns[i], v)
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		n++
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// migrateRestored brings the rows of a backup taken before some of this
// database's migrations up to date: the data statements (UPDATE) of each
// migration the backup's schema had not run, in order. The schema is
// this database's already; loading fills new columns with defaults.
func (d DB) migrateRestored(ctx context.Context, tx *sql.Tx, here, had []string) error {
	for _, name := range here {
		if slices.Contains(had, name) {
			continue
		}
		body, err := fs.ReadFile(d.Eng.Migrations(), name)
		if err != nil {
			return fmt.Errorf("restore: migration %s: %w", name, err)
		}
		for _, stmt := range core.SplitSQL(string(body)) {
			if !strings.HasPrefix(strings.ToUpper(stmt), "UPDATE ") {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("restore: migration %s/%s on the backup's rows: %w", d.Eng.Name(), name, err)
			}
		}
	}
	return nil
}

// afterRestore moves PostgreSQL's identity sequences past the restored
// ids, so the next insert does not collide. SQLite needs nothing.
func (d DB) afterRestore(ctx context.Context, tx *sql.Tx, tables []string) error {
	if d.Eng.Name() != "postgres" {
		return nil
	}
	// pg_get_serial_sequence fails, aborting the transaction, on a table
	// without an id column: ask which have one first.
	rows, err := tx.QueryContext(ctx, "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id'")
	if err != nil {
		return err
	}
	var withID []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		withID = append(withID, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if !slices.Contains(withID, t) {
			continue
		}
		var seq sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT pg_get_serial_sequence($1, 'id')", t).Scan(&seq); err != nil {
			return fmt.Errorf("restore: %s: identity: %w", t, err)
		}
		if !seq.Valid {
			continue
		}
		if _, err := tx.ExecContext(ctx, "SELECT setval($1::regclass, COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)", seq.String); err != nil {
			return fmt.Errorf("restore: %s: identity: %w", t, err)
		}
	}
	return nil
}
