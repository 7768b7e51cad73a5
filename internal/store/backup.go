package store

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
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ward/internal/store/blob"
)

// A backup is a gzip-compressed tar archive that does not depend on the
// engine it came from: a SQLite database can be restored into PostgreSQL
// and back. It holds
//
//	tables/NAME.jsonl   one line {"table","columns"}, then one JSON array per row
//	blobs/SHA256        every evidence file, named by its hash
//	manifest.json       written last: format, source, schema versions,
//	                    each table's row count and SHA-256, each blob,
//	                    each organization's audit head
//
// Tables are read in one snapshot transaction, so the copy is consistent
// while writers carry on. Blobs are immutable and content-addressed, so a
// blob written after the snapshot is harmless and none the snapshot names
// can be missing.
const backupFormat = "ward-backup/1"

// BackupManifest describes a backup; Dump returns it and Restore checks
// the archive against it.
type BackupManifest struct {
	Format     string           `json:"format"`
	CreatedAt  string           `json:"created_at"`
	Engine     string           `json:"engine"`
	Migrations []string         `json:"migrations"`
	Tables     []BackupTable    `json:"tables"`
	Blobs      []BackupBlob     `json:"blobs"`
	AuditHeads []BackupOrgHead  `json:"audit_heads"`
	Totals     map[string]int64 `json:"totals"`
}

// BackupTable is one table's row count and the SHA-256 of its file.
type BackupTable struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// BackupBlob is one evidence file.
type BackupBlob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// BackupOrgHead is an organization's audit head at the snapshot, checked
// again after a restore.
type BackupOrgHead struct {
	Org  string `json:"org"`
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// tableOrder lists the tables whose rows others reference, parents first.
// Tables not listed are restored after these, by name.
var tableOrder = []string{"orgs", "users", "records", "audit", "audit_head", "memberships", "sessions", "api_tokens", "scans"}

func (s *Store) tables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var q string
	switch s.eng.Name() {
	case "sqlite":
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	case "postgres":
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	default:
		return nil, fmt.Errorf("backup: unknown engine %s", s.eng.Name())
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
		if n != "schema_migrations" {
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

func (s *Store) appliedMigrations(ctx context.Context, q interface {
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
// files to w. progress, when not nil, is told each table and blob as it
// is written.
func (s *Store) Dump(ctx context.Context, w io.Writer, progress func(what string)) (BackupManifest, error) {
	m := BackupManifest{Format: backupFormat, CreatedAt: fmtTime(s.now()), Engine: s.eng.Name(), Totals: map[string]int64{}}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	mtime := s.now().UTC().Truncate(time.Second)
	needed := map[string]bool{}
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m.Migrations, err = s.appliedMigrations(ctx, tx); err != nil {
			return err
		}
		names, err := s.tables(ctx, tx)
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
			m.Tables = append(m.Tables, BackupTable{Name: name, Rows: n, SHA256: hex.EncodeToString(h.Sum(nil))})
			m.Totals["rows"] += n
		}
		heads, err := tx.QueryContext(ctx, "SELECT o.slug, h.seq, h.hash FROM audit_head h JOIN orgs o ON o.id = h.org_id ORDER BY o.slug")
		if err != nil {
			return err
		}
		defer heads.Close()
		for heads.Next() {
			var h BackupOrgHead
			if err := heads.Scan(&h.Org, &h.Seq, &h.Hash); err != nil {
				return err
			}
			m.AuditHeads = append(m.AuditHeads, h)
		}
		return heads.Err()
	})
	if err != nil {
		return m, err
	}
	// Every blob in the folder, not only those the records name: a blob
	// is kept forever, like the record that once named it.
	shas, err := s.blobList()
	if err != nil {
		return m, err
	}
	for sha := range needed {
		if !slices.Contains(shas, sha) {
			return m, fmt.Errorf("backup: evidence file %s is named by a record but missing from %s", sha, s.blobs.Dir())
		}
	}
	for _, sha := range shas {
		if progress != nil {
			progress("blob " + sha[:12])
		}
		size, err := copyBlob(tw, s.blobs, sha, mtime)
		if err != nil {
			return m, fmt.Errorf("backup: evidence file %s: %w", sha, err)
		}
		m.Blobs = append(m.Blobs, BackupBlob{SHA256: sha, Size: size})
		m.Totals["blob_bytes"] += size
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
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

// blobList names every stored blob, sorted.
func (s *Store) blobList() ([]string, error) {
	var out []string
	err := filepath.WalkDir(s.blobs.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == s.blobs.Dir() {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		sha := filepath.Base(filepath.Dir(p)) + d.Name()
		if blob.Valid(sha) {
			out = append(out, sha)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func copyBlob(tw *tar.Writer, b *blob.Store, sha string, mtime time.Time) (int64, error) {
	f, err := b.Open(sha)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := os.Stat(b.Path(sha))
	if err != nil {
		return 0, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: "blobs/" + sha, Mode: 0o600, Size: fi.Size(), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return 0, err
	}
	return io.CopyN(tw, f, fi.Size())
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
				vals[i] = fmtTime(v)
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

// Restore loads a backup written by Dump into this database, which must be
// empty (new). Rows go in one transaction that commits only when every
// table's count and hash match the manifest; evidence files are checked
// against their names as they are stored. Afterwards every organization's
// audit trail is verified and its head compared with the backup's.
func (s *Store) Restore(ctx context.Context, r io.Reader, progress func(what string)) (BackupManifest, error) {
	var m BackupManifest
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
	sawManifest := false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var count int64
		if err := tx.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM orgs) + (SELECT COUNT(*) FROM users)").Scan(&count); err != nil {
			return err
		}
		if count > 0 {
			return fmt.Errorf("restore: %w: restore into a new database", ErrNotEmpty)
		}
		known, err := s.tables(ctx, tx)
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
			if sawManifest {
				return fmt.Errorf("restore: %s after manifest.json: the archive was not written by ward backup", hdr.Name)
			}
			switch {
			case strings.HasPrefix(hdr.Name, "tables/") && strings.HasSuffix(hdr.Name, ".jsonl"):
				name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "tables/"), ".jsonl")
				if !slices.Contains(known, name) {
					return fmt.Errorf("restore: %s: table %q does not exist here (the backup is from a newer ward?)", hdr.Name, name)
				}
				if progress != nil {
					progress("table " + name)
				}
				h := sha256.New()
				n, err := s.loadTable(ctx, tx, name, io.TeeReader(tr, h))
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
				sha, size, err := s.blobs.Put(tr)
				if err != nil {
					return fmt.Errorf("restore: %s: %w", hdr.Name, err)
				}
				if sha != want {
					return fmt.Errorf("restore: %s: the file's SHA-256 is %s: the archive is damaged", hdr.Name, sha)
				}
				blobs[sha] = size
			case hdr.Name == "manifest.json":
				if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(&m); err != nil {
					return fmt.Errorf("restore: manifest.json: %w", err)
				}
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
		here, err := s.appliedMigrations(ctx, tx)
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
		if err := s.migrateRestored(ctx, tx, here, m.Migrations); err != nil {
			return err
		}
		return s.afterRestore(ctx, tx, restored)
	})
	if err != nil {
		return m, err
	}
	for _, h := range m.AuditHeads {
		org, err := s.OrgBySlug(ctx, h.Org)
		if err != nil {
			return m, fmt.Errorf("restore: organization %s: %w", h.Org, err)
		}
		o := s.Org(org)
		if err := o.VerifyAudit(ctx); err != nil {
			return m, fmt.Errorf("restore: organization %s: audit trail: %w", h.Org, err)
		}
		head, err := o.AuditHead(ctx)
		if err != nil {
			return m, err
		}
		if head.Seq != h.Seq || head.Hash != h.Hash {
			return m, fmt.Errorf("restore: organization %s: audit head is %d %s, the backup's was %d %s", h.Org, head.Seq, head.Hash, h.Seq, h.Hash)
		}
	}
	return m, nil
}

// loadTable inserts the rows of one table file.
func (s *Store) loadTable(ctx context.Context, tx *sql.Tx, name string, r io.Reader) (int64, error) {
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
	stmt, err := tx.PrepareContext(ctx, s.q("INSERT INTO "+name+" ("+strings.Join(hdr.Columns, ", ")+") VALUES ("+marks+")"))
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

// afterRestore moves PostgreSQL's identity sequences past the restored
// ids, so the next insert does not collide. SQLite needs nothing.
// migrateRestored brings the rows of a backup taken before some of this
// database's migrations up to date: the data statements (UPDATE) of each
// migration the backup's schema had not run, in order. The schema is
// this database's already; loading fills new columns with defaults.
func (s *Store) migrateRestored(ctx context.Context, tx *sql.Tx, here, had []string) error {
	for _, name := range here {
		if slices.Contains(had, name) {
			continue
		}
		body, err := fs.ReadFile(s.eng.Migrations(), name)
		if err != nil {
			return fmt.Errorf("restore: migration %s: %w", name, err)
		}
		for _, stmt := range splitSQL(string(body)) {
			if !strings.HasPrefix(strings.ToUpper(stmt), "UPDATE ") {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("restore: migration %s/%s on the backup's rows: %w", s.eng.Name(), name, err)
			}
		}
	}
	return nil
}

func (s *Store) afterRestore(ctx context.Context, tx *sql.Tx, tables []string) error {
	if s.eng.Name() != "postgres" {
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
